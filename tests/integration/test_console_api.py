"""The web console's JSON API (docs/console.md) against the real daemon, with httpx: sign-in and
sessions, CSRF, the seed's Objects API, permissions, limits, share links, administration and the
Hugging Face import from a fake hub."""

import base64
import json
import os
import socket
import threading
import time

import httpx
from pathlib import Path
import pytest

from conftest import ROOT_PASSWORD, ROOT_USER, USERS, Spore, admin_caller, spore_cli
from fakehub import FakeHub


def enc(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class Console:
    """A signed-in browser-like session: the cookie jar plus the CSRF header."""

    def __init__(self, daemon, access=ROOT_USER, secret=ROOT_PASSWORD):
        self.client = httpx.Client(base_url=daemon.http, timeout=60)
        reply = self.client.post("/api/auth/login", json={"accessKey": access, "secretKey": secret})
        assert reply.status_code == 200, reply.text
        self.session = reply.json()
        self.headers = {"X-CSRF-Token": self.session["csrfToken"]}

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path, **kwargs):
        return self.client.post(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def put(self, path, **kwargs):
        return self.client.put(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def delete(self, path, **kwargs):
        return self.client.delete(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def upload(self, bucket, key, data, content_type="application/octet-stream"):
        return self.post(f"/api/objects/upload/{bucket}/{enc(key)}", files={"file": (key.split("/")[-1], data, content_type)})


_counter = [0]


@pytest.fixture
def root(spore):
    return Console(spore)


@pytest.fixture
def cbucket(spore, root):
    _counter[0] += 1
    name = f"console-{os.getpid()}-{_counter[0]}"
    assert root.post("/api/buckets", json={"name": name}).status_code == 201
    return name


def error(reply):
    return reply.json()["error"]


# Sign-in, sessions, CSRF


def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_revokes_it(spore):
    client = httpx.Client(base_url=spore.http)
    wrong = client.post("/api/auth/login", json={"accessKey": ROOT_USER, "secretKey": "not-it"})
    assert wrong.status_code == 401 and error(wrong) == "Unauthorized"
    assert ROOT_PASSWORD not in wrong.text
    unknown = client.post("/api/auth/login", json={"accessKey": "NOSUCHKEY", "secretKey": "x"})
    assert unknown.status_code == 401 and unknown.json()["message"] == wrong.json()["message"]
    reply = client.post("/api/auth/login", json={"accessKey": ROOT_USER, "secretKey": ROOT_PASSWORD})
    assert reply.status_code == 200
    cookie = reply.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"):
        assert attribute in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert value not in reply.text  # the session secret is only in the cookie
    session = client.get("/api/auth/session").json()
    assert session["isRoot"] is True and session["csrfToken"] == reply.json()["csrfToken"]
    out = client.post("/api/auth/logout", headers={"X-CSRF-Token": session["csrfToken"]})
    assert out.status_code == 200 and "Max-Age=0" in out.headers["set-cookie"]
    # The old cookie is dead on the server, not just forgotten by the browser.
    replay = httpx.get(f"{spore.http}/api/buckets", headers={"Cookie": f"spore_console={value}"})
    assert replay.status_code == 401
    # Nothing secret reached the log.
    assert ROOT_PASSWORD not in spore.output() and value not in spore.output()


def test_state_changes_need_the_csrf_token_and_the_same_origin(spore, root):
    name = f"csrf-{os.getpid()}"
    assert root.client.post("/api/buckets", json={"name": name}).status_code == 403
    wrong = root.client.post("/api/buckets", json={"name": name}, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403 and error(wrong) == "CSRFTokenInvalid"
    cross = root.post("/api/buckets", json={"name": name}, headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    names = [b["Name"] for b in root.get("/api/buckets").json()["buckets"]]
    assert name not in names
    same = root.post("/api/buckets", json={"name": name}, headers={"Origin": spore.http})
    assert same.status_code == 201
    # A sign-in posted from another site is refused too (login CSRF).
    cross_login = httpx.post(
        f"{spore.http}/api/auth/login", json={"accessKey": ROOT_USER, "secretKey": ROOT_PASSWORD}, headers={"Origin": "http://evil.example"}
    )
    assert cross_login.status_code == 403


def test_bearer_tokens_for_scripts_need_no_csrf_and_can_be_revoked(spore):
    reply = httpx.post(f"{spore.http}/api/auth/token", json={"accessKey": ROOT_USER, "secretKey": ROOT_PASSWORD})
    assert reply.status_code == 200 and "set-cookie" not in reply.headers
    headers = {"Authorization": f"Bearer {reply.json()['token']}"}
    name = f"bearer-{os.getpid()}"
    assert httpx.post(f"{spore.http}/api/buckets", json={"name": name}, headers=headers).status_code == 201
    assert httpx.post(f"{spore.http}/api/auth/logout", headers=headers).status_code == 200
    assert httpx.get(f"{spore.http}/api/buckets", headers=headers).status_code == 401
    assert httpx.get(f"{spore.http}/api/buckets", headers={"Authorization": "Bearer made-up"}).status_code == 401
    assert httpx.get(f"{spore.http}/api/buckets").status_code == 401


def test_hypha_tokens_sign_in_as_their_user_or_their_workspaces(spore, root, cbucket):
    alice_token = spore.cli("token", "create", "--user", "alice").stdout.strip()
    reply = httpx.post(f"{spore.http}/api/auth/login", json={"token": alice_token})
    assert reply.status_code == 200 and reply.json()["user"] == "alice" and reply.json()["via"] == "token"
    headers = {"Authorization": f"Bearer {alice_token}"}
    # alice is an S3 user: she sees her own buckets, not root's.
    listed = httpx.get(f"{spore.http}/api/buckets", headers=headers).json()["buckets"]
    assert cbucket not in [b["Name"] for b in listed]
    assert httpx.get(f"{spore.http}/api/objects/{cbucket}", headers=headers).status_code == 403
    # A token for a user with no S3 identity reaches only its workspace's folder, read-only.
    carol = spore.cli("token", "create", "--user", "carol", "--permission", "read").stdout.strip()
    carol_headers = {"Authorization": f"Bearer {carol}"}
    assert httpx.get(f"{spore.http}/api/objects/{cbucket}", headers=carol_headers).status_code in (403, 404)
    assert httpx.post(f"{spore.http}/api/buckets", json={"name": "carols"}, headers=carol_headers).status_code == 403
    # Revoked: refused at once.
    spore.cli("token", "revoke", "--token", alice_token)
    assert httpx.get(f"{spore.http}/api/buckets", headers=headers).status_code == 401
    forged = alice_token[:-4] + ("AAAA" if not alice_token.endswith("AAAA") else "BBBB")
    assert httpx.post(f"{spore.http}/api/auth/login", json={"token": forged}).status_code == 401


# Permissions and bad input


def test_a_user_without_permission_sees_and_changes_nothing(spore, root, cbucket):
    assert root.upload(cbucket, "private/secret.txt", b"root only").status_code == 200
    alice = Console(spore, *USERS["alice"])
    names = [b["Name"] for b in alice.get("/api/buckets").json()["buckets"]]
    assert cbucket not in names
    assert alice.get(f"/api/objects/{cbucket}").status_code == 403
    assert alice.get(f"/api/objects/download/{cbucket}/{enc('private/secret.txt')}").status_code == 403
    assert alice.get(f"/api/objects/view/{cbucket}/{enc('private/secret.txt')}").status_code == 403
    # No difference between a missing key and a forbidden one for someone who may not list.
    assert alice.get(f"/api/objects/download/{cbucket}/{enc('missing.txt')}").status_code == 403
    assert alice.upload(cbucket, "x.txt", b"nope").status_code == 403
    assert alice.delete(f"/api/objects/{cbucket}/{enc('private/')}").status_code == 403
    assert alice.post("/api/shares", json={"bucket": cbucket, "key": "private/secret.txt"}).status_code == 403
    assert alice.delete(f"/api/buckets/{cbucket}").status_code == 403
    assert alice.get("/api/users").status_code == 403
    assert alice.get("/api/status").status_code == 403
    assert root.get(f"/api/objects/download/{cbucket}/{enc('private/secret.txt')}").content == b"root only"


def test_bad_input_gets_a_clear_error_and_changes_nothing(root, cbucket):
    bad = root.get(f"/api/objects/{cbucket}/not*base64!")
    assert bad.status_code == 400 and error(bad) == "InvalidArgument"
    assert error(root.get("/api/objects/no-such-bucket-here")) == "NoSuchBucket"
    assert root.get(f"/api/objects/download/{cbucket}/{enc('missing')}").status_code == 404
    assert root.get(f"/api/objects/{cbucket}?maxKeys=2001").status_code == 400
    assert root.get(f"/api/objects/{cbucket}?maxKeys=0").status_code == 400
    assert root.get(f"/api/objects/{cbucket}?mode=regex&q=a").status_code == 400
    assert root.post("/api/buckets", json={"name": "Bad_Name"}).status_code == 400
    assert root.post("/api/buckets", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 400
    not_form = root.post(f"/api/objects/upload/{cbucket}/{enc('a.txt')}", content=b"raw", headers={"Content-Type": "text/plain"})
    assert not_form.status_code == 400
    assert root.get(f"/api/objects/{cbucket}").json()["objects"] == []
    assert root.get("/api/no/such/endpoint").status_code == 404


# Listing and search


def test_listing_pages_folders_and_searches(root, spore, cbucket):
    s3 = spore.client()
    for index in range(7):
        s3.put_object(Bucket=cbucket, Key=f"models/m{index}.bin", Body=b"x")
    s3.put_object(Bucket=cbucket, Key="models/llama/config.json", Body=b"{}")
    s3.put_object(Bucket=cbucket, Key="docs/Config-Guide.md", Body=b"#")
    top = root.get(f"/api/objects/{cbucket}").json()
    assert [p["Prefix"] for p in top["prefixes"]] == ["docs/", "models/"] and top["objects"] == []
    first = root.get(f"/api/objects/{cbucket}/{enc('models/')}?maxKeys=3").json()
    assert first["isTruncated"] is True and len(first["objects"]) + len(first["prefixes"]) == 3
    seen = [o["Key"] for o in first["objects"]] + [p["Prefix"] for p in first["prefixes"]]
    token = first["nextContinuationToken"]
    while token:
        page = root.get(f"/api/objects/{cbucket}/{enc('models/')}?maxKeys=3&continuationToken={token}").json()
        seen += [o["Key"] for o in page["objects"]] + [p["Prefix"] for p in page["prefixes"]]
        token = page.get("nextContinuationToken")
    assert seen == [f"models/m{i}.bin" for i in range(7)] + ["models/llama/"] or sorted(seen) == sorted(
        [f"models/m{i}.bin" for i in range(7)] + ["models/llama/"])
    starts = root.get(f"/api/objects/{cbucket}/{enc('models/')}?q=m1&mode=startsWith").json()
    assert [o["Key"] for o in starts["objects"]] == ["models/m1.bin"]
    assert starts["filter"]["matches"]["objects"]["models/m1.bin"] == [[7, 9]]
    contains = root.get(f"/api/objects/{cbucket}?q=config&mode=contains").json()
    keys = sorted(o["Key"] for o in contains["objects"])
    assert keys == ["docs/Config-Guide.md", "models/llama/config.json"]
    assert contains["filter"]["matches"]["objects"]["models/llama/config.json"] == [[13, 19]]
    assert contains["filter"]["matches"]["objects"]["docs/Config-Guide.md"] == [[5, 11]]
    assert contains["filter"]["partialResult"] is False and contains["filter"]["scanPages"] == 1
    broadened = root.get(f"/api/objects/{cbucket}?q=guide&mode=startsWith&autoBroaden=true").json()
    assert [o["Key"] for o in broadened["objects"]] == ["docs/Config-Guide.md"] and broadened["filter"]["mode"] == "contains"


def test_contains_searches_are_limited_to_five_a_minute_per_user(spore, cbucket, root):
    bob = Console(spore, *USERS["bob"])
    bucket = f"bob-{os.getpid()}"
    assert bob.post("/api/buckets", json={"name": bucket}).status_code == 201
    for _ in range(5):
        assert bob.get(f"/api/objects/{bucket}?q=x&mode=contains").status_code == 200
    limited = bob.get(f"/api/objects/{bucket}?q=x&mode=contains")
    assert limited.status_code == 429 and error(limited) == "TooManyRequests"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # startsWith is not limited, and other users are not affected.
    assert bob.get(f"/api/objects/{bucket}?q=x&mode=startsWith").status_code == 200
    assert Console(spore, *USERS["alice"]).get(f"/api/objects/{bucket}?q=x&mode=contains").status_code in (200, 403)


# Upload, progress, download


def test_upload_progress_streams_to_completed_with_a_one_time_ticket(root, cbucket):
    key = "big/blob.bin"
    ticket = root.post("/api/auth/sse-ticket", json={"resource": enc(key), "resourceType": "upload"}).json()["ticket"]
    data = os.urandom(8 << 20)
    events = []

    def watch():
        with httpx.stream("GET", f"{root.client.base_url}/api/objects/upload-progress/{enc(key)}?ticket={ticket}", timeout=60) as stream:
            assert stream.status_code == 200 and stream.headers["content-type"] == "text/event-stream"
            for line in stream.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line[6:]))

    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(0.3)
    assert root.upload(cbucket, key, data).status_code == 200
    watcher.join(30)
    assert events and events[-1] == {"loaded": len(data), "total": len(data), "status": "completed"}
    # Used once: the same ticket opens nothing now.
    again = httpx.get(f"{root.client.base_url}/api/objects/upload-progress/{enc(key)}?ticket={ticket}")
    assert again.status_code == 401
    other = root.post("/api/auth/sse-ticket", json={"resource": enc("other"), "resourceType": "upload"}).json()["ticket"]
    assert httpx.get(f"{root.client.base_url}/api/objects/upload-progress/{enc(key)}?ticket={other}").status_code == 403
    got = root.get(f"/api/objects/download/{cbucket}/{enc(key)}")
    assert got.content == data and 'attachment; filename="blob.bin"' in got.headers["content-disposition"]
    ranged = root.get(f"/api/objects/download/{cbucket}/{enc(key)}", headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206 and ranged.content == data[10:20]


def test_an_upload_cut_off_halfway_leaves_nothing_behind(spore, root, cbucket):
    key = "cut/half.bin"
    boundary = "XyZboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"half.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    total = len(head) + (4 << 20) + len(f"\r\n--{boundary}--\r\n")
    cookie = "; ".join(f"{name}={value}" for name, value in root.client.cookies.items())
    request = (f"POST /api/objects/upload/{cbucket}/{enc(key)} HTTP/1.1\r\nHost: 127.0.0.1:{spore.http_port}\r\n"
               f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n"
               f"Cookie: {cookie}\r\nX-CSRF-Token: {root.session['csrfToken']}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", spore.http_port)) as sock:
        sock.sendall(request + head + os.urandom(2 << 20))
        time.sleep(0.5)
    time.sleep(1)
    listed = root.get(f"/api/objects/{cbucket}/{enc('cut/')}").json()
    assert listed["objects"] == []
    assert root.get(f"/api/objects/download/{cbucket}/{enc(key)}").status_code == 404


def test_too_large_and_no_space_answer_the_seeds_errors(fresh_spore):
    daemon = fresh_spore(extra_env={"SPORE_DEBUG_HOOKS": "1"})
    console = Console(daemon)
    assert console.post("/api/buckets", json={"name": "limits"}).status_code == 201
    cookie = "; ".join(f"{name}={value}" for name, value in console.client.cookies.items())
    request = (f"POST /api/objects/upload/limits/{enc('huge.bin')} HTTP/1.1\r\nHost: 127.0.0.1:{daemon.http_port}\r\n"
               f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {6 << 30}\r\n"
               f"Cookie: {cookie}\r\nX-CSRF-Token: {console.session['csrfToken']}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", daemon.http_port)) as sock:
        sock.sendall(request)
        answer = sock.recv(65536).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413")
    assert '"error":"PayloadTooLarge"' in answer and "exceeds maximum limit" in answer
    admin_caller(daemon)("POST", "debug/disk-free", query={"bytes": "1000"})
    full = console.upload("limits", "a.bin", os.urandom(5000))
    assert full.status_code == 507 and full.json() == {"error": "InsufficientStorage", "message": "Not enough disk space"}
    admin_caller(daemon)("POST", "debug/disk-free", query={})
    assert console.get("/api/objects/limits").json()["objects"] == []


# Delete, view, versions, tags


def test_a_folder_delete_removes_2500_objects_in_batches(spore, root, cbucket):
    s3 = spore.client()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket=cbucket, Key=f"old/{i:05d}.txt", Body=b"x"), range(2500)))
    s3.put_object(Bucket=cbucket, Key="keep.txt", Body=b"k")
    reply = root.delete(f"/api/objects/{cbucket}/{enc('old/')}").json()
    assert reply["message"] == "Deleted successfully" and len(reply["deleted"]) == 2500
    assert all(item["success"] for item in reply["deleted"])
    assert s3.list_objects_v2(Bucket=cbucket)["KeyCount"] == 1


