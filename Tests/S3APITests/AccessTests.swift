import Access
import Foundation
import Index
import Testing

@testable import HTTPSupport
@testable import Objects
@testable import S3API

/// Policy evaluation, access decisions, CORS matching and POST policies: pure values, no I/O.
@Suite struct BucketPolicyTests {
    static func policy(_ statements: String, bucket: String = "b") throws -> BucketPolicy {
        try BucketPolicy(json: Array(#"{"Version":"2012-10-17","Statement":[\#(statements)]}"#.utf8), bucket: bucket)
    }

    static func request(_ action: String, _ resource: String, user: String? = nil, context: [String: String] = [:]) -> BucketPolicy.Request {
        BucketPolicy.Request(
            action: action, resource: resource, user: user, canonicalID: user.map { Principal.canonicalID(forUser: $0) }, context: context
        )
    }

    @Test func anonymousPublicReadOfAPrefix() throws {
        let policy = try Self.policy(#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/public/*"}"#)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/public/x")) == .allow)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/private/x")) == nil)
        #expect(policy.evaluate(Self.request("s3:PutObject", "arn:aws:s3:::b/public/x")) == nil)
        #expect(policy.isPublic)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/public/x"), ignorePublic: true) == nil)
    }

    @Test func denyOverridesAllow() throws {
        let policy = try Self.policy(
            #"{"Effect":"Allow","Principal":{"AWS":["bob"]},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"},"#
                + #"{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}"#
        )
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/k", user: "bob")) == .allow)
        #expect(policy.evaluate(Self.request("s3:DeleteObject", "arn:aws:s3:::b/k", user: "bob")) == .deny)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/k", user: "alice")) == nil)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/k")) == nil)
        #expect(!policy.isPublic)
    }

    @Test func principalsByNameArnAndCanonicalID() throws {
        let id = Principal.canonicalID(forUser: "carol")
        let policy = try Self.policy(
            #"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123:user/bob"],"CanonicalUser":"\#(id)"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#
        )
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/k", user: "bob")) == .allow)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/k", user: "carol")) == .allow)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/k", user: "dave")) == nil)
    }

    @Test func conditionsOnPrefixSourceIPAndIfExists() throws {
        let policy = try Self.policy(
            #"{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","#
                + #""Condition":{"StringLike":{"s3:prefix":"docs/*"},"IpAddress":{"aws:SourceIp":["192.168.0.0/16","::1/128"]}}},"#
                + #"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","#
                + #""Condition":{"StringLikeIfExists":{"aws:Referer":"http://intranet/*"}}}"#
        )
        let list = "arn:aws:s3:::b"
        #expect(policy.evaluate(Self.request("s3:ListBucket", list, context: ["s3:prefix": "docs/a", "aws:sourceip": "192.168.3.4"])) == .allow)
        #expect(policy.evaluate(Self.request("s3:ListBucket", list, context: ["s3:prefix": "docs/a", "aws:sourceip": "::1"])) == .allow)
        #expect(policy.evaluate(Self.request("s3:ListBucket", list, context: ["s3:prefix": "docs/a", "aws:sourceip": "10.0.0.1"])) == nil)
        #expect(policy.evaluate(Self.request("s3:ListBucket", list, context: ["s3:prefix": "", "aws:sourceip": "192.168.3.4"])) == nil)
        #expect(policy.evaluate(Self.request("s3:ListBucket", list, context: ["aws:sourceip": "192.168.3.4"])) == nil)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/k")) == .allow)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/k", context: ["aws:referer": "http://intranet/p"])) == .allow)
        #expect(policy.evaluate(Self.request("s3:GetObject", "arn:aws:s3:::b/k", context: ["aws:referer": "http://evil/"])) == nil)
    }

    @Test(arguments: [
        "{not json",
        #"{"Statement":[]}"#,
        #"{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        #"{"Statement":[{"Effect":"Allow","Principal":"*","Resource":"arn:aws:s3:::b/*"}]}"#,
        #"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}"#,
        #"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
        #"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#,
    ])
    func rejectsInvalidPolicies(_ document: String) {
        #expect(throws: BucketPolicy.Invalid.self) { try BucketPolicy(json: Array(document.utf8), bucket: "b") }
    }
}

