"""A small fake of the Hugging Face hub for the import tests (test machines have no internet): the
tree API (`/api/models/<repo>/tree/<revision>?recursive=true`, paginated with a `Link` header as
the real hub does) and the `resolve` download route, with one file behind a redirect to another
origin (as the hub sends large files to its CDN) and files that can be made to fail."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from conftest import free_port


class FakeHub:
    def __init__(self, repo, files, revision="main", page_size=2, fail=(), redirect=(), token=None, repo_type="models", drop_once=()):
        """`files` maps paths to bytes; paths in `fail` answer 500; paths in `redirect` answer 302 to
        the CDN origin (a second server), which must not receive the token."""
        self.repo = repo
        self.files = files
        self.revision = revision
        self.page_size = page_size
        self.fail = set(fail)
        self.redirect = set(redirect)
        self.token = token
        self.repo_type = repo_type
        # Paths whose first ranged request past the start is cut off halfway (a dropped connection).
        self.drop_once = set(drop_once)
        self.ranges = []  # (path, start, end) of every ranged request
        self.requests = []  # (origin, path, authorization)
        self.port = free_port()
        self.cdn_port = free_port()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def send_file(self, path):
                data = hub.files[path]
                header = self.headers.get("Range")
                if not header:
                    return self.send(200, data, [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes")])
                first, last = header.removeprefix("bytes=").split("-")
                first, last = int(first), min(int(last), len(data) - 1)
                hub.ranges.append((path, first, last))
                chunk = data[first:last + 1]
                if first > 0 and path in hub.drop_once:
                    hub.drop_once.discard(path)
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {first}-{last}/{len(data)}")
                    self.send_header("Content-Length", str(len(chunk)))
                    self.end_headers()
                    self.wfile.write(chunk[: len(chunk) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                return self.send(206, chunk, [("Content-Range", f"bytes {first}-{last}/{len(data)}")])

            def do_GET(self):
                origin = "cdn" if self.server.server_port == hub.cdn_port else "hub"
                hub.requests.append((origin, self.path, self.headers.get("Authorization")))
                if origin == "cdn":
                    return self.send_file(unquote(urlsplit(self.path).path[len("/cdn/"):]))
                if hub.token and self.headers.get("Authorization") != f"Bearer {hub.token}":
                    return self.send(401, b'{"error":"Invalid credentials in Authorization header"}')
                url = urlsplit(self.path)
                api_prefix = f"/api/{hub.repo_type}/{hub.repo}/tree/{hub.revision}"
                if url.path == api_prefix:
                    query = dict(part.split("=", 1) for part in url.query.split("&") if "=" in part)
                    start = int(query.get("cursor", "0"))
                    paths = sorted(hub.files)
                    page = paths[start:start + hub.page_size]
                    items = [{"type": "file", "oid": "0" * 40, "size": len(hub.files[p]), "path": p} for p in page]
                    if start == 0:
                        items.insert(0, {"type": "directory", "oid": "1" * 40, "size": 0, "path": "nested"})
                    headers = [("Content-Type", "application/json")]
                    if start + hub.page_size < len(paths):
                        next_url = f"http://127.0.0.1:{hub.port}{api_prefix}?recursive=true&expand=false&cursor={start + hub.page_size}"
                        headers.append(("Link", f'<{next_url}>; rel="next"'))
                    return self.send(200, json.dumps(items).encode(), headers)
                prefix = ("" if hub.repo_type == "models" else hub.repo_type + "/") + f"{hub.repo}/resolve/{hub.revision}/"
                if url.path.startswith("/" + prefix):
                    path = unquote(url.path[len(prefix) + 1:])
                    if path not in hub.files:
                        return self.send(404, b'{"error":"Entry not found"}')
                    if path in hub.fail:
                        return self.send(500, b'{"error":"internal"}')
                    if path in hub.redirect:
                        return self.send(302, b"", [("Location", f"http://127.0.0.1:{hub.cdn_port}/cdn/{path}")])
                    return self.send_file(path)
                return self.send(404, b'{"error":"Repository not found"}')

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.cdn = ThreadingHTTPServer(("127.0.0.1", self.cdn_port), Handler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        for server in (self.server, self.cdn):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.cdn.shutdown()