def test_view_previews_text_json_images_and_refuses_binary(root, cbucket):
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    root.upload(cbucket, "a/pic.png", png, "image/png")
    root.upload(cbucket, "a/data.json", b'{"b": [1, 2], "a": "x"}', "application/json")
    root.upload(cbucket, "a/big.txt", b"y" * ((1 << 20) + 10), "text/plain")
    root.upload(cbucket, "a/blob.bin", bytes(range(256)) * 4)
    root.upload(cbucket, "a/doc.pdf", b"%PDF-1.4 plain ascii", "application/pdf")
    assert root.get(f"/api/objects/view/{cbucket}/{enc('a/doc.pdf')}").json()["preview"]["kind"] == "binary"
    image = root.get(f"/api/objects/view/{cbucket}/{enc('a/pic.png')}").json()
    assert image["preview"]["kind"] == "image" and image["preview"]["content"] == "data:image/png;base64," + base64.b64encode(png).decode()
    data = root.get(f"/api/objects/view/{cbucket}/{enc('a/data.json')}").json()
    assert data["preview"]["kind"] == "json" and data["preview"]["content"] == json.dumps({"b": [1, 2], "a": "x"}, indent=2)
    assert data["metadata"]["contentType"] == "application/json" and data["metadata"]["size"] == 23
    big = root.get(f"/api/objects/view/{cbucket}/{enc('a/big.txt')}").json()["preview"]
    assert big["kind"] == "text" and big["truncated"] is True and len(big["content"]) == 1 << 20
    assert root.get(f"/api/objects/view/{cbucket}/{enc('a/blob.bin')}").json()["preview"] == {
        "available": False, "kind": "binary", "truncated": False}


