import Artifacts
import Crypto
import Foundation
import SporeJSON

@testable import HTTPSupport
@testable import HyphaAPI
@testable import HyphaRPC
@testable import JSONSchema
@testable import Templates
@testable import Zip

enum HyphaTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "jwt", maxLength: 4096, run: jwt),
        FuzzTarget(name: "hypha-query", maxLength: 4096, run: hyphaQuery),
        FuzzTarget(name: "msgpack", maxLength: 8192, run: messagePack),
        FuzzTarget(name: "rpc-frame", maxLength: 8192, run: rpcFrame),
        FuzzTarget(name: "template", maxLength: 4096, run: template),
        FuzzTarget(name: "zip", maxLength: 16384, run: zip),
        FuzzTarget(name: "json", maxLength: 8192, run: json),
        FuzzTarget(name: "json-schema", maxLength: 8192, run: jsonSchema),
        FuzzTarget(name: "artifact-query", maxLength: 4096, run: artifactQuery),
    ]

    static let secret = [UInt8](repeating: 7, count: 32)

    /// Hypha's tokens. The first byte picks how the rest is used: even, as a token to verify (the
    /// header, the signature's encoding, the HMAC); odd, as `header JSON` newline `claims JSON`, which
    /// the target signs with the server's secret so the claims parsing behind the signature check
    /// (issuer, audience, scopes, expiry) is reached.
    static func jwt(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let mode = input.byte()
        let rest = input.rest()
        let token: String
        if mode & 1 == 0 {
            token = String(decoding: rest, as: UTF8.self)
        } else {
            let (header, claims) = rest.split(atFirst: UInt8(ascii: "\n")) ?? (Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8), rest)
            let signingInput = JWT.base64URL(header) + "." + JWT.base64URL(claims)
            let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: secret))
            token = signingInput + "." + JWT.base64URL(Array(mac))
        }
        for now: Int64 in [0, 1_767_225_600] {
            do {
                let decoded = try HyphaToken.decode(token, secret: secret, nowSeconds: now)
                fuzzNote("jwt: \(decoded.userID), scope \(decoded.scope)")
                _ = decoded.encoded(secret: secret)
            } catch {
                fuzzNote("jwt: \(error)")
            }
        }
        for part in token.split(separator: ".", omittingEmptySubsequences: false).prefix(4) { _ = JWT.decodeBase64URL(part) }
    }

    /// The query of a Hypha HTTP request and the service-function arguments made from it.
    static func hyphaQuery(_ bytes: [UInt8]) {
        let query = HyphaQuery(target: "/ws/services/s/f?" + String(decoding: bytes, as: UTF8.self))
        _ = query["token"]
        _ = query.all("file")
        _ = ServiceArguments.fromQuery(query)
    }

    /// msgpack as hypha-rpc packs it: every value in the input decoded in turn; each re-encodes to
    /// bytes that decode to the same value, and converts to and from JSON.
    static func messagePack(_ bytes: [UInt8]) {
        var decoder = MessagePackDecoder(bytes)
        var count = 0
        while !decoder.isAtEnd, count < 16 {
            let value: MessagePackValue
            do {
                value = try decoder.decode()
            } catch {
                return fuzzNote("msgpack: \(error) after \(count) values")
            }
            count += 1
            fuzzNote("msgpack: \(value)")
            let encoded = MessagePackEncoder.encode(value)
            var again = MessagePackDecoder(encoded)
            let decoded = try? again.decode()
            fuzzCheck(decoded == value && again.isAtEnd, "msgpack round trip: \(value) encoded to \(encoded)")
            _ = MessagePackValue(value.json)
        }
    }

    /// One hypha-rpc binary frame (main and extra maps) and what the endpoint reads from it: type,
    /// target, method, session, promise, heartbeat, arguments, and the service ids in `to`.
    static func rpcFrame(_ bytes: [UInt8]) {
        let frame: RPCFrame
        do {
            frame = try RPCFrame(decoding: bytes)
        } catch {
            return fuzzNote("rpc frame: \(error)")
        }
        fuzzNote("rpc frame: \(frame.type ?? "-") to \(frame.to ?? "-") method \(frame.method ?? "-")")
        _ = frame.type
        _ = frame.method
        _ = frame.session
        _ = frame.expectsAnswer
        _ = frame.heartbeatSeconds
        let arguments = frame.arguments
        _ = arguments.positional.map(\.json)
        if let target = frame.to {
            _ = RPCDispatch.parts(target, callerWorkspace: "ws-user-fuzz")
            _ = RPCDispatch.resolve(target, callerWorkspace: "ws-user-fuzz")
            _ = RPCDispatch.qualified(target, callerWorkspace: "ws-user-fuzz")
        }
        // message_cache: a chunked message assembled from what the frame carries.
        let budget = RPCByteBudget(limit: 1 << 20)
        var assembly = RPCAssembly(budget: budget)
        let key = frame.session ?? "k"
        try? assembly.create(key)
        for (index, item) in arguments.positional.enumerated() {
            if case .binary(let chunk) = item { try? assembly.set(key, index: index, chunk) }
            if case .int(let index) = item, let position = Int(exactly: index) { try? assembly.set(key, index: position, [1]) }
        }
        if let assembled = try? assembly.take(key) { _ = try? RPCFrame(decoding: assembled) }
        assembly.removeAll()
        fuzzCheck(budget.inUse == 0, "the RPC assembly budget leaked \(budget.inUse) bytes")
    }

    /// A Jinja2 template: parsed, then rendered with and without autoescape over a small context
    /// and one include. The renderer's step, output and value limits bound the work.
    static func template(_ bytes: [UInt8]) {
        let template: Template
        do {
            template = try Template(source: String(decoding: bytes, as: UTF8.self), name: "page.html")
        } catch {
            return fuzzNote("template: \(error)")
        }
        _ = template.includedNames
        for autoescape in [false, true] {
            do {
                let text = try template.render(TemplateWorld.context, includes: TemplateWorld.includes, autoescape: autoescape)
                fuzzNote("template: rendered \(text.utf8.count) bytes")
            } catch {
                fuzzNote("template: \(error)")
            }
        }
    }

    /// A stored zip archive as the zip views read it: the directory (end records, ZIP64), then
    /// every member's local header and data, inflated in pieces. A member never yields more than
    /// its declared size, and no read leaves the archive.
    static func zip(_ bytes: [UInt8]) {
        runSynchronously {
            let read: (Range<UInt64>) throws -> [UInt8] = { range in
                fuzzCheck(range.upperBound <= UInt64(bytes.count), "the zip reader asked for \(range) outside \(bytes.count) bytes")
                return Array(bytes[Int(range.lowerBound)..<Int(range.upperBound)])
            }
            let directory: ZipDirectory
            do {
                directory = try await ZipDirectory.read(archiveByteCount: UInt64(bytes.count), readRange: read)
            } catch {
                return fuzzNote("zip: \(error)")
            }
            fuzzNote("zip: \(directory.entries.count) entries")
            for entry in directory.entries.prefix(32) {
                _ = directory.entry(named: entry.name)
                guard !entry.isDirectory, let range = try? await directory.dataRange(of: entry, readRange: read),
                    var inflater = try? ZipInflater(entry: entry, outputChunkBytes: 4096)
                else { continue }
                var start = range.lowerBound
                do {
                    while start < range.upperBound {
                        let end = min(start + 997, range.upperBound)
                        try await inflater.inflate(try read(start..<end)) { chunk in
                            fuzzCheck(chunk.count <= 4096, "the inflater gave a chunk of \(chunk.count) bytes")
                        }
                        start = end
                    }
                    try inflater.finish()
                    fuzzNote("zip: \(entry.name) read, \(inflater.producedByteCount) bytes")
                } catch {
                    fuzzNote("zip: \(entry.name): \(error)")
                }
                fuzzCheck(
                    inflater.producedByteCount <= entry.uncompressedByteCount,
                    "a member gave \(inflater.producedByteCount) bytes, more than its declared \(entry.uncompressedByteCount)")
            }
        }
    }

    /// The JSON parser under manifests, configs and service arguments: what parses serializes to
    /// text that parses to the same value; the Python repr is written too.
    static func json(_ bytes: [UInt8]) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            return fuzzNote("json: \(error)")
        }
        fuzzNote("json: \(value.typeName)")
        let text = value.jsonBytes
        fuzzCheck((try? JSONValue(parsing: text)) == value, "JSON round trip: \(String(decoding: text, as: UTF8.self))")
        _ = pythonRepr(value)
        _ = value.value(atPath: "a.b.0")
    }

    /// JSON Schema. With a NUL byte, the text before it is the schema and the text after it the
    /// instance; without, the input is compiled as a schema and validated against fixed instances,
    /// and validated as an instance against fixed schemas.
    static func jsonSchema(_ bytes: [UInt8]) {
        if let (schemaBytes, instanceBytes) = bytes.split(atFirst: 0) {
            guard let schemaValue = try? JSONValue(parsing: schemaBytes), let instance = try? JSONValue(parsing: instanceBytes) else {
                return fuzzNote("json-schema: the schema or the instance is not JSON")
            }
            do {
                validate(try JSONSchema(schemaValue), instance)
            } catch {
                fuzzNote("json-schema: \(error)")
            }
            return
        }
        guard let value = try? JSONValue(parsing: bytes) else { return }
        do {
            let schema = try JSONSchema(value)
            fuzzNote("json-schema: compiled")
            for instance in SchemaWorld.instances { validate(schema, instance) }
        } catch {
            fuzzNote("json-schema: \(error)")
        }
        for schema in SchemaWorld.schemas { validate(schema, value) }
    }

    private static func validate(_ schema: JSONSchema, _ instance: JSONValue) {
        let failures = schema.validate(instance)
        let first = schema.firstFailure(instance)
        let valid = schema.isValid(instance)
        fuzzNote("json-schema: \(failures.count) failures, first \(first?.description ?? "none")")
        fuzzCheck(valid == failures.isEmpty && valid == (first == nil), "isValid, validate and firstFailure disagree on \(instance)")
        for failure in failures.prefix(3) { _ = failure.description }
    }
}

