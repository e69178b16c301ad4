"""Zip streaming: an artifact (or some of its files, or a workspace folder) downloaded as one
archive with an exact length, byte-identical on every request and resumable with Range, checked by
four independent tools; and members of a zip stored in an artifact read by ranges."""

import hashlib
import io
import os
import subprocess
import zipfile

import json

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from conftest import USERS

WS = "ws-user-zipper"


def mint(daemon):
    return daemon.cli("token", "create", "--user", "zipper").stdout.strip()


@pytest.fixture(scope="module")
def zipper(spore):
    token = mint(spore)
    headers = {"Authorization": f"Bearer {token}"}

    def call(function, **kwargs):
        response = requests.post(f"{spore.http}/public/services/artifact-manager/{function}", json=kwargs, headers=headers)
        assert response.status_code == 200, (function, response.text)
        return response.json()

    def artifact(alias, files):
        call("create", alias=f"{WS}/{alias}", manifest={"name": alias}, stage=True)
        for path, data in files.items():
            url = call("put_file", artifact_id=f"{WS}/{alias}", file_path=path)
            assert requests.put(url, data=data).status_code == 200
        return call("commit", artifact_id=f"{WS}/{alias}")

    return spore, headers, call, artifact


FILES = {
    "readme.txt": b"hello zip\n",
    "data/numbers.csv": b"".join(b"%d,%d\n" % (i, i * i) for i in range(5000)),
    "data/empty.bin": b"",
    "données/ünïcode ✓.txt": "déjà vu".encode(),
    "big.bin": os.urandom(3 * 1024 * 1024 + 17),
}


def check_with_tools(tmp_path, body):
    path = tmp_path / "a.zip"
    path.write_bytes(body)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert {info.filename: archive.read(info) for info in archive.infolist()} == FILES
    for command in (["unzip", "-tq", str(path)], ["7z", "t", str(path)], ["bsdtar", "-tf", str(path)]):
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, (command, result.stdout, result.stderr)