@Suite struct AccessDeciderTests {
    let decider = AccessDecider()

    static func bucket(owner: String = "alice") -> BucketRecord {
        BucketRecord(id: 1, name: "b", owner: owner, createdAtMilliseconds: 0)
    }

    static func user(_ name: String, scopes: [KeyScope] = [], readOnly: Bool = false) -> Principal {
        Principal(user: name, isRoot: false, accessKey: "AK" + name, scopes: scopes, isReadOnly: readOnly)
    }

    func allows(_ principal: Principal, _ action: String, key: String? = nil, bucket: BucketRecord = bucket(), context: [String: String] = [:])
        -> Bool
    {
        decider.allows(AccessDecider.Query(principal: principal, action: action, bucket: bucket, key: key, context: context))
    }

    @Test func ownersAndRootOnly() {
        #expect(allows(Self.user("alice"), "s3:PutObject", key: "k"))
        #expect(!allows(Self.user("bob"), "s3:GetObject", key: "k"))
        #expect(!allows(.anonymous, "s3:GetObject", key: "k"))
        #expect(allows(Principal(user: "root", isRoot: true, accessKey: "R"), "s3:DeleteBucket"))
    }

    @Test func prefixScopedKeyIsLimitedAndGranted() {
        let key = Self.user("ws-user", scopes: [KeyScope(bucket: "b", prefix: "ws-1/")])
        #expect(allows(key, "s3:PutObject", key: "ws-1/a"))
        #expect(allows(key, "s3:GetObject", key: "ws-1"))
        #expect(!allows(key, "s3:PutObject", key: "ws-10/a"))
        #expect(!allows(key, "s3:GetObject", key: "other"))
        #expect(allows(key, "s3:ListBucket", context: ["s3:prefix": "ws-1/sub/"]))
        #expect(!allows(key, "s3:ListBucket", context: ["s3:prefix": ""]))
        #expect(!allows(key, "s3:PutBucketPolicy"))
        let other = BucketRecord(id: 2, name: "c", owner: "alice", createdAtMilliseconds: 0)
        #expect(!allows(key, "s3:GetObject", key: "ws-1/a", bucket: other))
    }

    @Test func readOnlyKeysCannotWrite() {
        let key = Self.user("alice", readOnly: true)
        #expect(allows(key, "s3:GetObject", key: "k"))
        #expect(allows(key, "s3:ListBucket", context: ["s3:prefix": ""]))
        #expect(!allows(key, "s3:PutObject", key: "k"))
        #expect(!allows(key, "s3:DeleteObject", key: "k"))
    }

    @Test func publicACLsAndTheirBlock() {
        var bucket = Self.bucket()
        bucket.acl = AccessControlList.canned("public-read", ownerID: Principal.canonicalID(forUser: "alice"))
        #expect(allows(.anonymous, "s3:ListBucket", bucket: bucket, context: ["s3:prefix": ""]))
        #expect(!allows(.anonymous, "s3:PutObject", key: "k", bucket: bucket))
        bucket.publicAccessBlock = 0b10  // IgnorePublicAcls
        #expect(!allows(.anonymous, "s3:ListBucket", bucket: bucket, context: ["s3:prefix": ""]))
    }

    @Test func policyDenyBindsTheOwnerButNotRoot() {
        var bucket = Self.bucket()
        bucket.policy = Array(#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}]}"#.utf8)
        #expect(!allows(Self.user("alice"), "s3:DeleteObject", key: "k", bucket: bucket))
        #expect(allows(Self.user("alice"), "s3:GetObject", key: "k", bucket: bucket))
        #expect(allows(Principal(user: "root", isRoot: true, accessKey: "R"), "s3:DeleteObject", key: "k", bucket: bucket))
    }
}

@Suite struct CORSConfigurationTests {
    static let document = """
        <CORSConfiguration>
          <CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
            <AllowedHeader>content-*</AllowedHeader><AllowedHeader>x-amz-meta-note</AllowedHeader><ExposeHeader>x-amz-version-id</ExposeHeader>
            <MaxAgeSeconds>300</MaxAgeSeconds></CORSRule>
          <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>
        </CORSConfiguration>
        """

