"""Everyday object operations with boto3, in both checksum modes."""

import base64
import hashlib
import os

import pytest
from botocore.exceptions import ClientError

from conftest import error_code

HOSTILE_KEYS = [
    "plain.txt",
    "with space.txt",
    "plus+sign",
    "percent%20literal%",
    "ampersand&equals=question?hash#",
    "unicode-é-日本語-🦀",
    "quotes'\"<xml>&amp;",
    "deep/nested//path/./../x",
    "k" * 1024,
    "é" * 512,
]


@pytest.mark.parametrize("key", HOSTILE_KEYS, ids=lambda k: k[:24])
def test_put_get_head_delete_round_trip(s3, bucket, key):
    body = os.urandom(1000)
    put = s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata={"color": "blue"}, ContentType="text/x-spore")
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/x-spore"
    assert got["Metadata"] == {"color": "blue"}
    assert got["ETag"] == put["ETag"]
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == 1000
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [item["Key"] for item in listed] == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key=key)
    assert error_code(excinfo) == "NoSuchKey"


def test_zero_byte_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["ContentLength"] == 0 and got["Body"].read() == b""
    assert got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


@pytest.mark.parametrize("size", [10, 16 * 1024, 16 * 1024 + 1, 3 * 1024 * 1024 + 7])
def test_sizes_inline_and_blob(s3, bucket, size):
    body = os.urandom(size)
    s3.put_object(Bucket=bucket, Key="obj", Body=body)
    assert s3.get_object(Bucket=bucket, Key="obj")["Body"].read() == body


def test_ranges(s3, bucket):
    body = bytes(range(256)) * 400
    for key in ("small-inline", "large-blob"):
        data = body[:5000] if key == "small-inline" else body
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        size = len(data)
        got = s3.get_object(Bucket=bucket, Key=key, Range="bytes=10-19")
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert got["ContentRange"] == f"bytes 10-19/{size}"
        assert got["Body"].read() == data[10:20]
        assert s3.get_object(Bucket=bucket, Key=key, Range="bytes=-7")["Body"].read() == data[-7:]
        assert s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={size - 3}-")["Body"].read() == data[-3:]
        assert s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{size * 2}")["Body"].read() == data
        with pytest.raises(ClientError) as excinfo:
            s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={size}-")
        assert error_code(excinfo) == "InvalidRange"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416


def test_standard_headers_are_kept(s3, bucket):
    s3.put_object(
        Bucket=bucket, Key="h", Body=b"x", ContentType="text/plain", ContentEncoding="identity",
        ContentDisposition='attachment; filename="x.txt"', ContentLanguage="en", CacheControl="max-age=60",
        Expires="Wed, 21 Oct 2037 07:28:00 GMT",
    )
    head = s3.head_object(Bucket=bucket, Key="h")
    assert head["ContentType"] == "text/plain"
    assert head["ContentEncoding"] == "identity"
    assert head["ContentDisposition"] == 'attachment; filename="x.txt"'
    assert head["ContentLanguage"] == "en"
    assert head["CacheControl"] == "max-age=60"
    assert head["ResponseMetadata"]["HTTPHeaders"]["expires"] == "Wed, 21 Oct 2037 07:28:00 GMT"
    override = s3.get_object(Bucket=bucket, Key="h", ResponseContentType="application/json")
    assert override["ContentType"] == "application/json"


def test_missing_things(s3, bucket):
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="missing")
    assert error_code(excinfo) == "NoSuchKey"
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="missing")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket="no-such-bucket-here", Key="x")
    assert error_code(excinfo) == "NoSuchBucket"
    # Deleting a missing key succeeds, as on AWS.
    assert s3.delete_object(Bucket=bucket, Key="missing")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_bad_content_md5_stores_nothing(spore, bucket):
    s3 = spore.client(legacy=True)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"payload", ContentMD5=wrong)
    assert error_code(excinfo) == "BadDigest"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_bad_crc32_stores_nothing(spore, bucket):
    s3 = spore.client()
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="bad", Body=b"payload", ChecksumCRC32="AAAAAA==")
    assert error_code(excinfo) == "BadDigest"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_checksum_mode_returns_stored_crc32(spore, bucket):
    s3 = spore.client()
    put = s3.put_object(Bucket=bucket, Key="c", Body=b"hello world")
    assert put["ChecksumCRC32"] == "DUoRhQ=="
    got = s3.get_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == "DUoRhQ=="
    assert got["Body"].read() == b"hello world"


def test_conditional_put_if_none_match(s3, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"1"


def test_overwrite_replaces(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first")
    s3.put_object(Bucket=bucket, Key="k", Body=b"second" * 10000)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second" * 10000
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


def test_delete_objects(s3, bucket):
    keys = [f"batch/{i:04d}" for i in range(300)]
    for key in keys[:5]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
    assert len(result["Deleted"]) == 300
    assert "Errors" not in result
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}], "Quiet": True})
    assert "Deleted" not in quiet
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
