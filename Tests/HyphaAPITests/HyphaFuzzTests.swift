import Foundation
import SporeJSON
import SporeTestSupport
import Testing

@testable import HyphaAPI

/// The parsers of the Hypha face under the mutation fuzzer (see `Fuzzer`).
@Suite struct HyphaFuzzTests {
    @Test func tokens() throws {
        let secret = [UInt8](repeating: 7, count: 32)
        let valid = HyphaToken(
            userID: "u", workspaces: ["ws-user-u": .readWrite], currentWorkspace: "ws-user-u", issuedAtSeconds: 0,
            expiresAtSeconds: 4_000_000_000
        ).encoded(secret: secret)
        Fuzzer.run("jwt", seeds: [valid, "a.b.c", "eyJhbGciOiJub25lIn0.e30."], dictionary: [".", "=", "-", "_", "eyJ"]) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            if let token = try? HyphaToken.decode(text, secret: secret, nowSeconds: 1) {
                // Only the exact signed token verifies.
                precondition(text == valid, "a mutated token verified")
                _ = token.scope
            }
            _ = ServiceArguments.normalize(text)
            _ = HyphaQuery(target: "/ws/files/x?" + text)
        }
    }

    @Test func json() {
        let seeds = [#"{"a":[1,2.5,"x\u00e9",null,true,{"b":false}]}"#, "[]", "\"s\"", "-1e-5"]
        Fuzzer.run("json", seeds: seeds, dictionary: ["{", "}", "[", "]", ",", ":", "\"", "\\u", "1e", "-", "null"]) { bytes in
            guard let value = try? JSONValue(parsing: bytes) else { return }
            // What parses serializes to text that parses to the same value.
            precondition((try? JSONValue(parsing: value.jsonBytes)) == value, "JSON round trip")
        }
    }
}
