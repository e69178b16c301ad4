import Foundation
import Testing

@testable import HyphaAPI
@testable import Index

@Suite struct HyphaTokenTests {
    static let secret = [UInt8](repeating: 9, count: 32)

    static func token(_ workspaces: [String: WorkspacePermission], subject: String? = nil, expires: Int64 = 2_000) throws -> String {
        HyphaToken(
            userID: "user-1", subject: subject, workspaces: workspaces, currentWorkspace: "ws-user-user-1", issuedAtSeconds: 1_000,
            expiresAtSeconds: expires
        ).encoded(secret: secret)
    }

    @Test func roundTripsHyphasClaims() throws {
        let text = try Self.token(["ws-user-user-1": .readWrite, "lab": .read])
        let token = try HyphaToken.decode(text, secret: Self.secret, nowSeconds: 1_500)
        #expect(token.userID == "user-1")
        #expect(token.workspaces == ["ws-user-user-1": .readWrite, "lab": .read])
        #expect(token.currentWorkspace == "ws-user-user-1")
        #expect(token.scope == "ws:lab#r ws:ws-user-user-1#rw wid:ws-user-user-1")
    }

    @Test func refusesExpiredForeignAndAlteredTokens() throws {
        let text = try Self.token(["ws-user-user-1": .readWrite])
        #expect(throws: JWT.Failure.expired) { try HyphaToken.decode(text, secret: Self.secret, nowSeconds: 2_000) }
        #expect(throws: JWT.Failure.badSignature) { try HyphaToken.decode(text, secret: [1, 2, 3], nowSeconds: 1_500) }
        let parts = text.split(separator: ".").map(String.init)
        let forged =
            parts[0] + "." + JWT.base64URL(Array(#"{"iss":"https://amun.ai/","sub":"root","scope":"ws:*#a","exp":9999999999}"#.utf8)) + "." + parts[2]
        #expect(throws: JWT.Failure.badSignature) { try HyphaToken.decode(forged, secret: Self.secret, nowSeconds: 1_500) }
        let unsigned = JWT.base64URL(Array(#"{"alg":"none"}"#.utf8)) + "." + parts[1] + "."
        #expect(throws: JWT.Failure.self) { try HyphaToken.decode(unsigned, secret: Self.secret, nowSeconds: 1_500) }
    }

    /// Found by the fuzzer: the last character of a base64url signature carries unused bits, so
    /// several spellings decoded to the same MAC and all verified.
    @Test func onlyTheCanonicalSignatureSpellingVerifies() throws {
        let text = try Self.token(["ws-user-user-1": .readWrite])
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = text.last!
        let index = alphabet.firstIndex(of: last)!
        // A 32-byte MAC is 43 characters: the last one holds 4 bits, so flipping its low 2 bits
        // keeps the decoded bytes the same.
        let sibling = alphabet[index ^ 1]
        let variant = String(text.dropLast()) + String(sibling)
        #expect(throws: JWT.Failure.self) { try HyphaToken.decode(variant, secret: Self.secret, nowSeconds: 1_500) }
        #expect(throws: JWT.Failure.self) { try HyphaToken.decode(text + "=", secret: Self.secret, nowSeconds: 1_500) }
    }

    @Test func personalWorkspacesAndDerivedTokens() throws {
        let own = HyphaCaller(token: try HyphaToken.decode(try Self.token([:]), secret: Self.secret, nowSeconds: 1_500))
        #expect(own.permission("ws-user-user-1", record: nil) == .admin)
        #expect(own.permission("ws-user-user-2", record: nil) == nil)
        #expect(own.permission("lab", record: WorkspaceRecord(name: "lab", owners: ["user-1"])) == .admin)
        let derived = HyphaCaller(
            token: try HyphaToken.decode(try Self.token(["ws-user-user-1": .read], subject: "random"), secret: Self.secret, nowSeconds: 1_500))
        #expect(derived.permission("ws-user-user-1", record: nil) == .read)
        let admin = HyphaCaller(token: try HyphaToken.decode(try Self.token(["*": .admin]), secret: Self.secret, nowSeconds: 1_500))
        #expect(admin.isAdmin && admin.permission("anything", record: nil) == .admin)
        #expect(HyphaCaller(token: nil).permission("public", record: nil) == nil)
    }

    @Test func workspaceNamesStayOneKeySegment() {
        for name in ["ws-user-github|123", "lab", "a.b"] { #expect(WorkspaceRecord.isValidName(name)) }
        for name in ["", ".", "..", "a/b", "a\\b", "tab\there", String(repeating: "x", count: 129)] { #expect(!WorkspaceRecord.isValidName(name)) }
    }
}
