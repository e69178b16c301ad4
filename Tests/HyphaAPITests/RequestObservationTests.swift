import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SporeJSON
import Testing

@testable import HTTPSupport
@testable import HyphaAPI

/// `RequestObserver` and `ObservedResponder`, which every listener's responders run inside: the
/// request id on every answer, a 500 instead of a dropped connection, and the labels the Hypha
/// face gives its requests for the log and the metrics. The counting itself needs a metrics
/// backend, which is process-wide in swift-metrics, so `tests/integration/test_observability.py`
/// checks the counters on `/metrics` of the running daemon.
@Suite struct RequestObservationTests {
    static let observer = RequestObserver(face: "observation-tests", logger: Logger(label: "observation-tests"))

    struct Failure: Error {}

    static func isRequestID(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.utf8.count == 16 && text.allSatisfy { $0.isHexDigit && !$0.isLowercase }
    }

    @Test func observeAddsXRequestIdEqualToTheContextsRequestID() async throws {
        let responder = CallbackResponder<SporeRequestContext> { request, context in
            await Self.observer.observe(request, context: context) {
                Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: context.requestID)))
            }
        }
        try await Application(responder: responder).test(.router) { client in
            var seen = Set<String>()
            for _ in 0..<3 {
                let response = try await client.execute(uri: "/anything", method: .get, headers: [:], body: nil)
                let header = response.headers[RequestObserver.requestIDField]
                #expect(response.status == .ok && header == String(buffer: response.body))
                #expect(Self.isRequestID(header))
                seen.insert(header ?? "")
            }
            #expect(seen.count == 3)
        }
    }

    @Test func observedResponderTurnsAThrownErrorIntoA500WithAJSONBody() async throws {
        let failing = CallbackResponder<SporeRequestContext> { _, _ in throw Failure() }
        try await Application(responder: ObservedResponder(failing, observer: Self.observer)).test(.router) { client in
            let response = try await client.execute(uri: "/boom", method: .put, headers: [:], body: ByteBuffer(string: "body"))
            #expect(response.status == .internalServerError)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try JSONValue(parsing: Array(response.body.readableBytesView)) == ["detail": "Internal Server Error"])
            #expect(Self.isRequestID(response.headers[RequestObserver.requestIDField]))
        }
    }

    @Test func observedResponderPassesAnswersThroughWithTheRequestID() async throws {
        let harness = try HyphaHarness()
        let observed = ObservedResponder(harness.face.makeResponder(), observer: Self.observer)
        try await Application(responder: observed).test(.router) { client in
            let missing = try await client.execute(uri: "/nothing", method: .get, headers: [:], body: nil)
            #expect(missing.status == .notFound && String(buffer: missing.body) == #"{"detail":"Not Found"}"#)
            #expect(Self.isRequestID(missing.headers[RequestObserver.requestIDField]))
        }
        await harness.close()
    }

    /// What the observer reads after the face answered: the `operation` label of the metrics and
    /// the log line's resource.
    @Test func theHyphaFaceLabelsRoutesServiceCallsAndUnmatchedRequests() async throws {
        let harness = try HyphaHarness()
        let face = harness.face.makeResponder()
        let labelled = CallbackResponder<SporeRequestContext> { request, context in
            var response = try await face.respond(to: request, context: context)
            let labels = context.labels.current
            response.headers[HTTPField.Name("x-test-operation")!] = labels.operation
            response.headers[HTTPField.Name("x-test-resource")!] = labels.resource
            return response
        }
        let ws = HyphaHarness.personalWorkspace
        let bearer: HTTPFields = [.authorization: "Bearer \(HyphaHarness.userToken)"]
        try await Application(responder: labelled).test(.router) { client in
            let cases: [(HTTPRequest.Method, String, String, String)] = [
                (.put, "/\(ws)/files/a.txt", "PUT /{workspace}/files/**", "/\(ws)/files/a.txt"),
                (.get, "/\(ws)/files/", "GET /{workspace}/files", "/\(ws)/files/"),
                (.get, "/\(ws)/services/s3-storage/list_files", "s3-storage.list_files", ws),
                (.get, "/public/services/", "GET /{workspace}/services", "/public/services/"),
                (.get, "/nothing/here", "GET unmatched", "/nothing/here"),
            ]
            for (method, target, operation, resource) in cases {
                let body: ByteBuffer? = method == .put ? ByteBuffer(string: "a") : nil
                let response = try await client.execute(uri: target, method: method, headers: bearer, body: body)
                #expect(response.headers[HTTPField.Name("x-test-operation")!] == operation, "\(target)")
                #expect(response.headers[HTTPField.Name("x-test-resource")!] == resource, "\(target)")
            }
        }
        await harness.close()
    }

    /// Without a backend the instruments are no-ops; what remains observable is one set of
    /// instruments per face, and that recording stays safe past the bound on series.
    @Test func requestMetricsAreOnePerFaceAndBoundedInSeries() {
        let metrics = RequestMetrics.shared(face: "observation-tests-metrics")
        #expect(metrics === RequestMetrics.shared(face: "observation-tests-metrics"))
        #expect(metrics !== RequestMetrics.shared(face: "observation-tests-other"))
        #expect(metrics.face == "observation-tests-metrics")
        for index in 0..<(RequestMetrics.seriesCountMax + 10) {
            metrics.record(operation: "op-\(index)", status: 200, nanoseconds: 1_000, receivedBytes: 1, sentBytes: 0)
        }
        metrics.record(operation: "op-0", status: 200, nanoseconds: 1_000, receivedBytes: 0, sentBytes: 1)
    }
}
