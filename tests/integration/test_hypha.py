"""The Hypha-style API on the HTTP listener, driven the way the Hypha documentation's Python
examples drive Hypha: service functions over HTTP, presigned URLs used with httpx/requests, the
workspace /files endpoints with a token, multipart uploads, TTL, generated credentials."""

import asyncio
import hashlib
import json
import os

import httpx
import pytest
import requests
from botocore.exceptions import ClientError

from browser import PageServer, run_in_chromium
from conftest import admin_caller, error_code, make_client

MiB = 1024 * 1024


def mint(daemon, user, *extra):
    return daemon.cli("token", "create", "--user", user, *extra).stdout.strip()


class Hypha:
    """The calls a hypha-rpc client makes, as plain HTTP against spore's HTTP listener."""

    def __init__(self, daemon, token=None):
        self.base = daemon.http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, function, workspace="public", service="s3-storage", method="POST", expect=200, **kwargs):
        url = f"{self.base}/{workspace}/services/{service}/{function}"
        if method == "GET":
            response = requests.get(url, params=kwargs, headers=self.headers)
        else:
            response = requests.post(url, json=kwargs, headers=self.headers)
        assert response.status_code == expect, response.text
        return response.json()


@pytest.fixture
def user1(spore):
    return mint(spore, "user-1")


@pytest.fixture
def hypha(spore, user1):
    return Hypha(spore, user1)


WS = "ws-user-user-1"


# ---- the recommended service functions -------------------------------------------------------------

def test_put_get_list_remove_as_in_the_documentation(spore, hypha):
    # Upload a file using put_file (recommended)
    upload_url = hypha.call("put_file", file_path="data/myfile.txt")
    assert upload_url.startswith(spore.endpoint + "/hypha-workspaces/ws-user-user-1/data/myfile.txt?")
    response = httpx.put(upload_url, content=b"local file contents")
    assert response.status_code == 200
    # Download a file using get_file (recommended)
    download_url = hypha.call("get_file", file_path="data/myfile.txt", method="GET")
    response = httpx.get(download_url)
    assert response.status_code == 200 and response.content == b"local file contents"
    # The same bytes through S3.
    root = spore.client()
    assert root.get_object(Bucket="hypha-workspaces", Key=f"{WS}/data/myfile.txt")["Body"].read() == b"local file contents"
    # List files
    httpx.put(hypha.call("put_file", file_path="data/sub/deep.bin"), content=b"12345")
    files = hypha.call("list_files", path="data/")
    assert [(f["type"], f["name"]) for f in files] == [("file", "myfile.txt"), ("directory", "sub")]
    assert files[0]["size"] == 19 and isinstance(files[0]["last_modified"], float)
    assert hypha.call("list_files", path="data", max_length=1, offset=1, method="GET") == [{"type": "directory", "name": "sub"}]
    # Remove a file or directory using remove_file (recommended)
    result = hypha.call("remove_file", path="data/myfile.txt")
    assert result["success"] is True and result["message"]
    result = hypha.call("remove_file", path="data/")
    assert result["success"] is True
    assert hypha.call("list_files", path="data/") == []
    missing = hypha.call("remove_file", path="data/nothing.txt")
    assert missing["success"] is False and "does not exist" in missing["message"]


def test_batch_put_and_get(spore, hypha):
    urls = hypha.call("put_file", file_path=["batch/a.txt", "batch/b.txt"])
    assert sorted(urls) == ["batch/a.txt", "batch/b.txt"]
    for path, url in urls.items():
        assert requests.put(url, data=path.encode()).status_code == 200
    downloads = hypha.call("get_file", file_path=["batch/a.txt", "batch/b.txt"])
    assert {path: requests.get(url).content for path, url in downloads.items()} == {"batch/a.txt": b"batch/a.txt", "batch/b.txt": b"batch/b.txt"}
    # Positional arguments, as a JSON list.
    response = requests.post(f"{spore.http}/public/services/s3-storage/get_file", json=["batch/a.txt"], headers=hypha.headers)
    assert requests.get(response.json()).content == b"batch/a.txt"


def test_deprecated_functions_still_work(spore, hypha):
    put_url = hypha.call("generate_presigned_url", path="old/hello.txt", client_method="put_object")
    assert requests.put(put_url, data=b"hello").status_code == 200
    get_url = hypha.call("generate_presigned_url", path="old/hello.txt")
    assert requests.get(get_url).content == b"hello"
    assert hypha.call("delete_file", path="old/hello.txt")["success"] is True
    assert hypha.call("delete_file", path="old/hello.txt")["success"] is False
    requests.put(hypha.call("put_file", file_path="old/dir/x"), data=b"x")
    assert hypha.call("delete_directory", path="old/dir")["success"] is True
    assert hypha.call("list_files", path="old/") == []