def test_inline_downloads_never_run_stored_pages_on_the_console_origin(root, cbucket):
    root.upload(cbucket, "page.html", b"<script>alert(1)</script>", "text/html")
    root.upload(cbucket, "pic.png", b"\x89PNG", "image/png")
    page = root.get(f"/api/objects/download/{cbucket}/{enc('page.html')}?inline=1")
    assert page.headers["content-disposition"].startswith("attachment")
    pic = root.get(f"/api/objects/download/{cbucket}/{enc('pic.png')}?inline=1")
    assert pic.headers["content-disposition"].startswith("inline") and pic.headers["content-security-policy"] == "sandbox"


def test_versions_restore_and_delete(root, cbucket):
    assert root.put(f"/api/buckets/{cbucket}/settings", json={"versioning": "Enabled"}).json()["versioning"] == "Enabled"
    root.upload(cbucket, "doc.txt", b"one")
    root.upload(cbucket, "doc.txt", b"two")
    versions = root.get(f"/api/versions/{cbucket}/{enc('doc.txt')}").json()["versions"]
    assert len(versions) == 2 and versions[0]["isLatest"] and not versions[1]["isLatest"]
    old = versions[1]["versionId"]
    assert root.post(f"/api/versions/{cbucket}/{enc('doc.txt')}/restore", json={"versionId": old}).status_code == 200
    assert root.get(f"/api/objects/download/{cbucket}/{enc('doc.txt')}").content == b"one"
    assert len(root.get(f"/api/versions/{cbucket}/{enc('doc.txt')}").json()["versions"]) == 3
    assert root.delete(f"/api/versions/{cbucket}/{enc('doc.txt')}?versionId={old}").status_code == 200
    assert old not in [v["versionId"] for v in root.get(f"/api/versions/{cbucket}/{enc('doc.txt')}").json()["versions"]]
    tags = root.put(f"/api/objects/tags/{cbucket}/{enc('doc.txt')}", json={"tags": {"team": "ml"}})
    assert tags.status_code == 200
    assert root.get(f"/api/objects/view/{cbucket}/{enc('doc.txt')}").json()["metadata"]["tags"] == {"team": "ml"}


