import Access
import BlobStore
import Crypto
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Index
import Logging
import NIOCore
import Objects
import SporeJSON
import Synchronization

/// The UI: `/` and `/console` lead to `/console/`, which serves `index.html`; `/console/<file>`
/// serves the page's script and stylesheet. The files are compiled into the binary
/// (`ConsoleAssets.embedded`), so the console works offline and no other origin is ever asked.
struct AssetRoutes {
    let face: ConsoleFace

    /// What the console's pages may load: only their own files; objects' previews come from
    /// `data:` and `blob:` URLs or this origin.
    static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; frame-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func register(on router: Router<SporeRequestContext>) {
        router.get("/") { _, _ in Self.redirect() }
        // The router matches `/console` and `/console/` alike; only the second serves the page, so
        // its relative links resolve under `/console/`.
        router.get("/console") { request, _ in
            (request.head.path ?? "").hasPrefix(ConsoleFace.uiPrefix) ? try serve("index.html", request) : Self.redirect()
        }
        router.get("/console/:file") { request, context in try serve(try ConsoleRequest.parameter(context, "file"), request) }
    }

    static func redirect() -> Response {
        Response(status: .found, headers: [.location: ConsoleFace.uiPrefix, .cacheControl: "no-store"])
    }

    private func serve(_ name: String, _ request: Request) throws -> Response {
        guard ConsoleAssets.isValidName(name), let text = ConsoleAssets.text(named: name, directory: face.configuration.assetsDirectory) else {
            throw ConsoleError.notFound("No such console file: \(name.prefix(64))")
        }
        let bytes = Array(text.utf8)
        let etag = "\"" + Hex.encode(Array(SHA256.hash(data: bytes).prefix(12))) + "\""
        var headers: HTTPFields = [
            .contentType: ConsoleAssets.contentType(name), .cacheControl: "no-cache", .eTag: etag,
            .contentSecurityPolicy: Self.contentSecurityPolicy, HTTPField.Name("x-frame-options")!: "DENY",
        ]
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
        headers[.contentLength] = String(bytes.count)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The UI's files: embedded copies, or (for development) the files of a directory.
enum ConsoleAssets {
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy {
                $0.properties.isASCIIHexDigit || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || "._-".unicodeScalars.contains($0)
                    || ("0"..."9").contains($0)
            }
    }

    static func text(named name: String, directory: String?) -> String? {
        if let directory {
            // The name is one path segment of safe characters (checked above): it stays inside.
            return try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        }
        return embedded[name]
    }

    static func contentType(_ name: String) -> String {
        if name.hasSuffix(".html") { return "text/html; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".svg") { return "image/svg+xml" }
        if name.hasSuffix(".json") { return "application/json" }
        return "text/plain; charset=utf-8"
    }
}
