"""aws-chunked uploads as newer SDKs send them (over TLS, which these tests replace by hand-made
requests on plain HTTP): signed chunks, signed chunks with a trailer, unsigned chunks with a trailer."""

import base64
import os
import zlib

import pytest
import requests

from conftest import ROOT_PASSWORD, ROOT_USER
from sigv4 import sign, signed_chunks, unsigned_chunks


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def put(spore, bucket, key, body, headers, payload_hash):
    host = f"127.0.0.1:{spore.port}"
    headers, signing = sign("PUT", host, f"/{bucket}/{key}", ROOT_USER, ROOT_PASSWORD, headers, payload_hash)
    return headers, signing


def send(spore, bucket, key, headers, body):
    return requests.put(f"{spore.endpoint}/{bucket}/{key}", data=body, headers=headers)


@pytest.mark.parametrize("size", [0, 10, 70_000, 300_000])
def test_signed_chunks(spore, bucket, size):
    data = os.urandom(size)
    base = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(size)}
    headers, (key, amz_date, scope, seed) = put(spore, bucket, "signed", None, base, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    response = send(spore, bucket, "signed", headers, signed_chunks(data, 65536, key, amz_date, scope, seed))
    assert response.status_code == 200, response.text
    assert spore.client().get_object(Bucket=bucket, Key="signed")["Body"].read() == data
    head = spore.client().head_object(Bucket=bucket, Key="signed")
    assert head.get("ContentEncoding") is None


def test_signed_chunks_with_trailer(spore, bucket):
    data = os.urandom(100_000)
    base = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)), "x-amz-trailer": "x-amz-checksum-crc32"}
    headers, (key, amz_date, scope, seed) = put(spore, bucket, "trailer", None, base, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
    body = signed_chunks(data, 65536, key, amz_date, scope, seed, trailer=("x-amz-checksum-crc32", crc32_b64(data)))
    response = send(spore, bucket, "trailer", headers, body)
    assert response.status_code == 200, response.text
    got = spore.client().get_object(Bucket=bucket, Key="trailer", ChecksumMode="ENABLED")
    assert got["Body"].read() == data and got["ChecksumCRC32"] == crc32_b64(data)


def test_tampered_chunk_is_refused_and_nothing_stored(spore, bucket):
    data = os.urandom(100_000)
    base = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))}
    headers, (key, amz_date, scope, seed) = put(spore, bucket, "tampered", None, base, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    body = bytearray(signed_chunks(data, 65536, key, amz_date, scope, seed))
    body[5000] ^= 0xFF
    response = send(spore, bucket, "tampered", headers, bytes(body))
    assert response.status_code == 403 and "SignatureDoesNotMatch" in response.text
    assert spore.client().list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize("size", [0, 8, 50_000])
def test_unsigned_payload_with_trailer(spore, bucket, size):
    data = os.urandom(size)
    base = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(size), "x-amz-trailer": "x-amz-checksum-crc32"}
    headers, _ = put(spore, bucket, "unsigned", None, base, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    response = send(spore, bucket, "unsigned", headers, unsigned_chunks(data, 8192, ("x-amz-checksum-crc32", crc32_b64(data))))
    assert response.status_code == 200, response.text
    assert spore.client().get_object(Bucket=bucket, Key="unsigned")["Body"].read() == data


def test_wrong_trailer_checksum_is_refused(spore, bucket):
    data = b"hello trailer"
    base = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)), "x-amz-trailer": "x-amz-checksum-crc32"}
    headers, _ = put(spore, bucket, "badtrailer", None, base, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    response = send(spore, bucket, "badtrailer", headers, unsigned_chunks(data, 4, ("x-amz-checksum-crc32", crc32_b64(b"other"))))
    assert response.status_code == 400 and "BadDigest" in response.text
    assert spore.client().list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize("body", [b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nabc\r\n0\r\n\r\n", b"3\r\nabc", b"3\r\nabcX\r\n0\r\n\r\n"])
def test_malformed_framing_is_refused(spore, bucket, body):
    base = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "3", "x-amz-trailer": "x-amz-checksum-crc32"}
    headers, _ = put(spore, bucket, "malformed", None, base, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
    response = send(spore, bucket, "malformed", headers, body)
    assert response.status_code in (400, 403), response.text
    assert spore.client().list_objects_v2(Bucket=bucket)["KeyCount"] == 0
