"""Server-side encryption through real clients: SSE-C, SSE-S3, SSE-KMS, bucket defaults, ranges,
multipart, copy between kinds, and what is on disk."""
import base64
import hashlib
import json
import os

import pytest
from botocore.exceptions import ClientError

from conftest import error_code, stored_blobs

KEY_A = os.urandom(32)
KEY_B = os.urandom(32)


def sse_c(key):
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": base64.b64encode(key).decode(),
            "SSECustomerKeyMD5": base64.b64encode(hashlib.md5(key).digest()).decode()}


@pytest.mark.parametrize("size", [0, 1, 13, 65535, 65536, 65537, 1024 * 1024 + 7])
def test_sse_c_round_trip_and_ranges(spore, bucket, size):
    s3 = spore.client()
    body = os.urandom(size)
    put = s3.put_object(Bucket=bucket, Key="c", Body=body, **sse_c(KEY_A))
    assert put["SSECustomerAlgorithm"] == "AES256"
    # The ETag is keyed, not the plaintext's MD5, which listings would hand to anyone.
    assert put["ETag"].strip('"') != hashlib.md5(body).hexdigest()
    assert s3.head_object(Bucket=bucket, Key="c", **sse_c(KEY_A))["ETag"] == put["ETag"]
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert listed["ETag"] == put["ETag"]
    # A conditional read without the key tells nothing either.
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=put["ETag"])
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    got = s3.get_object(Bucket=bucket, Key="c", **sse_c(KEY_A))
    assert got["Body"].read() == body
    assert got["SSECustomerKeyMD5"] == sse_c(KEY_A)["SSECustomerKeyMD5"]
    if size > 2:
        for first, last in [(0, 0), (1, size - 2), (size - 1, size - 1), (size // 2, size - 1)]:
            part = s3.get_object(Bucket=bucket, Key="c", Range=f"bytes={first}-{last}", **sse_c(KEY_A))
            assert part["Body"].read() == body[first:last + 1]


def test_sse_c_refuses_missing_and_wrong_keys(spore, bucket):
    s3 = spore.client()
    s3.put_object(Bucket=bucket, Key="c", Body=b"secret", **sse_c(KEY_A))
    for call in (s3.get_object, s3.head_object):
        with pytest.raises(ClientError) as missing:
            call(Bucket=bucket, Key="c")
        assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        with pytest.raises(ClientError) as wrong:
            call(Bucket=bucket, Key="c", **sse_c(KEY_B))
        assert wrong.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    bad_md5 = dict(sse_c(KEY_A), SSECustomerKeyMD5=base64.b64encode(b"\0" * 16).decode())
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="d", Body=b"x", **bad_md5)
    assert error_code(excinfo) == "InvalidArgument"
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="d", Body=b"x", ServerSideEncryption="AES256", **sse_c(KEY_A))
    assert error_code(excinfo) == "InvalidArgument"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="d")


def test_sse_s3_is_transparent_and_not_plain_on_disk(spore, bucket):
    s3 = spore.client()
    marker = b"spore-plaintext-marker-" + os.urandom(8).hex().encode()
    body = marker * 4000
    put = s3.put_object(Bucket=bucket, Key="s", Body=body, ServerSideEncryption="AES256")
    assert put["ServerSideEncryption"] == "AES256"
    got = s3.get_object(Bucket=bucket, Key="s")
    assert got["ServerSideEncryption"] == "AES256"
    assert got["Body"].read() == body
    for root, _, files in os.walk(spore.data_dir):
        for name in files:
            path = os.path.join(root, name)
            if os.path.getsize(path) > 1024:
                with open(path, "rb") as handle:
                    assert marker not in handle.read(), f"{path} holds the plaintext"