def test_bucket_settings_public_read_and_expiration(spore, root, cbucket):
    root.upload(cbucket, "open.txt", b"hello")
    assert httpx.get(f"{spore.endpoint}/{cbucket}/open.txt").status_code == 403
    settings = root.put(f"/api/buckets/{cbucket}/settings", json={"access": "public-read", "expirationDays": 30}).json()
    assert settings["access"] == "public-read" and settings["expirationDays"] == 30
    assert httpx.get(f"{spore.endpoint}/{cbucket}/open.txt").content == b"hello"
    rules = spore.client().get_bucket_lifecycle_configuration(Bucket=cbucket)["Rules"]
    assert rules[0]["Expiration"]["Days"] == 30
    back = root.put(f"/api/buckets/{cbucket}/settings", json={"access": "private", "expirationDays": None}).json()
    assert back["access"] == "private" and back["expirationDays"] is None
    assert httpx.get(f"{spore.endpoint}/{cbucket}/open.txt").status_code == 403
    assert root.put(f"/api/buckets/{cbucket}/settings", json={"expirationDays": 0}).status_code == 400
    # LAN-only: anyone on a private or link-local address may read; not loopback (behind a proxy on
    # the box every client would look local), so this test's loopback client is refused.
    assert root.put(f"/api/buckets/{cbucket}/settings", json={"access": "lan-read"}).json()["access"] == "lan-read"
    assert httpx.get(f"{spore.endpoint}/{cbucket}/open.txt").status_code == 403
    policy = json.loads(spore.client().get_bucket_policy(Bucket=cbucket)["Policy"])
    ranges = policy["Statement"][0]["Condition"]["IpAddress"]["aws:SourceIp"]
    assert "192.168.0.0/16" in ranges and "127.0.0.0/8" not in ranges
    root.put(f"/api/buckets/{cbucket}/settings", json={"access": "private"})
    # CORS for a web app on the LAN, written as S3 stores it.
    cors = root.put(f"/api/buckets/{cbucket}/settings", json={"corsOrigins": ["https://app.lan:8080", "http://10.0.0.5"]}).json()
    assert cors["corsOrigins"] == ["https://app.lan:8080", "http://10.0.0.5"]
    rules = spore.client().get_bucket_cors(Bucket=cbucket)["CORSRules"]
    assert rules[0]["AllowedOrigins"] == ["https://app.lan:8080", "http://10.0.0.5"] and "PUT" in rules[0]["AllowedMethods"]
    preflight = httpx.options(f"{spore.endpoint}/{cbucket}/open.txt", headers={"Origin": "https://app.lan:8080", "Access-Control-Request-Method": "PUT"})
    assert preflight.headers.get("access-control-allow-origin") == "https://app.lan:8080"
    assert root.put(f"/api/buckets/{cbucket}/settings", json={"corsOrigins": ["javascript:alert(1)"]}).status_code == 400
    assert root.put(f"/api/buckets/{cbucket}/settings", json={"corsOrigins": []}).json()["corsOrigins"] == []
    assert root.delete(f"/api/buckets/{cbucket}").status_code == 409