    @Test func matchesOriginMethodAndHeaders() throws {
        let cors = try CORSConfiguration.parse(Array(Self.document.utf8))
        let rule = try #require(cors.match(origin: "https://app.example.com", method: "PUT", requestHeaders: ["content-type", "x-amz-meta-note"]))
        #expect(rule.maxAgeSeconds == 300)
        #expect(rule.exposeHeaders == ["x-amz-version-id"])
        #expect(cors.match(origin: "https://example.com", method: "PUT", requestHeaders: []) == nil)
        #expect(cors.match(origin: "https://app.example.com", method: "DELETE", requestHeaders: []) == nil)
        #expect(cors.match(origin: "https://app.example.com", method: "PUT", requestHeaders: ["authorization"]) == nil)
        #expect(cors.match(origin: "http://anything", method: "HEAD", requestHeaders: []) != nil)
    }

    @Test(arguments: [
        "<CORSConfiguration/>", "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>",
    ])
    func rejectsInvalidConfigurations(_ text: String) {
        #expect(throws: (any Error).self) { try CORSConfiguration.parse(Array(text.utf8)) }
    }
}

@Suite struct PostPolicyTests {
    static let now: Int64 = 1_800_000_000_000

    static func parse(_ json: String) throws(PostPolicy.Failure) -> PostPolicy { try PostPolicy.parse(json: Array(json.utf8)) }

    @Test func conditionsAndExtraFields() throws {
        let policy = try Self.parse(
            #"{"expiration":"2027-01-15T12:00:00.000Z","conditions":[{"bucket":"b"},["starts-with","$key","uploads/"],"#
                + #"["eq","$Content-Type","image/png"],["content-length-range",1,1024],{"acl":"private"}]}"#
        )
        #expect(policy.contentLengthRange == 1...1024)
        var fields = ["bucket": "b", "key": "uploads/x.png", "content-type": "image/png", "acl": "private", "policy": "…", "x-ignore-me": "1"]
        try policy.check(fields: fields, nowMilliseconds: Self.now)
        fields["key"] = "elsewhere/x.png"
        #expect(throws: PostPolicy.Failure.conditionFailed(#"["starts-with", "$key", "uploads/"]"#)) {
            try policy.check(fields: fields, nowMilliseconds: Self.now)
        }
        fields["key"] = "uploads/x.png"
        fields["x-amz-meta-extra"] = "1"
        #expect(throws: PostPolicy.Failure.extraField("x-amz-meta-extra")) { try policy.check(fields: fields, nowMilliseconds: Self.now) }
        fields["x-amz-meta-extra"] = nil
        #expect(throws: PostPolicy.Failure.expired) {
            try policy.check(fields: fields, nowMilliseconds: Timestamp.parseISO8601("2027-01-15T12:00:01Z")!)
        }
    }

    @Test(arguments: [
        #"{"conditions":[]}"#,
        #"{"expiration":"tomorrow","conditions":[]}"#,
        #"{"EXPIRATION":"2027-01-15T12:00:00Z","conditions":[]}"#,
        #"{"expiration":"2027-01-15T12:00:00Z"}"#,
        #"{"expiration":"2027-01-15T12:00:00Z","conditions":[{}]}"#,
        #"{"expiration":"2027-01-15T12:00:00Z","conditions":[["content-length-range",0]]}"#,
        #"{"expiration":"2027-01-15T12:00:00Z","conditions":[["content-length-range",-1,0]]}"#,
        #"{"expiration":"2027-01-15T12:00:00Z","conditions":[["matches","$key","x"]]}"#,
        "not json",
    ])
    func rejectsInvalidDocuments(_ json: String) {
        #expect(throws: PostPolicy.Failure.self) { try Self.parse(json) }
    }
}
