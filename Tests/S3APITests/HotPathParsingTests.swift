import Crypto
import HTTPTypes
import Testing

@testable import HTTPSupport
@testable import S3API

/// The byte-level parsers of the small-request path (issue 18) give the answers of the
/// Character-based code they replaced, which is kept here as the reference.
@Suite struct HotPathParsingTests {
    /// The earlier `claimedAccessKey` for a SigV4 header: split on spaces, the first field
    /// starting `Credential=`, up to `/` or `,`.
    static func referenceCredentialKey(_ authorization: String) -> Substring? {
        guard let field = authorization.split(separator: " ").first(where: { $0.hasPrefix("Credential=") }) else { return nil }
        return field.dropFirst("Credential=".count).prefix { $0 != "/" && $0 != "," }
    }

    /// The earlier `parseAuthorizationV4` field extraction.
    static func referenceFields(_ authorization: String) -> (credential: [String]?, signedHeaders: [String]?, signature: String?) {
        var credential: [String]?
        var signedHeaders: [String]?
        var signature: String?
        for part in authorization.dropFirst(SigV4.algorithm.count + 1).split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
            let text = String(trimmed)
            guard let equals = text.firstIndex(of: "=") else { continue }
            let value = String(text[text.index(after: equals)...])
            switch text[..<equals] {
            case "Credential": credential = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            case "SignedHeaders": signedHeaders = value.split(separator: ";").map(String.init)
            case "Signature": signature = value
            default: continue
            }
        }
        return (credential, signedHeaders, signature)
    }

    static let headers = [
        "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-date,Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256, Signature=f0",
        "AWS4-HMAC-SHA256  Credential=AKID/d/r/s/aws4_request ,\tSignedHeaders=;host;; , Signature= x ",
        "AWS4-HMAC-SHA256 SignedHeaders=host,Credential=K,Signature=1,Signature=2",
        "AWS4-HMAC-SHA256 Credential=,SignedHeaders=,Signature=",
        "AWS4-HMAC-SHA256 Credential=a//b/c/aws4_request,Credential=z/y/x/w/aws4_request",
        "AWS4-HMAC-SHA256 Credential",
        "AWS4-HMAC-SHA256 ",
        "AWS4-HMAC-SHA256 Credential=ключ/д/r/s/aws4_request,SignedHeaders=host,Signature=é",
        "AWS4-HMAC-SHA256 x=1,,=,Credential==/=,SignedHeaders==",
    ]

    @Test func authorizationFieldsMatchTheReference() {
        for header in Self.headers {
            var text = header
            let fast = text.withUTF8 { Authenticator.authorizationFieldsV4($0, skipping: SigV4.algorithm.utf8.count + 1) }
            let reference = Self.referenceFields(header)
            #expect(fast.credential == reference.credential, "\(header)")
            #expect(fast.signedHeaders == reference.signedHeaders, "\(header)")
            #expect(fast.signature == reference.signature, "\(header)")
        }
    }

    @Test func credentialKeyMatchesTheReference() {
        for header in Self.headers + ["AWS4-HMAC-SHA256 Foo=1 Credential=KEY,", "AWS4-HMAC-SHA256 Credential=K Credential=L/x"] {
            #expect(Authenticator.credentialAccessKey(in: header) == Self.referenceCredentialKey(header), "\(header)")
        }
    }

    @Test func claimedAccessKeyReadsEverySigningForm() throws {
        func request(_ path: String, authorization: String? = nil) throws -> S3Request {
            var fields = HTTPFields()
            if let authorization { fields[.authorization] = authorization }
            return try S3Request(method: .get, path: path, host: "localhost", headers: fields, domain: nil)
        }
        #expect(Authenticator.claimedAccessKey(try request("/b/k", authorization: Self.headers[0])) == "AKID")
        #expect(Authenticator.claimedAccessKey(try request("/b/k", authorization: "AWS KEY2:signature")) == "KEY2")
        #expect(Authenticator.claimedAccessKey(try request("/b/k", authorization: "AWS nocolon")) == "nocolon")
        #expect(Authenticator.claimedAccessKey(try request("/b/k", authorization: "Bearer x")) == nil)
        #expect(Authenticator.claimedAccessKey(try request("/b/k?X-Amz-Credential=QK%2F2013")) == "QK")
        #expect(Authenticator.claimedAccessKey(try request("/b/k?AWSAccessKeyId=V2K")) == "V2K")
        #expect(Authenticator.claimedAccessKey(try request("/b/k")) == nil)
        let long = String(repeating: "k", count: 500)
        #expect(Authenticator.claimedAccessKey(try request("/b/k", authorization: "AWS \(long):s"))?.count == 128)
    }

    @Test func fieldValueIsTheSubscriptsAnswer() {
        var fields = HTTPFields()
        fields.append(HTTPField(name: .ifMatch, value: "\"a\""))
        fields.append(HTTPField(name: .contentLength, value: "12"))
        fields.append(HTTPField(name: .ifMatch, value: "\"b\""))
        for name: HTTPField.Name in [.ifMatch, .contentLength, .range] { #expect(fields.value(name) == fields[name]) }
        #expect(fields.value(.ifMatch) == "\"a\", \"b\"")
    }

    @Test func aKeyedMACGivesTheSignatureOfTheKeyAndStaysUnchanged() {
        let key = SigV4.signingKey(secret: "secret", date: "20130524", region: "us-east-1", service: "s3")
        let keyed = HMAC<SHA256>(key: key)
        for text in ["", "AWS4-HMAC-SHA256\n20130524T000000Z\nscope\nabc", String(repeating: "x", count: 1000)] {
            #expect(SigV4.signature(keyedMAC: keyed, stringToSign: text) == SigV4.signature(key: key, stringToSign: text))
        }
        #expect(SigV4.signature(keyedMAC: keyed, stringToSign: "a") == SigV4.signature(keyedMAC: keyed, stringToSign: "a"))
    }

    @Test func requestIDsAreSixteenHexDigitsAndDistinct() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = SporeRequestContext.makeRequestID()
            #expect(id.utf8.count == 16 && id.utf8.allSatisfy { (48...57).contains($0) || (65...70).contains($0) })
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }
}
