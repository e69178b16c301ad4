/// Content types guessed from file names, as Hypha's `/files` route does with Python's mimetypes.
public enum MediaTypes {
    /// What Hypha answers for names it cannot guess.
    public static let fallback = "text/plain; charset=utf-8"

    public static let byExtension: [String: String] = [
        "txt": "text/plain", "md": "text/markdown", "csv": "text/csv", "tsv": "text/tab-separated-values", "html": "text/html",
        "htm": "text/html", "css": "text/css", "js": "text/javascript", "mjs": "text/javascript", "json": "application/json",
        "xml": "application/xml", "yaml": "application/yaml", "yml": "application/yaml", "png": "image/png", "jpg": "image/jpeg",
        "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml", "webp": "image/webp", "bmp": "image/bmp", "ico": "image/vnd.microsoft.icon",
        "tif": "image/tiff", "tiff": "image/tiff", "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip",
        "tgz": "application/gzip", "tar": "application/x-tar", "bz2": "application/x-bzip2", "xz": "application/x-xz",
        "7z": "application/x-7z-compressed",
        "mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime", "avi": "video/x-msvideo", "mp3": "audio/mpeg", "wav": "audio/x-wav",
        "ogg": "audio/ogg", "flac": "audio/flac", "wasm": "application/wasm", "bin": "application/octet-stream", "py": "text/x-python",
        "ipynb": "application/x-ipynb+json", "h5": "application/x-hdf5", "npy": "application/octet-stream", "parquet": "application/octet-stream",
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
    ]

    public static func guess(_ name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return fallback }
        return byExtension[base[base.index(after: dot)...].lowercased()] ?? fallback
    }
}