def test_sse_kms_needs_a_known_master_key_and_rotation_keeps_old_objects(spore, bucket):
    s3 = spore.client()
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="no-such-key")
    assert error_code(excinfo) == "KMS.NotFoundException"
    spore.cli("kms", "key", "create", "team-key")
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"before rotation", ServerSideEncryption="aws:kms", SSEKMSKeyId="team-key")
    assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == "team-key"
    spore.cli("kms", "key", "rotate", "team-key")
    s3.put_object(Bucket=bucket, Key="k2", Body=b"after rotation", ServerSideEncryption="aws:kms", SSEKMSKeyId="team-key")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"before rotation"
    got = s3.get_object(Bucket=bucket, Key="k2")
    assert got["Body"].read() == b"after rotation" and got["SSEKMSKeyId"] == "team-key"
    listed = {key["id"]: key for key in json.loads(spore.cli("kms", "key", "list", "--json").stdout)["keys"]}
    assert listed["team-key"]["versions"] == 2
    # GET and HEAD take no write-side encryption headers.
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="k", SSECustomerAlgorithm="AES256", SSECustomerKey=base64.b64encode(KEY_A).decode())
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_bucket_default_encryption_applies_to_put_multipart_and_copy(spore, bucket):
    s3 = spore.client()
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_encryption(Bucket=bucket)
    assert error_code(excinfo) == "ServerSideEncryptionConfigurationNotFoundError"
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.put_object(Bucket=bucket, Key="p", Body=b"plain put")["ServerSideEncryption"] == "AES256"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")
    assert upload["ServerSideEncryption"] == "AES256"
    part1, part2 = os.urandom(5 * 1024 * 1024 + 1), os.urandom(1000)
    etags = [s3.upload_part(Bucket=bucket, Key="m", UploadId=upload["UploadId"], PartNumber=n, Body=body)["ETag"]
             for n, body in ((1, part1), (2, part2))]
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": n + 1, "ETag": etag} for n, etag in enumerate(etags)]})
    whole = part1 + part2
    got = s3.get_object(Bucket=bucket, Key="m")
    assert got["ServerSideEncryption"] == "AES256" and got["Body"].read() == whole
    edge = len(part1)
    assert s3.get_object(Bucket=bucket, Key="m", Range=f"bytes={edge - 3}-{edge + 3}")["Body"].read() == whole[edge - 3:edge + 4]
    assert s3.get_object(Bucket=bucket, Key="m", PartNumber=2)["Body"].read() == part2
    s3.delete_bucket_encryption(Bucket=bucket)
    assert "ServerSideEncryption" not in s3.put_object(Bucket=bucket, Key="q", Body=b"plain again")


@pytest.mark.parametrize("source", ["none", "sse-s3", "sse-c"])
@pytest.mark.parametrize("target", ["none", "sse-s3", "sse-c"])
def test_copy_between_encryption_kinds(spore, bucket, source, target):
    s3 = spore.client()
    body = os.urandom(200_000)
    kinds = {"none": {}, "sse-s3": {"ServerSideEncryption": "AES256"}, "sse-c": sse_c(KEY_A)}
    s3.put_object(Bucket=bucket, Key="src", Body=body, **kinds[source])
    extra = dict(kinds[target] if target != "sse-c" else sse_c(KEY_B))
    if source == "sse-c":
        extra.update({"CopySource" + name: value for name, value in sse_c(KEY_A).items()})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"}, **extra)
    read = sse_c(KEY_B) if target == "sse-c" else {}
    got = s3.get_object(Bucket=bucket, Key="dst", **read)
    assert got["Body"].read() == body
    assert got.get("ServerSideEncryption") == ("AES256" if target == "sse-s3" else None)


def test_sse_c_multipart_needs_the_same_key_on_every_part(spore, bucket):
    s3 = spore.client()
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mc", **sse_c(KEY_A))
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="mc", UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 100)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError):
        s3.upload_part(Bucket=bucket, Key="mc", UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 100, **sse_c(KEY_B))
    etag = s3.upload_part(Bucket=bucket, Key="mc", UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 100, **sse_c(KEY_A))["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mc", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}, **sse_c(KEY_A))
    assert s3.get_object(Bucket=bucket, Key="mc", **sse_c(KEY_A))["Body"].read() == b"x" * 100


def test_a_flipped_bit_on_disk_is_never_served(spore, bucket):
    s3 = spore.client()
    body = os.urandom(300_000)
    s3.put_object(Bucket=bucket, Key="f", Body=body, ServerSideEncryption="AES256")
    # The sealed blob: a 20-byte header and a 16-byte tag per 64 KiB chunk (a file or a segment entry).
    copies = [blob for blob in stored_blobs(spore.data_dir) if blob.length == 20 + len(body) + 16 * 5]
    assert len(copies) == 1, [blob.path for blob in copies]
    original = copies[0].flip(100_000)
    try:
        with pytest.raises(Exception):
            s3.get_object(Bucket=bucket, Key="f")["Body"].read()
        # The untouched first chunk still reads.
        assert s3.get_object(Bucket=bucket, Key="f", Range="bytes=0-999")["Body"].read() == body[:1000]
    finally:
        copies[0].restore(100_000, original)