def test_artifact_zip_is_exact_identical_resumable_and_valid(zipper, tmp_path):
    spore, headers, call, artifact = zipper
    artifact("dataset", FILES)
    url = f"{spore.http}/{WS}/artifacts/dataset/create-zip-file"
    whole = requests.get(url, headers=headers)
    assert whole.status_code == 200 and whole.headers["Content-Type"] == "application/zip"
    assert whole.headers["Content-Length"] == str(len(whole.content))
    assert 'filename="dataset.zip"' in whole.headers["Content-Disposition"]
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["ETag"]
    check_with_tools(tmp_path, whole.content)
    # The same bytes on every request (entry times are the files', not the clock's).
    again = requests.get(url, headers=headers)
    assert again.content == whole.content and again.headers["ETag"] == whole.headers["ETag"]
    # HEAD says the length without a body.
    head = requests.head(url, headers=headers)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(whole.content))
    # A download broken halfway resumes with Range; ranges inside headers, data and the directory.
    size = len(whole.content)
    for start, end in ((0, size // 2), (10, 80), (size - 100, size - 1), (size // 3, size - 1)):
        part = requests.get(url, headers={**headers, "Range": f"bytes={start}-{end}"})
        assert part.status_code == 206 and part.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
        assert part.content == whole.content[start:end + 1]
    first = requests.get(url, headers={**headers, "Range": f"bytes=0-{size // 2 - 1}"}).content
    rest = requests.get(url, headers={**headers, "Range": f"bytes={size // 2}-", "If-Range": whole.headers["ETag"]}).content
    assert first + rest == whole.content
    # If-Range with another ETag gives the whole archive.
    changed = requests.get(url, headers={**headers, "Range": "bytes=0-9", "If-Range": '"other"'})
    assert changed.status_code == 200 and changed.content == whole.content
    assert requests.get(url, headers={**headers, "If-None-Match": whole.headers["ETag"]}).status_code == 304


def test_artifact_zip_of_some_files_and_download_counting(zipper):
    spore, headers, call, artifact = zipper
    artifact("weighted", {"a.txt": b"a", "b.txt": b"b", "c.txt": b"c"})
    call("set_download_weight", artifact_id=f"{WS}/weighted", file_path="a.txt", download_weight=2)
    call("set_download_weight", artifact_id=f"{WS}/weighted", file_path="b.txt", download_weight=3)
    url = f"{spore.http}/{WS}/artifacts/weighted/create-zip-file"
    subset = requests.get(url, params=[("file", "a.txt"), ("file", "b.txt")], headers=headers)
    with zipfile.ZipFile(io.BytesIO(subset.content)) as archive:
        assert sorted(archive.namelist()) == ["a.txt", "b.txt"]
    counted = call("read", artifact_id=f"{WS}/weighted", silent=True)["download_count"]
    assert counted == 5.0  # the weights of the files in the archive
    # A download split into ranges counts once: when the range that reaches the end is served.
    size = len(subset.content)
    requests.get(url, params=[("file", "a.txt"), ("file", "b.txt")], headers={**headers, "Range": "bytes=0-9"})
    assert call("read", artifact_id=f"{WS}/weighted", silent=True)["download_count"] == 5.0
    requests.get(url, params=[("file", "a.txt"), ("file", "b.txt")], headers={**headers, "Range": f"bytes=10-{size - 1}"})
    assert call("read", artifact_id=f"{WS}/weighted", silent=True)["download_count"] == 10.0
    # The create-zip-file weight replaces the sum; silent counts nothing.
    call("set_download_weight", artifact_id=f"{WS}/weighted", file_path="create-zip-file", download_weight=1)
    requests.get(url, headers=headers)
    assert call("read", artifact_id=f"{WS}/weighted", silent=True)["download_count"] == 11.0
    requests.get(url, params={"silent": "true"}, headers=headers)
    assert call("read", artifact_id=f"{WS}/weighted", silent=True)["download_count"] == 11.0
    missing = requests.get(url, params={"file": "nope.txt"}, headers=headers)
    assert missing.status_code == 404


def test_artifact_zip_needs_permission(zipper):
    spore, headers, call, artifact = zipper
    artifact("private-zip", {"s.txt": b"secret"})
    assert requests.get(f"{spore.http}/{WS}/artifacts/private-zip/create-zip-file").status_code == 403


def make_stored_zip(zip64=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("top.txt"), b"top level", compress_type=zipfile.ZIP_STORED)
        archive.writestr("docs/guide.md", b"# Guide\n" * 1000, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("docs/deep/nested/file.json", b'{"k": 1}', compress_type=zipfile.ZIP_DEFLATED)
        with archive.open("large.bin", "w", force_zip64=zip64) as member:
            member.write(bytes(range(256)) * 4096)
    return buffer.getvalue()


@pytest.mark.parametrize("zip64", [False, True])
def test_members_of_a_stored_zip(zipper, zip64):
    spore, headers, call, artifact = zipper
    alias = f"archive{int(zip64)}"
    artifact(alias, {"bundle.zip": make_stored_zip(zip64), "not-a-zip.zip": b"plain text"})
    base = f"{spore.http}/{WS}/artifacts/{alias}/zip-files/bundle.zip"
    root = requests.get(base, headers=headers)
    assert root.status_code == 200
    assert root.json() == [
        {"type": "file", "name": "top.txt", "size": 9, "last_modified": root.json()[0]["last_modified"]},
        {"type": "file", "name": "large.bin", "size": 256 * 4096, "last_modified": root.json()[1]["last_modified"]},
        {"type": "directory", "name": "docs"},
    ]
    docs = requests.get(base, params={"path": "docs/"}, headers=headers).json()
    assert [item["name"] for item in docs] == ["guide.md", "deep"]
    for url, params in ((base, {"path": "docs/guide.md"}), (f"{base}/~/docs/guide.md", {})):
        member = requests.get(url, params=params, headers=headers)
        assert member.status_code == 200 and member.content == b"# Guide\n" * 1000
        assert member.headers["Content-Length"] == "8000" and 'filename="guide.md"' in member.headers["Content-Disposition"]
    nested = requests.get(f"{base}/~/docs/deep/nested/file.json", headers=headers)
    assert nested.json() == {"k": 1}
    large = requests.get(base, params={"path": "large.bin"}, headers=headers)
    assert hashlib.sha256(large.content).hexdigest() == hashlib.sha256(bytes(range(256)) * 4096).hexdigest()
    missing = requests.get(base, params={"path": "nope.txt"}, headers=headers)
    assert missing.status_code == 404 and missing.json() == {"success": False, "detail": "File not found inside ZIP: nope.txt"}
    escape = requests.get(base, params={"path": "../x"}, headers=headers)
    assert escape.status_code == 400
    nozip = requests.get(f"{spore.http}/{WS}/artifacts/{alias}/zip-files/missing.zip", headers=headers)
    assert nozip.status_code == 404 and nozip.json()["detail"].startswith("ZIP file not found: ")
    corrupt = requests.get(f"{spore.http}/{WS}/artifacts/{alias}/zip-files/not-a-zip.zip", headers=headers)
    assert corrupt.status_code == 400 and corrupt.json()["success"] is False


def test_workspace_folder_as_zip(zipper, tmp_path):
    spore, headers, call, artifact = zipper
    for path, data in FILES.items():
        assert requests.put(f"{spore.http}/{WS}/files/folder/{path}", data=data, headers=headers).status_code == 200
    response = requests.get(f"{spore.http}/{WS}/files/folder/", params={"format": "zip"}, headers=headers)
    assert response.status_code == 200 and 'filename="folder.zip"' in response.headers["Content-Disposition"]
    check_with_tools(tmp_path, response.content)
    assert requests.get(f"{spore.http}/{WS}/files/folder/", params={"format": "zip"}).status_code == 403


def signed_get(spore, url, user, headers=None):
    """A GET signed (SigV4, in headers) with one of the test users' keys, as any S3 SDK signs."""
    access, secret = USERS[user]
    request = AWSRequest(method="GET", url=url, headers=dict(headers or {}))
    S3SigV4Auth(Credentials(access, secret), "s3", "us-east-1").add_auth(request)
    return requests.get(url, headers=dict(request.headers))


def test_s3_prefix_as_zip_with_a_presigned_url_and_per_object_permissions(spore, bucket, tmp_path):
    root = spore.client()
    files = {f"shared/{path}": data for path, data in FILES.items()}
    files["shared/secret.txt"] = b"bob may not read this"
    files["private/other.txt"] = b"outside the prefix"
    for key, data in files.items():
        root.put_object(Bucket=bucket, Key=key, Body=data)
    root.put_object(Bucket=bucket, Key="shared/folder-marker/", Body=b"")
    # A name no zip may carry (an absolute path once the prefix is taken off): left out and counted.
    root.put_object(Bucket=bucket, Key="shared//absolute.txt", Body=b"x")

    # The CLI's presigned URL (root's key): everything under the prefix, names relative to it.
    url = spore.cli("share", "zip", f"{bucket}/shared/", "--expires", "10m").stdout.strip()
    whole = requests.get(url)
    assert whole.status_code == 200, whole.text
    assert whole.headers["Content-Length"] == str(len(whole.content)) and 'filename="shared.zip"' in whole.headers["Content-Disposition"]
    assert whole.headers["x-spore-zip-omitted"] == "1"
    with zipfile.ZipFile(io.BytesIO(whole.content)) as archive:
        assert sorted(archive.namelist()) == sorted([*FILES, "secret.txt"])
        assert archive.testzip() is None and archive.read("secret.txt") == files["shared/secret.txt"]
    # Resumed halfway with Range (and If-Range naming this archive) gives the same bytes.
    half = len(whole.content) // 2
    rest = requests.get(url, headers={"Range": f"bytes={half}-", "If-Range": whole.headers["ETag"]})
    assert rest.status_code == 206 and whole.content[:half] + rest.content == whole.content
    # A URL whose prefix was changed after signing is refused.
    tampered = url.replace("prefix=shared%2F", "prefix=private%2F")
    assert tampered != url
    assert requests.get(tampered).status_code == 403
    # Nothing under the prefix: NoSuchKey, as S3 XML.
    empty = requests.get(spore.cli("share", "zip", f"{bucket}/nothing/", "--expires", "10m").stdout.strip())
    assert empty.status_code == 404 and "<Code>NoSuchKey</Code>" in empty.text

    # bob may list shared/ and read shared/* except secret.txt: the zip leaves that one out and says so.
    root.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["bob"]}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/shared/*"},
        {"Effect": "Deny", "Principal": {"AWS": ["bob"]}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/shared/secret.txt"},
        {"Effect": "Allow", "Principal": {"AWS": ["bob"]}, "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringLike": {"s3:prefix": ["shared/*", "shared/"]}}},
    ]}))
    mine = signed_get(spore, f"{spore.endpoint}/{bucket}?x-spore-zip&prefix=shared%2F", "bob")
    assert mine.status_code == 200, mine.text
    assert mine.headers["x-spore-zip-omitted"] == "2"
    check_with_tools(tmp_path, mine.content)
    # Without the right to list the prefix, no archive at all; alice has no rights here.
    assert signed_get(spore, f"{spore.endpoint}/{bucket}?x-spore-zip&prefix=private%2F", "bob").status_code == 403
    assert signed_get(spore, f"{spore.endpoint}/{bucket}?x-spore-zip&prefix=shared%2F", "alice").status_code == 403
    assert requests.get(f"{spore.endpoint}/{bucket}?x-spore-zip&prefix=shared%2F").status_code == 403
    root.delete_bucket_policy(Bucket=bucket)


@pytest.mark.skipif(os.environ.get("SPORE_TEST_QUICK") == "1", reason="moves 5 GiB")
def test_five_gib_artifact_streams_as_zip64_with_bounded_memory(zipper):
    spore, headers, call, artifact = zipper
    chunk = os.urandom(1024 * 1024)
    sizes = {"a.bin": 3 * 1024**3, "b.bin": 2 * 1024**3, "small.txt": 5}

    class Body:
        """A file-like body of `size` bytes: requests sends it with its Content-Length."""

        def __init__(self, size):
            self.size, self.sent = size, 0

        def __len__(self):
            return self.size - self.sent

        def read(self, count=-1):
            count = len(chunk) if count is None or count < 0 else min(count, len(chunk))
            piece = chunk[: min(count, self.size - self.sent)]
            self.sent += len(piece)
            return piece

    call("create", alias=f"{WS}/huge", manifest={"name": "huge"}, stage=True)
    for path, size in sizes.items():
        url = call("put_file", artifact_id=f"{WS}/huge", file_path=path)
        response = requests.put(url, data=Body(size))
        assert response.status_code == 200, response.text
    call("commit", artifact_id=f"{WS}/huge")
    url = f"{spore.http}/{WS}/artifacts/huge/create-zip-file"
    with requests.get(url, headers=headers, stream=True) as response:
        assert response.status_code == 200
        total = int(response.headers["Content-Length"])
        received = 0
        tail = b""
        for piece in response.iter_content(4 * 1024 * 1024):
            received += len(piece)
            tail = (tail + piece)[-65_536:]
    assert received == total > 5 * 1024**3
    # The archive ends with a ZIP64 end record and locator (its offsets pass 4 GiB).
    assert b"PK\x06\x06" in tail and b"PK\x06\x07" in tail
    assert spore.peak_rss_bytes() < 200 * 1024 * 1024
    # The small file after the two large ones reads back through the zip's own directory.
    start = total - 5 * 1024**3
    piece = requests.get(url, headers={**headers, "Range": f"bytes={total - 200}-{total - 1}"})
    assert piece.status_code == 206 and len(piece.content) == 200 and start > 0