def test_proxy_urls_go_through_the_http_listener(spore, hypha):
    url = hypha.call("put_file", file_path="proxy/x.txt", use_proxy=True)
    assert url.startswith(spore.http + "/s3/hypha-workspaces/ws-user-user-1/proxy/x.txt?")
    assert requests.put(url, data=b"through /s3").status_code == 200
    get_url = hypha.call("get_file", file_path="proxy/x.txt", use_proxy="true", method="GET")
    assert requests.get(get_url).content == b"through /s3"


def test_service_call_errors(spore, hypha):
    anonymous = Hypha(spore)
    failure = anonymous.call("put_file", file_path="x", expect=403)
    assert failure["success"] is False and failure["detail"].startswith("PermissionError:")
    failure = hypha.call("no_such_function", expect=404)
    assert failure == {"success": False, "detail": "no_such_function not found."}
    failure = hypha.call("put_file_start_multipart", file_path="x", part_count=0, expect=400)
    assert failure["detail"] == "ValueError: part_count must be between 1 and 10000"
    failure = hypha.call("put_file", file_path="../ws-user-user-2/x", expect=400)
    assert failure["detail"].startswith("ValueError: Invalid path")
    # Bucket-absolute paths are for admins only.
    assert hypha.call("get_file", file_path="/other-bucket-key", expect=403)["detail"].startswith("PermissionError")
    response = requests.post(f"{spore.http}/public/services/s3-storage/list_files", data=b"{}",
                             headers={**hypha.headers, "Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 400
    # Another user's workspace.
    failure = hypha.call("list_files", workspace="ws-user-user-2", expect=403)
    assert failure["detail"] == "PermissionError: Permission denied: ws-user-user-2"
    response = requests.get(f"{spore.http}/ws-user-user-1/services/s3-storage/list_files", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401 and response.json() == {"detail": "Error decoding token headers."}
    assert requests.get(f"{spore.http}/public/services", allow_redirects=False).status_code == 307
    services = requests.get(f"{spore.http}/public/services/").json()
    # The artifact manager is a service of the `public` workspace, as in Hypha.
    assert {s["id"] for s in services} == {"s3-storage", "ws", "artifact-manager"}


# ---- multipart --------------------------------------------------------------------------------------

def test_multipart_with_parallel_parts_as_in_the_documentation(spore, hypha, tmp_path):
    file_path = tmp_path / "large.bin"
    file_path.write_bytes(os.urandom(11 * MiB))
    file_size = file_path.stat().st_size
    chunk_size = 5 * MiB
    part_count = -(-file_size // chunk_size)
    multipart_info = hypha.call("put_file_start_multipart", file_path="uploads/large.bin", part_count=part_count, expires_in=3600)
    upload_id, part_urls = multipart_info["upload_id"], multipart_info["parts"]
    assert [p["part_number"] for p in part_urls] == [1, 2, 3]

    async def upload_all():
        semaphore = asyncio.Semaphore(10)

        async def upload_part(part_info):
            async with semaphore:
                start = (part_info["part_number"] - 1) * chunk_size
                with open(file_path, "rb") as f:
                    f.seek(start)
                    chunk = f.read(min(chunk_size, file_size - start))
                async with httpx.AsyncClient(timeout=120) as client:
                    response = await client.put(part_info["url"], content=chunk)
                    assert response.status_code == 200
                    return {"part_number": part_info["part_number"], "etag": response.headers["ETag"].strip('"').strip("'")}

        return await asyncio.gather(*[upload_part(p) for p in part_urls])

    uploaded_parts = asyncio.run(upload_all())
    result = hypha.call("put_file_complete_multipart", upload_id=upload_id, parts=uploaded_parts)
    assert result["success"] is True and result["message"] == "File uploaded successfully"
    assert result["etag"].startswith('"') and result["etag"].endswith('-3"')
    assert result["location"].endswith("/hypha-workspaces/ws-user-user-1/uploads/large.bin")
    downloaded = requests.get(hypha.call("get_file", file_path="uploads/large.bin")).content
    assert hashlib.sha256(downloaded).digest() == hashlib.sha256(file_path.read_bytes()).digest()


def test_multipart_http_endpoints(spore, user1):
    headers = {"Authorization": f"Bearer {user1}"}
    for endpoint in ("create-multipart-upload", "files/create-multipart-upload"):
        response = httpx.post(f"{spore.http}/{WS}/{endpoint}", params={"path": "http/big.bin", "part_count": 2, "expires_in": 3600}, headers=headers)
        assert response.status_code == 200, response.text
        upload = response.json()
        assert set(upload) == {"upload_id", "parts"} and len(upload["parts"]) == 2
    parts = []
    for part, body in zip(upload["parts"], (b"a" * (5 * MiB), b"tail")):
        put = httpx.put(part["url"], content=body)
        parts.append({"part_number": part["part_number"], "etag": put.headers["ETag"].strip('"')})
    complete = httpx.post(f"{spore.http}/{WS}/files/complete-multipart-upload", json={"upload_id": upload["upload_id"], "parts": parts},
                          headers={**headers, "Content-Type": "application/json"})
    assert complete.status_code == 200, complete.text
    body = complete.json()
    assert body["success"] is True and body["etag"].endswith('-2"')
    got = httpx.get(f"{spore.http}/{WS}/files/http/big.bin", headers=headers)
    assert got.content == b"a" * (5 * MiB) + b"tail"

    bad = httpx.post(f"{spore.http}/{WS}/create-multipart-upload", params={"path": "x", "part_count": 0}, headers=headers)
    assert bad.status_code == 400 and bad.json() == {"success": False, "detail": "part_count must be between 1 and 10000"}
    unknown = httpx.post(f"{spore.http}/{WS}/complete-multipart-upload", json={"upload_id": "0" * 32, "parts": []}, headers=headers)
    assert unknown.status_code == 400 and unknown.json()["detail"] == f"Upload ID {'0' * 32} not found or expired"
    # An upload started in one workspace cannot be completed from another.
    other = mint(spore, "user-2")
    started = httpx.post(f"{spore.http}/{WS}/create-multipart-upload", params={"path": "mine", "part_count": 1}, headers=headers).json()
    stolen = httpx.post(f"{spore.http}/ws-user-user-2/complete-multipart-upload", json={"upload_id": started["upload_id"], "parts": []},
                        headers={"Authorization": f"Bearer {other}"})
    assert stolen.status_code == 400 and "not found or expired" in stolen.json()["detail"]
    failed = httpx.post(f"{spore.http}/{WS}/complete-multipart-upload", json={"upload_id": started["upload_id"], "parts": [{"part_number": 1, "etag": "x"}]},
                        headers=headers)
    assert failed.status_code == 400 and failed.json()["detail"].startswith("Failed to complete multipart upload:")


# ---- /files -----------------------------------------------------------------------------------------

def test_files_endpoint_with_a_token(spore, user1):
    headers = {"Authorization": f"Bearer {user1}"}
    url = f"{spore.http}/{WS}/files/docs/report.csv"
    # The documentation's requests example.
    response = requests.put(url, headers=headers, data=b"a,b\n1,2\n")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "File uploaded successfully"}
    assert response.headers["ETag"] == '"' + hashlib.md5(b"a,b\n1,2\n").hexdigest() + '"'
    got = requests.get(url, headers=headers)
    assert got.content == b"a,b\n1,2\n" and got.headers["Content-Type"] == "text/csv"
    ranged = requests.get(url, headers={**headers, "Range": "bytes=4-6"})
    assert ranged.status_code == 206 and ranged.content == b"1,2" and ranged.headers["Content-Range"] == "bytes 4-6/8"
    # The token may also come as a cookie or ?token=.
    assert requests.get(url, cookies={"access_token": user1}).content == b"a,b\n1,2\n"
    assert requests.get(url, params={"token": user1}).content == b"a,b\n1,2\n"
    # Directory listings: the root and (unlike Hypha) sub-directories.
    root = requests.get(f"{spore.http}/{WS}/files/", headers=headers).json()
    assert root["success"] is True and root["type"] == "directory" and root["name"] == ""
    assert {"type": "directory", "name": "docs"} in root["children"]
    sub = requests.get(f"{spore.http}/{WS}/files/docs/", headers=headers).json()
    assert sub["name"] == "docs" and [c["name"] for c in sub["children"]] == ["report.csv"]
    empty = requests.get(f"{spore.http}/{WS}/files/nothing-here/", headers=headers)
    assert empty.status_code == 404 and empty.json() == {"success": False, "detail": f"Directory does not exists: {WS}/nothing-here/"}
    missing = requests.get(f"{spore.http}/{WS}/files/docs/missing.txt", headers=headers)
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/plain")
    assert missing.text.startswith("File not found, details: ") and "NoSuchKey" in missing.text
    # Deleting a file, then a directory and everything under it.
    requests.put(f"{spore.http}/{WS}/files/docs/more/x.txt", headers=headers, data=b"x")
    assert requests.delete(url, headers=headers).json()["success"] is True
    assert requests.get(url, headers=headers).status_code == 404
    assert requests.delete(url, headers=headers).status_code == 404
    gone = requests.delete(f"{spore.http}/{WS}/files/docs/", headers=headers)
    assert gone.status_code == 200 and gone.json()["success"] is True
    assert requests.get(f"{spore.http}/{WS}/files/docs/more/x.txt", headers=headers).status_code == 404


def test_files_errors_and_permissions(spore, user1):
    headers = {"Authorization": f"Bearer {user1}"}
    response = requests.put(f"{spore.http}/no-such-ws/files/x", headers=headers, data=b"x")
    assert response.status_code == 404 and response.json() == {"success": False, "detail": "Workspace does not exists: no-such-ws"}
    response = requests.put(f"{spore.http}/ws-user-user-2/files/x", headers=headers, data=b"x")
    assert response.status_code == 403 and response.json() == {"success": False, "detail": "Permission denied: ws-user-user-2"}
    response = requests.get(f"{spore.http}/{WS}/files/x")
    assert response.status_code == 403
    response = requests.get(f"{spore.http}/{WS}/files/x", headers={"Authorization": "Bearer a.b.c"})
    assert response.status_code == 401 and set(response.json()) == {"detail"}
    response = requests.put(f"{spore.http}/{WS}/files/a/../../ws-user-user-2/x", headers=headers, data=b"x")
    assert response.status_code in (400, 404)

    # A shared workspace: owners administer it, tokens grant read or read_write, read-only refuses writes.
    spore.cli("workspace", "create", "lab", "--owners", "user-1")
    spore.cli("workspace", "create", "archive", "--owners", "user-1", "--read-only")
    assert {w["name"] for w in json.loads(spore.cli("workspace", "list", "--json").stdout)["workspaces"]} >= {"lab", "archive"}
    assert requests.put(f"{spore.http}/lab/files/notes.txt", headers=headers, data=b"lab notes").status_code == 200
    response = requests.put(f"{spore.http}/archive/files/x", headers=headers, data=b"x")
    assert response.status_code == 403 and response.json()["detail"] == "Permission denied: workspace (archive) is read-only"
    reader = mint(spore, "user-3", "--workspace", "lab", "--permission", "read")
    assert requests.get(f"{spore.http}/lab/files/notes.txt", headers={"Authorization": f"Bearer {reader}"}).content == b"lab notes"
    response = requests.put(f"{spore.http}/lab/files/notes.txt", headers={"Authorization": f"Bearer {reader}"}, data=b"overwrite")
    assert response.status_code == 403


def test_generate_token_mints_a_narrower_token(spore, hypha):
    token = hypha.call("generate_token", service="ws", config={"permission": "read", "expires_in": 600})
    reader = {"Authorization": f"Bearer {token}"}
    requests.put(f"{spore.http}/{WS}/files/t.txt", headers=hypha.headers, data=b"t")
    assert requests.get(f"{spore.http}/{WS}/files/t.txt", headers=reader).content == b"t"
    assert requests.put(f"{spore.http}/{WS}/files/t.txt", headers=reader, data=b"u").status_code == 403
    # A read token cannot mint tokens for the workspace.
    failure = Hypha(spore, token).call("generate_token", service="ws", expect=403)
    assert failure["detail"].startswith("PermissionError")
    assert Hypha(spore).call("generate_token", service="ws", expect=403)["success"] is False


# ---- credentials, TTL, browsers ---------------------------------------------------------------------

def test_generated_credential_is_limited_to_the_workspace(spore, hypha):
    info = hypha.call("generate_credential")
    assert set(info) == {"endpoint_url", "access_key_id", "secret_access_key", "region_name", "bucket", "prefix"}
    assert info["bucket"] == "hypha-workspaces" and info["prefix"] == f"{WS}/"
    client = make_client(info["endpoint_url"], info["access_key_id"], info["secret_access_key"])
    client.put_object(Bucket=info["bucket"], Key=info["prefix"] + "hello.txt", Body=b"hello")
    assert client.get_object(Bucket=info["bucket"], Key=info["prefix"] + "hello.txt")["Body"].read() == b"hello"
    listed = client.list_objects_v2(Bucket=info["bucket"], Prefix=info["prefix"], Delimiter="/")
    assert info["prefix"] + "hello.txt" in [o["Key"] for o in listed["Contents"]]
    with pytest.raises(ClientError) as excinfo:
        client.list_objects_v2(Bucket=info["bucket"])
    assert error_code(excinfo) == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        client.put_object(Bucket=info["bucket"], Key="ws-user-user-2/x", Body=b"x")
    assert error_code(excinfo) == "AccessDenied"
    client.delete_object(Bucket=info["bucket"], Key=info["prefix"] + "hello.txt")
    with pytest.raises(ClientError) as excinfo:
        client.head_object(Bucket=info["bucket"], Key=info["prefix"] + "hello.txt")
    assert excinfo.value.response["Error"]["Code"] == "404"
    # A new credential replaces the old one.
    hypha.call("generate_credential")
    with pytest.raises(ClientError) as excinfo:
        client.list_objects_v2(Bucket=info["bucket"], Prefix=info["prefix"])
    assert error_code(excinfo) == "InvalidAccessKeyId"


def test_ttl_applies_when_the_upload_completes(fresh_spore):
    daemon = fresh_spore(extra_env={"SPORE_DEBUG_HOOKS": "1"})
    admin = admin_caller(daemon)
    hypha = Hypha(daemon, mint(daemon, "user-1", "--expires", "7d"))
    # A URL made with a TTL but never used schedules nothing; the TTL starts at the upload.
    url = hypha.call("put_file", file_path="temp/data.txt", ttl=3600)
    admin("POST", "debug/advance-clock", {"seconds": "600"})
    assert requests.put(url, data=b"temporary").status_code == 200
    admin("POST", "debug/advance-clock", {"seconds": "3000"})
    files = f"{daemon.http}/{WS}/files/temp/data.txt"
    assert requests.get(files, headers=hypha.headers).content == b"temporary"  # 3000 s after the upload
    admin("POST", "debug/advance-clock", {"seconds": "601"})
    assert requests.get(files, headers=hypha.headers).status_code == 404  # expired: gone for every reader
    assert hypha.call("list_files", path="temp/") == []

    # Multipart: the TTL counts from completion.
    info = hypha.call("put_file_start_multipart", file_path="temp/big.bin", part_count=1, ttl=7200, expires_in=10800)
    admin("POST", "debug/advance-clock", {"seconds": "3600"})
    etag = requests.put(info["parts"][0]["url"], data=b"parts").headers["ETag"]
    hypha.call("put_file_complete_multipart", upload_id=info["upload_id"], parts=[{"part_number": 1, "etag": etag.strip('"')}])
    admin("POST", "debug/advance-clock", {"seconds": "7000"})
    assert requests.get(f"{daemon.http}/{WS}/files/temp/big.bin", headers=hypha.headers).content == b"parts"
    admin("POST", "debug/advance-clock", {"seconds": "201"})
    assert requests.get(f"{daemon.http}/{WS}/files/temp/big.bin", headers=hypha.headers).status_code == 404


WORKSPACE_PAGE = """<!doctype html><html><body><script>
(async () => {
  const result = {};
  try {
    const put = await fetch(%(put_url)s, {method: "PUT", body: "uploaded by a page"});
    result.putStatus = put.status;
    result.etag = put.headers.get("ETag");
    const get = await fetch(%(get_url)s);
    result.body = await get.text();
  } catch (error) {
    result.error = String(error);
  }
  window.result = result;
})();
</script></body></html>"""


def test_browser_uploads_to_and_downloads_from_a_workspace(fresh_spore):
    daemon = fresh_spore(args=["--cors-origins", "*"])
    hypha = Hypha(daemon, mint(daemon, "user-1"))
    put_url = hypha.call("put_file", file_path="web/page.txt")
    get_url = hypha.call("get_file", file_path="web/page.txt")
    page = WORKSPACE_PAGE % {"put_url": json.dumps(put_url), "get_url": json.dumps(get_url)}
    with PageServer(page) as server:
        result = run_in_chromium(server.origin + "/")
    assert result.get("error") is None, result
    assert result["putStatus"] == 200 and result["etag"] == '"' + hashlib.md5(b"uploaded by a page").hexdigest() + '"'
    assert result["body"] == "uploaded by a page"


def test_pages_may_call_the_api_cross_origin(spore, user1):
    preflight = requests.options(f"{spore.http}/{WS}/files/x.txt", headers={
        "Origin": "http://page.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization",
    })
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://page.example"
    assert preflight.headers["Access-Control-Allow-Headers"] == "authorization"
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    put = requests.put(f"{spore.http}/{WS}/files/x.txt", data=b"x", headers={"Origin": "http://page.example", "Authorization": f"Bearer {user1}"})
    assert put.status_code == 200 and put.headers["Access-Control-Allow-Origin"] == "http://page.example"
    assert "ETag" in put.headers["Access-Control-Expose-Headers"]