# Sharing and administration


def test_share_links_are_created_listed_opened_and_revoked(spore, root, cbucket):
    root.upload(cbucket, "share/me.txt", b"shared bytes")
    link = root.post("/api/shares", json={"bucket": cbucket, "key": "share/me.txt", "expiresIn": 600, "maxDownloads": 5}).json()
    assert link["url"].startswith(spore.http + "/share/") and link["maxDownloads"] == 5
    assert httpx.get(link["url"]).content == b"shared bytes"
    assert link["token"] in [s["token"] for s in root.get("/api/shares").json()["shares"]]
    alice = Console(spore, *USERS["alice"])
    assert alice.delete(f"/api/shares/{link['token']}").status_code == 404
    assert link["token"] not in [s["token"] for s in alice.get("/api/shares").json()["shares"]]
    assert root.delete(f"/api/shares/{link['token']}").status_code == 200
    assert httpx.get(link["url"]).status_code == 410
    presigned = root.post("/api/share/presign", json={"bucket": cbucket, "key": "share/me.txt", "expiresIn": 300}).json()["url"]
    assert presigned.startswith(spore.endpoint) and httpx.get(presigned).content == b"shared bytes"


def test_users_keys_and_status_for_root(spore, root):
    name = f"dora{os.getpid()}"
    assert root.post("/api/users", json={"name": name}).status_code == 201
    users = {u["name"]: u for u in root.get("/api/users").json()["users"]}
    assert name in users and users["alice"]["builtin"] is True and users[ROOT_USER]["builtin"] is True
    key = root.post("/api/keys", json={"user": name}).json()
    assert key["secret_key"] and key["user"] == name
    dora = Console(spore, key["access_key"], key["secret_key"])
    assert dora.session["user"] == name and dora.session["isRoot"] is False
    assert root.delete(f"/api/keys/{key['access_key']}").status_code == 200
    # Deleting the key ends its sessions at once.
    assert dora.get("/api/buckets").status_code == 401
    status = root.get("/api/status").json()
    assert status["disk"]["freeBytes"] > 0 and status["requests"]["total"] > 0 and "deduplicatedBytes" in status
    assert root.delete(f"/api/users/{name}").status_code == 200