extension HyphaTargets {
    /// The arguments of the artifact manager's `list`/`search` (keywords, filters, stage, order, paging)
    /// and the query they make, run over a few artifacts. The first byte picks the source (bit 0: the
    /// HTTP routes' query, where filters come as JSON text) and the call (bit 1: list); the rest is the
    /// arguments object.
    static func artifactQuery(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let mode = input.byte()
        guard let arguments = (try? JSONValue(parsing: input.rest()))?.objectValue else { return }
        let scopes: [ArtifactQuery.RecipientScope?] = [nil, ArtifactQuery.RecipientScope(field: "owner.email", email: "f@example.com")]
        for scope in scopes {
            let query: ArtifactQuery
            do {
                query = try ArtifactQuery(
                    arguments: arguments, source: mode & 1 == 0 ? .serviceCall : .httpQuery, call: mode & 2 == 0 ? .search : .list,
                    contextWorkspace: "ws1", recipientScope: scope)
            } catch {
                fuzzNote("artifact query: \(error)")
                continue
            }
            let page = query.page(ArtifactWorld.documents)
            fuzzNote("artifact query: \(page.items.count) of \(page.total)")
        }
    }
}

/// The artifacts the artifact-query target searches.
enum ArtifactWorld {
    static let documents = [
        document(1, "coll", #"{"name":"Collection","tags":["x"]}"#, parent: nil, type: "collection", config: #"{"permissions":{"*":"r"}}"#),
        document(2, "alpha", #"{"name":"Alpha","score":7,"owner":{"email":"f@example.com"},"tags":["x","y"]}"#, type: "dataset"),
        document(3, "beta", #"{"name":"WÖRLD beta","score":2.5,"nested":{"a":[1,{"b":null}]}}"#, type: "model", config: #"{"k":3}"#),
        document(4, "gamma", "null", type: nil),
    ]

    private static func document(
        _ number: Int, _ alias: String, _ manifest: String, parent: String? = "ws1/coll", type: String?, config: String = "{}"
    ) -> ArtifactSearchDocument {
        ArtifactSearchDocument(
            internalID: "0190a000-0000-7000-8000-00000000000\(number)", id: "ws1/\(alias)", alias: alias, workspace: "ws1", parentID: parent,
            type: type, createdBy: number == 2 ? "fuzz" : nil, manifest: (try? JSONValue(parsing: manifest)) ?? .null,
            config: (try? JSONValue(parsing: config)) ?? .null, createdAt: Int64(number) * 100, lastModified: Int64(number) * 150,
            downloadCount: Double(number), viewCount: 10 - Double(number), versionCount: number, isStaged: number == 4)
    }
}

/// What templates render with: the variables and partials of the differential template corpus
/// (tests/integration/templates/corpus), so its templates, the seeds, render in full.
enum TemplateWorld {
    static let context: TemplateMapping = {
        let text = #"""
            {"MANIFEST":{"name":"My Portfolio","description":"A personal <portfolio> & website","tags":["art","Design",
            "code"],"items":3,"version":1.5,"authors":[{"name":"Ada","role":"lead"},{"name":"Grace","role":"dev"},
            {"name":"alan","role":"dev"}],"nested":{"a":{"b":"deep"}},"unicode":"caf\u00e9 \u2603 \ud83d\ude00"},
            "CONFIG":{"permissions":{"*":"r","user-1":"*"},"view_config":{"templates":["index.html"],"headers":{"Cache-Control":"max-age=3600"}},
            "zeta":null,"alpha":true},"BASE_URL":"/ws-user-1/view/my-portfolio/","PUBLIC_BASE_URL":"http://127.0.0.1:9527",
            "WORKSPACE":"ws-user-1","VIEW_COUNT":12.0,"DOWNLOAD_COUNT":3.5,"USER":{"id":"user-1","email":"u@example.com",
            "is_anonymous":false,"roles":[]},"files":[{"name":"data.csv","size":1234567,"type":"file"},{"name":"readme.md",
            "size":1,"type":"file"},{"name":"images","size":0,"type":"directory"},{"name":"big.bin","size":5000000000,
            "type":"file"}],"empty":[],"numbers":[3,1,4,1,5,9,2,6],"ratio":2.675,"count":7,"text":"  The quick brown fox jumps over the lazy dog near the river bank today  ",
            "none_value":null,"flag":false,"html":"<b>bold</b> & 'quoted' \"double\""}
            """#
        var mapping = TemplateMapping()
        for (key, value) in (try? JSONValue(parsing: text))?.objectValue?.pairs ?? [] { mapping[key] = TemplateValue(value) }
        return mapping
    }()
    static let includes: [String: Template] = {
        let sources = [
            "partials/header.html": #"<h1>{{ MANIFEST.name }}</h1>{% set local = "inside" %}{{ local }}"#,
            "partials/author.html": #"<span>{{ loop is defined }} {{ author.name | title }}</span>"#,
            "partials/footer.html": #"<footer>{{ WORKSPACE }}</footer>"#,
        ]
        var templates = [String: Template]()
        for (name, source) in sources { templates[name] = try? Template(source: source, name: name) }
        return templates
    }()
}

/// The fixed schemas and instances the json-schema target pairs the input with.
enum SchemaWorld {
    static let schemas: [JSONSchema] = [
        #"{"type":"object","properties":{"name":{"type":"string","minLength":1,"pattern":"^[a-z]+$"},"n":{"type":"integer","minimum":0,"multipleOf":3},"tags":{"type":"array","items":{"type":"string","format":"email"},"uniqueItems":true,"maxItems":5}},"required":["name"],"additionalProperties":false}"#,
        ##"{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}},"unevaluatedProperties":false}},"anyOf":[{"$ref":"#/$defs/node"},{"type":"array","prefixItems":[{"const":1}],"contains":{"type":"number"},"minContains":1}]}"##,
        #"{"oneOf":[{"type":"string","format":"date-time"},{"type":"string","format":"ipv4"},{"type":"number","exclusiveMaximum":10}],"not":{"enum":[null,false]},"if":{"type":"string"},"then":{"maxLength":64},"else":{"type":"number"}}"#,
    ].compactMap { text in (try? JSONValue(parsing: text)).flatMap { try? JSONSchema($0) } }
    static let instances: [JSONValue] = [
        nil, true, 0, -1.5, "", "abc", "2026-01-01T00:00:00Z", [], [1, "a", [nil]], [:],
        ["name": "x", "n": 3, "tags": ["a@b.c"], "next": ["next": [:]]],
    ]
}
