import HyphaRPC
import SporeJSON
import SporeTestSupport
import Testing

@testable import HyphaAPI

/// The hypha-rpc dispatcher over a real face (catalog, blob store, artifact manager): known calls
/// answer as their HTTP forms do, and random targets, methods and arguments never crash it.
@Suite struct RPCDispatchTests {
    static func peer(_ face: HyphaFace, token: String? = HyphaHarness.userToken) throws -> RPCPeer {
        let decoded = try token.map { try HyphaToken.decode($0, secret: HyphaHarness.secret, nowSeconds: HyphaHarness.startSeconds) }
        return RPCPeer(
            caller: HyphaCaller(token: decoded), userID: decoded?.userID ?? "anonymouz-test",
            workspace: decoded.map { _ in HyphaHarness.personalWorkspace } ?? "ws-user-anonymouz-test", clientID: "client", user: [:]
        )
    }

    @Test func callsAnswerAsOverHTTP() async throws {
        let harness = try HyphaHarness()
        let face = harness.face
        try await harness.run { _ in
            let dispatch = RPCDispatch(face: face, peer: try Self.peer(face))
            let manager = try await dispatch.call(
                target: RPCEndpoint.managerTarget, method: "services.built-in.get_service", arguments: ([.string("default")], []))
            #expect(manager["get_service"]?["_rtarget"] == .string(RPCEndpoint.managerTarget))
            let storage = try await dispatch.call(
                target: RPCEndpoint.managerTarget, method: "services.default.get_service",
                arguments: ([.string("public/s3-storage")], [("config", .map([]))]))
            #expect(storage["put_file"]?["_rmethod"] == .string("services.s3-storage.put_file"))
            let created = try await dispatch.call(
                target: RPCEndpoint.providerTarget, method: "services.artifact-manager.create",
                arguments: ([], [("alias", .string("rpc-made")), ("manifest", .map([(.string("name"), .string("n"))]))]))
            #expect(created["id"] == .string("\(HyphaHarness.personalWorkspace)/rpc-made"))
            await #expect(throws: PythonException.self) {
                _ = try await dispatch.call(
                    target: RPCEndpoint.providerTarget, method: "services.artifact-manager.read", arguments: ([.string("missing")], []))
            }
            await #expect(throws: RPCFailure.self) {
                _ = try await dispatch.call(
                    target: RPCEndpoint.managerTarget, method: "services.default.get_service", arguments: ([.string("public/nope")], []))
            }
        }
    }

    @Test func randomCallsNeverCrash() async throws {
        let harness = try HyphaHarness()
        let face = harness.face
        try await harness.run { _ in
            var generator = SplitMix64(seed: 42)
            let targets = [RPCEndpoint.managerTarget, RPCEndpoint.providerTarget, "ws-user-x/c", "*/other", ""]
            let methods =
                ["services.built-in.get_service", "services.default.nope", "services.s3-storage.", "services..", "x"]
                + RPCServiceMaps.managerFunctions.map { "services.default.\($0.0)" }
                + ["s3-storage", "artifact-manager"].flatMap { service in
                    (face.services.service(named: service)?.functions ?? []).map { "services.\(service).\($0.name)" }
                }
            for token in [HyphaHarness.userToken, nil] {
                let dispatch = RPCDispatch(face: face, peer: try Self.peer(face, token: token))
                for _ in 0..<600 {
                    let target = targets[Int(generator.next() % UInt64(targets.count))]
                    let method = methods[Int(generator.next() % UInt64(methods.count))]
                    let positional = (0..<Int(generator.next() % 4)).map { _ in Self.randomValue(&generator, depth: 0) }
                    let keyword = (0..<Int(generator.next() % 3)).map { _ in
                        (
                            ["alias", "file_path", "artifact_id", "config", "manifest", "x"][Int(generator.next() % 6)],
                            Self.randomValue(&generator, depth: 0)
                        )
                    }
                    _ = try? await dispatch.call(target: target, method: method, arguments: (positional, keyword))
                }
            }
        }
    }

    static func randomValue(_ generator: inout SplitMix64, depth: Int) -> MessagePackValue {
        switch generator.next() % (depth > 2 ? 6 : 8) {
        case 0: return .nil_
        case 1: return .bool(generator.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: generator.next()) % 2000)
        case 3: return .double(Double(generator.next() % 1000) / 7)
        case 4: return .string(["", "a", "x/y", "../..", "ws-user-user-1/a", String(repeating: "z", count: 70), "é"][Int(generator.next() % 7)])
        case 5: return .binary((0..<Int(generator.next() % 8)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        case 6: return .array((0..<Int(generator.next() % 3)).map { _ in randomValue(&generator, depth: depth + 1) })
        default:
            return .map(
                (0..<Int(generator.next() % 3)).map { _ in
                    (.string(["name", "k", "_rtype"][Int(generator.next() % 3)]), randomValue(&generator, depth: depth + 1))
                })
        }
    }
}