def test_the_ui_is_served_with_a_strict_content_security_policy(spore):
    root_page = httpx.get(spore.http + "/", follow_redirects=False)
    assert root_page.status_code == 302 and root_page.headers["location"] == "/console/"
    page = httpx.get(spore.http + "/console/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert "<script" in page.text and "http://" not in page.text.replace("http://www.w3.org", "")
    assert httpx.get(spore.http + "/console/app.js").headers["content-type"].startswith("text/javascript")
    assert httpx.get(spore.http + "/console/..%2Fsecrets").status_code == 404


# Hugging Face import


def wait_for_job(console, job_id, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = console.get(f"/api/imports/{job_id}").json()
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"import {job_id} did not finish: {job}")


def test_hugging_face_import_from_a_fake_hub(fresh_spore):
    files = {
        "config.json": b'{"model_type": "tiny"}',
        "README.md": b"# tiny model\n",
        "nested/tokenizer.json": b'{"vocab": {}}',
        "model.safetensors": os.urandom(12 << 20),
        "broken.bin": b"never arrives",
    }
    with FakeHub("acme/tiny", files, fail={"broken.bin"}, redirect={"model.safetensors"}, token="hf_test_token") as hub:
        daemon = fresh_spore(extra_env={"HF_ENDPOINT": hub.url, "HF_TOKEN": "hf_test_token"})
        console = Console(daemon)
        assert console.post("/api/buckets", json={"name": "models"}).status_code == 201
        started = console.post("/api/objects/huggingface-import", json={"bucketName": "models", "hfRepoId": "acme/tiny", "s3Prefix": "tiny"})
        assert started.status_code == 200, started.text
        body = started.json()
        assert body["message"] == "Import started" and body["jobId"].startswith("import-")
        assert body["estimatedFiles"] == 5 and body["estimatedSize"] == sum(len(v) for v in files.values())
        job = wait_for_job(console, body["jobId"])
        assert job["status"] == "failed" and job["doneFiles"] == 4 and job["failedFiles"] == 1
        by_path = {f["path"]: f for f in job["fileList"]}
        assert by_path["broken.bin"]["status"] == "failed" and "500" in by_path["broken.bin"]["error"]
        for path, data in files.items():
            if path == "broken.bin":
                continue
            assert by_path[path]["status"] == "completed" and by_path[path]["loaded"] == len(data)
            got = console.get(f"/api/objects/download/models/{enc('tiny/' + path)}")
            assert got.content == data, path
        assert job["loadedBytes"] == sum(len(v) for k, v in files.items() if k != "broken.bin")
        # The token went to the hub, never to the CDN it redirected to; the listing was paged.
        assert all(auth == "Bearer hf_test_token" for origin, _, auth in hub.requests if origin == "hub")
        assert all(auth is None for origin, _, auth in hub.requests if origin == "cdn")
        assert any(origin == "cdn" for origin, _, _ in hub.requests)
        assert sum(1 for _, path, _ in hub.requests if "/tree/" in path) == 3
        assert body["jobId"] in [j["jobId"] for j in console.get("/api/imports").json()["imports"]]
        # Bad requests: unknown repository, bad id, a bucket the caller may not write.
        missing = console.post("/api/objects/huggingface-import", json={"bucketName": "models", "hfRepoId": "acme/none"})
        assert missing.status_code == 502 and "no repository" in missing.json()["message"]
        assert console.post("/api/objects/huggingface-import", json={"bucketName": "models", "hfRepoId": "../etc"}).status_code == 400
        alice = Console(daemon, *USERS["alice"])
        assert alice.post("/api/objects/huggingface-import", json={"bucketName": "models", "hfRepoId": "acme/tiny"}).status_code == 403
        assert alice.get(f"/api/imports/{body['jobId']}").status_code == 404


def test_the_artifact_gallery_shows_what_the_callers_hypha_identity_may_read(spore, root):
    keeper = spore.cli("token", "create", "--user", "keeper2").stdout.strip()
    headers = {"Authorization": f"Bearer {keeper}"}
    call = lambda function, body: httpx.post(f"{spore.http}/public/services/artifact-manager/{function}", headers=headers, json=body)
    collection = call("create", {"alias": "ws-user-keeper2/gallery", "type": "collection", "manifest": {"name": "Gallery"}})
    assert collection.status_code == 200, collection.text
    child = call("create", {"alias": "ws-user-keeper2/item-one", "parent_id": "ws-user-keeper2/gallery", "manifest": {"name": "One"}, "stage": True})
    assert child.status_code == 200, child.text
    put = call("put_file", {"artifact_id": "ws-user-keeper2/item-one", "file_path": "data.txt"})
    assert httpx.put(put.json(), content=b"artifact bytes").status_code == 200
    assert call("commit", {"artifact_id": "ws-user-keeper2/item-one"}).status_code == 200
    # The token's own session sees its workspace's collection, its child, and the child's files.
    roots = httpx.get(f"{spore.http}/api/artifacts?workspace=ws-user-keeper2", headers=headers)
    assert roots.status_code == 200, roots.text
    assert [a["alias"] for a in roots.json()] == ["gallery"]
    children = httpx.get(f"{spore.http}/api/artifacts?workspace=ws-user-keeper2&parent=ws-user-keeper2/gallery", headers=headers).json()
    assert [a["alias"] for a in children] == ["item-one"]
    item = httpx.get(f"{spore.http}/api/artifacts/item?id=ws-user-keeper2/item-one", headers=headers).json()
    assert item["manifest"]["name"] == "One" and len(item["versions"]) == 1
    files = httpx.get(f"{spore.http}/api/artifacts/files?id=ws-user-keeper2/item-one", headers=headers).json()
    assert [f["name"] for f in files] == ["data.txt"]
    url = httpx.get(f"{spore.http}/api/artifacts/file-url?id=ws-user-keeper2/item-one&path=data.txt", headers=headers).json()["url"]
    assert httpx.get(url).content == b"artifact bytes"
    # Root (a key session) administers every workspace, and sees personal ones that hold files.
    assert "ws-user-keeper2" in [w["name"] for w in root.get("/api/workspaces").json()["workspaces"]]
    assert [a["alias"] for a in root.get("/api/artifacts?workspace=ws-user-keeper2").json()] == ["gallery"]
    alice = Console(spore, *USERS["alice"])
    denied = alice.get("/api/artifacts?workspace=ws-user-keeper2")
    assert denied.status_code in (403, 404) or denied.json() == []
    assert alice.get("/api/artifacts/item?id=ws-user-keeper2/item-one").status_code in (403, 404)


def test_large_files_upload_in_parts_and_cancel_cleanly(root, cbucket):
    data = os.urandom((5 << 20) + 4096)
    key = enc("large/file.bin")
    started = root.post(f"/api/objects/multipart/{cbucket}/{key}", json={"size": len(data)}).json()
    upload_id = started["uploadId"]
    assert started["partSize"] >= 5 << 20
    parts = []
    for number, chunk in ((1, data[: 5 << 20]), (2, data[5 << 20:])):
        reply = root.put(f"/api/objects/multipart/{cbucket}/{key}?uploadId={upload_id}&partNumber={number}", content=chunk)
        assert reply.status_code == 200, reply.text
        parts.append({"partNumber": number, "etag": reply.json()["etag"]})
    # A part sent again replaces the first try (a retry after a failure).
    again = root.put(f"/api/objects/multipart/{cbucket}/{key}?uploadId={upload_id}&partNumber=2", content=data[5 << 20:])
    parts[1]["etag"] = again.json()["etag"]
    done = root.post(f"/api/objects/multipart/{cbucket}/{key}/complete", json={"uploadId": upload_id, "parts": parts})
    assert done.status_code == 200, done.text
    assert root.get(f"/api/objects/download/{cbucket}/{key}").content == data
    # Cancelled: the upload and its parts are gone and nothing appears.
    other = root.post(f"/api/objects/multipart/{cbucket}/{enc('large/cancelled.bin')}", json={}).json()["uploadId"]
    root.put(f"/api/objects/multipart/{cbucket}/{enc('large/cancelled.bin')}?uploadId={other}&partNumber=1", content=b"x" * 1000)
    assert root.delete(f"/api/objects/multipart/{cbucket}/{enc('large/cancelled.bin')}?uploadId={other}").status_code == 200
    gone = root.put(f"/api/objects/multipart/{cbucket}/{enc('large/cancelled.bin')}?uploadId={other}&partNumber=2", content=b"y")
    assert gone.status_code == 404 and error(gone) == "NoSuchUpload"
    assert [o["Key"] for o in root.get(f"/api/objects/{cbucket}/{enc('large/')}").json()["objects"]] == ["large/file.bin"]
    assert root.post(f"/api/objects/multipart/{cbucket}/{key}", json={"size": 6 << 40}).status_code == 413


def test_the_hub_token_from_the_settings_endpoint_is_stored_sealed(fresh_spore):
    token = "hf_settings_token_0123456789"
    with FakeHub("acme/gated", {"weights.bin": b"gated bytes"}, token=token) as hub:
        daemon = fresh_spore(extra_env={"HF_ENDPOINT": hub.url})
        console = Console(daemon)
        assert console.post("/api/buckets", json={"name": "gated"}).status_code == 201
        assert console.get("/api/settings/huggingface").json() == {"endpoint": hub.url, "hasToken": False, "tokenSource": "none"}
        refused = console.post("/api/objects/huggingface-import", json={"bucketName": "gated", "hfRepoId": "acme/gated"})
        assert refused.status_code == 502 and "HF_TOKEN" in refused.json()["message"]
        alice = Console(daemon, *USERS["alice"])
        assert alice.put("/api/settings/huggingface", json={"token": token}).status_code == 403
        stored = console.put("/api/settings/huggingface", json={"token": token})
        assert stored.json() == {"endpoint": hub.url, "hasToken": True, "tokenSource": "settings"} and token not in stored.text
        started = console.post("/api/objects/huggingface-import", json={"bucketName": "gated", "hfRepoId": "acme/gated", "s3Prefix": "g/"})
        assert started.status_code == 200, started.text
        assert wait_for_job(console, started.json()["jobId"])["status"] == "completed"
        assert console.get(f"/api/objects/download/gated/{enc('g/weights.bin')}").content == b"gated bytes"
        # Sealed at rest: the token's text is nowhere in the data directory or the log.
        for path in daemon.data_dir.rglob("*"):
            if path.is_file():
                assert token.encode() not in path.read_bytes(), path
        assert token not in daemon.output()
        assert console.put("/api/settings/huggingface", json={"token": None}).json()["tokenSource"] == "none"


def test_the_consoles_paths_cannot_be_workspace_names(spore):
    for name in ("api", "console"):
        result = spore.cli("workspace", "create", name, check=False)
        assert result.returncode != 0 and "invalid workspace name" in result.stderr + result.stdout
    assert spore.cli("workspace", "create", f"apis-{os.getpid()}").returncode == 0


def test_the_embedded_ui_is_exactly_the_asset_files(spore):
    assets = Path(__file__).resolve().parents[2] / "Sources" / "Web" / "Console" / "Assets"
    files = sorted(p for p in assets.iterdir() if p.is_file())
    assert files
    for path in files:
        served = httpx.get(f"{spore.http}/console/{path.name}")
        assert served.status_code == 200 and served.content == path.read_bytes(), path.name


def test_large_hub_files_arrive_in_parts_and_a_dropped_part_is_fetched_again(fresh_spore):
    big = os.urandom(13 << 20)
    with FakeHub("acme/large", {"weights.safetensors": big, "small.json": b"{}"}, redirect={"weights.safetensors"},
                 drop_once={"weights.safetensors"}) as hub:
        daemon = fresh_spore(extra_env={"HF_ENDPOINT": hub.url, "SPORE_HF_PART_SIZE": str(5 << 20)})
        console = Console(daemon)
        assert console.post("/api/buckets", json={"name": "large"}).status_code == 201
        started = console.post("/api/objects/huggingface-import", json={"bucketName": "large", "hfRepoId": "acme/large"}).json()
        job = wait_for_job(console, started["jobId"])
        assert job["status"] == "completed", job
        weights = {f["path"]: f for f in job["fileList"]}["weights.safetensors"]
        assert weights["loaded"] == len(big) and weights["attempts"] == 2
        assert console.get(f"/api/objects/download/large/{enc('weights.safetensors')}").content == big
        # Three parts of 5 MiB (the last shorter); the cut-off second part was asked for twice.
        asked = [(first, last) for path, first, last in hub.ranges if path == "weights.safetensors"]
        assert asked == [(0, (5 << 20) - 1), (5 << 20, (10 << 20) - 1), (5 << 20, (10 << 20) - 1), (10 << 20, len(big) - 1)]
        # No multipart upload is left open.
        assert daemon.client().list_multipart_uploads(Bucket="large").get("Uploads", []) == []


def test_user_content_on_the_consoles_listener_is_sandboxed(spore, root, cbucket):
    root.upload(cbucket, "evil.html", b"<script>fetch('/api/auth/session')</script>", "text/html")
    link = root.post("/api/shares", json={"bucket": cbucket, "key": "evil.html"}).json()["url"]
    shared = httpx.get(link)
    assert shared.headers["content-security-policy"].startswith("sandbox") and "allow-same-origin" not in shared.headers["content-security-policy"]
    proxied = spore.client().generate_presigned_url("get_object", Params={"Bucket": cbucket, "Key": "evil.html"})
    via_s3_mount = httpx.get(proxied.replace(spore.endpoint, spore.http + "/s3"))
    assert via_s3_mount.status_code in (200, 403) and via_s3_mount.headers["content-security-policy"].startswith("sandbox")
    token = spore.cli("token", "create", "--user", "sandboxer").stdout.strip()
    put = httpx.put(f"{spore.http}/ws-user-sandboxer/files/page.html", content=b"<b>hi</b>", headers={"Authorization": f"Bearer {token}"})
    assert put.status_code == 200, put.text
    page = httpx.get(f"{spore.http}/ws-user-sandboxer/files/page.html", headers={"Authorization": f"Bearer {token}"}, follow_redirects=True)
    assert page.headers["content-security-policy"].startswith("sandbox")
    # The console's own pages are not sandboxed (they are the console).
    assert not httpx.get(f"{spore.http}/console/").headers["content-security-policy"].startswith("sandbox")


def test_a_collaborators_token_is_not_its_minters_whole_account(spore, root):
    alice = Console(spore, *USERS["alice"])
    bucket = f"alices-{os.getpid()}"
    assert alice.post("/api/buckets", json={"name": bucket}).status_code == 201
    own = spore.cli("token", "create", "--user", "alice").stdout.strip()
    minted = httpx.post(f"{spore.http}/ws-user-alice/services/ws/generate_token", headers={"Authorization": f"Bearer {own}"},
                        json={"config": {"workspace": "ws-user-alice", "permission": "read"}})
    assert minted.status_code == 200, minted.text
    collaborator = {"Authorization": f"Bearer {minted.json()}"}
    assert httpx.get(f"{spore.http}/api/objects/{bucket}", headers=collaborator).status_code == 403
    assert httpx.delete(f"{spore.http}/api/buckets/{bucket}", headers=collaborator).status_code == 403
    assert httpx.get(f"{spore.http}/api/objects/{bucket}", headers={"Authorization": f"Bearer {own}"}).status_code == 200


def test_a_share_link_ends_with_its_creators_access(spore, root):
    name = f"leaver{os.getpid()}"
    root.post("/api/users", json={"name": name})
    key = root.post("/api/keys", json={"user": name}).json()
    leaver = Console(spore, key["access_key"], key["secret_key"])
    bucket = f"leaver-{os.getpid()}"
    assert leaver.post("/api/buckets", json={"name": bucket}).status_code == 201
    leaver.upload(bucket, "doc.txt", b"while I may")
    link = leaver.post("/api/shares", json={"bucket": bucket, "key": "doc.txt"}).json()["url"]
    assert httpx.get(link).content == b"while I may"
    spore.cli("user", "disable", name)
    assert httpx.get(link).status_code == 410


def test_metadata_and_content_type_are_replaced_in_place(spore, root, cbucket):
    root.upload(cbucket, "meta.bin", b"bytes stay")
    changed = root.put(f"/api/objects/metadata/{cbucket}/{enc('meta.bin')}", json={"metadata": {"Project": "atlas"}, "contentType": "text/plain"})
    assert changed.status_code == 200, changed.text
    head = spore.client().head_object(Bucket=cbucket, Key="meta.bin")
    assert head["Metadata"] == {"project": "atlas"} and head["ContentType"] == "text/plain"
    assert root.get(f"/api/objects/download/{cbucket}/{enc('meta.bin')}").content == b"bytes stay"
    assert root.put(f"/api/objects/metadata/{cbucket}/{enc('meta.bin')}", json={"metadata": {"bad name!": "x"}}).status_code == 400
    assert root.put(f"/api/objects/metadata/{cbucket}/{enc('meta.bin')}", json={"metadata": {"big": "x" * 3000}}).status_code == 400
    alice = Console(spore, *USERS["alice"])
    assert alice.put(f"/api/objects/metadata/{cbucket}/{enc('meta.bin')}", json={"metadata": {}}).status_code == 403


def test_console_writes_follow_the_buckets_default_encryption_and_sse_c_objects_stay_closed(spore, root, cbucket):
    """Every face's writes get the bucket's default encryption, uploads in parts included; SSE-C
    objects, whose key the console cannot carry, are refused before anything about them is told."""
    import base64
    import hashlib
    s3 = spore.client()
    s3.put_bucket_encryption(Bucket=cbucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    data = os.urandom((5 << 20) + 10)
    key = enc("enc/parts.bin")
    upload_id = root.post(f"/api/objects/multipart/{cbucket}/{key}", json={"size": len(data)}).json()["uploadId"]
    parts = []
    for number, chunk in ((1, data[: 5 << 20]), (2, data[5 << 20:])):
        reply = root.put(f"/api/objects/multipart/{cbucket}/{key}?uploadId={upload_id}&partNumber={number}", content=chunk)
        parts.append({"partNumber": number, "etag": reply.json()["etag"]})
    assert root.post(f"/api/objects/multipart/{cbucket}/{key}/complete", json={"uploadId": upload_id, "parts": parts}).status_code == 200
    head = s3.head_object(Bucket=cbucket, Key="enc/parts.bin")
    assert head["ServerSideEncryption"] == "AES256"
    assert root.get(f"/api/objects/download/{cbucket}/{key}").content == data
    secret = os.urandom(32)
    s3.put_object(Bucket=cbucket, Key="enc/c.txt", Body=b"customer keyed", SSECustomerAlgorithm="AES256",
                  SSECustomerKey=base64.b64encode(secret).decode(),
                  SSECustomerKeyMD5=base64.b64encode(hashlib.md5(secret).digest()).decode())
    refused = root.get(f"/api/objects/download/{cbucket}/{enc('enc/c.txt')}")
    assert refused.status_code == 403 and b"customer keyed" not in refused.content
    assert "etag" not in {name.lower() for name in refused.headers}
