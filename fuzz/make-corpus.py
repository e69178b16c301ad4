#!/usr/bin/env python3
"""Writes the seed corpus of the libFuzzer targets (fuzz/corpus/<target>/): small valid and
near-valid inputs, taken from the unit tests' seeds and the integration tests where there are
some. Deterministic: run it again after changing a seed and commit what changes.

The signed seeds use the fuzz targets' fixed world (Sources/SporeFuzz/Targets+S3.swift): key
AKIAFUZZ with secret "fuzz-secret-key", the clock at 2026-01-01T00:00:00Z."""

import base64
import datetime
import hashlib
import hmac
import io
import json
import os
import shutil
import sys
import zipfile
from urllib.parse import quote

import msgpack

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import sigv4  # noqa: E402

CORPUS = os.path.join(ROOT, "fuzz", "corpus")
ACCESS, SECRET = "AKIAFUZZ", "fuzz-secret-key"
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
corpus = {}


def seed(target, name, data):
    corpus.setdefault(target, {})[name] = data if isinstance(data, bytes) else data.encode()


def head(request_line, headers, body=b""):
    text = request_line + " HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return text.encode() + body


# s3-request and sigv4: request heads. ---------------------------------------------------------

AUTH_V4 = (f"AWS4-HMAC-SHA256 Credential={ACCESS}/20260101/us-east-1/s3/aws4_request, "
           "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64)
seed("s3-request", "get-object-v4", head("GET /bucket/key%20with%2Fslash?versionId=null&partNumber=1", [
    ("Host", "s3.test:9000"), ("x-amz-date", "20260101T000000Z"), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
    ("Authorization", AUTH_V4), ("Range", "bytes=0-10"), ("If-Modified-Since", "Wed, 21 Oct 2025 07:28:00 GMT")]))
seed("s3-request", "list-v2-virtual-host", head(
    "GET /?list-type=2&prefix=a%2F&delimiter=%2F&continuation-token=AWE%3D&encoding-type=url&max-keys=10&fetch-owner=true",
    [("Host", "photos.s3.test")]))
seed("s3-request", "presigned-v4", head(
    "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAFUZZ%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=" + "0" * 64,
    [("Host", "s3.test")]))
seed("s3-request", "sigv2-header", head("PUT /b/k?acl", [
    ("Host", "s3.test"), ("Date", "Thu, 01 Jan 2026 00:00:00 GMT"), ("Authorization", "AWS AKIAFUZZ:abc="),
    ("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="), ("Content-Type", "text/plain"), ("x-amz-meta-a", "  b   c ")]))
seed("s3-request", "sigv2-query", head("GET /b/k?AWSAccessKeyId=AKIAFUZZ&Expires=1767229200&Signature=abc%3D&response-content-type=a%2Fb",
                                       [("Host", "s3.test")]))
seed("s3-request", "copy-mounted", head("PUT /s3/b/dst", [
    ("Host", "s3.test"), ("x-amz-copy-source", "/src/a%20b?versionId=null"), ("x-amz-copy-source-range", "bytes=0-99"),
    ("x-amz-tagging", "k1=v1&k2=v%20x"), ("x-amz-checksum-crc32", "AAAAAA=="), ("x-amz-checksum-type", "FULL_OBJECT"),
    ("x-amz-sdk-checksum-algorithm", "CRC32"), ("x-amz-copy-source-if-modified-since", "2026-01-01T00:00:00.123Z")]))
seed("s3-request", "post-form", head("POST /b", [("Host", "s3.test"), ("Content-Type", "multipart/form-data; boundary=XyZ")]))
seed("s3-request", "upload-part", head("PUT /b/k?partNumber=2&uploadId=00112233445566778899aabbccddeeff", [
    ("Host", "s3.test"), ("Content-Length", "5"), ("x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")]))
seed("s3-request", "subresources", head("POST /b?delete&lifecycle&cors&policy&tagging&versioning&uploads&versions", [("Host", "s3.test")]))
seed("s3-request", "preflight", head("OPTIONS /b/k", [
    ("Host", "s3.test"), ("Origin", "https://a.example"), ("Access-Control-Request-Method", "PUT"),
    ("Access-Control-Request-Headers", "content-type,x-amz-date")]))
seed("s3-request", "admin", head("GET /_spore/admin/v1/users?name=a%20b", [("Host", "s3.test")]))


def signed_head(method, path, query="", headers=(), payload="UNSIGNED-PAYLOAD", body=b""):
    sent, (key, amz_date, scope, signature) = sigv4.sign(
        method, "s3.test", path, ACCESS, SECRET, dict(headers), payload, query=query, now=NOW)
    target = quote(path, safe="/-_.~") + ("?" + query if query else "")
    return head(f"{method} {target}", [("Host", "s3.test")] + list(sent.items()), body), (key, amz_date, scope, signature)


seed("sigv4", "get-header-v4", signed_head("GET", "/b/a key", query="versionId=null")[0])
data = b"hello, fuzzer" * 3
_, (key, amz_date, scope, signature) = signed_head(
    "PUT", "/b/k", headers={"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))},
    payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
body = sigv4.signed_chunks(data, 16, key, amz_date, scope, signature)
seed("sigv4", "put-streaming-signed", signed_head(
    "PUT", "/b/k", headers={"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))},
    payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD", body=body)[0])
trailer_headers = {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
                   "x-amz-trailer": "x-amz-checksum-crc32"}
_, (key, amz_date, scope, signature) = signed_head("PUT", "/b/t", headers=trailer_headers,
                                                   payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
body = sigv4.signed_chunks(data, 20, key, amz_date, scope, signature, trailer=("x-amz-checksum-crc32", "AAAAAA=="))
seed("sigv4", "put-streaming-signed-trailer", signed_head("PUT", "/b/t", headers=trailer_headers,
                                                          payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", body=body)[0])
body = sigv4.unsigned_chunks(data, 16, ("x-amz-checksum-crc32", "AAAAAA=="))
seed("sigv4", "put-streaming-unsigned-trailer", signed_head("PUT", "/b/u", headers=trailer_headers,
                                                            payload="STREAMING-UNSIGNED-PAYLOAD-TRAILER", body=body)[0])
seed("sigv4", "presigned-v4", corpus["s3-request"]["presigned-v4"])
seed("sigv4", "sigv2-header", corpus["s3-request"]["sigv2-header"])
seed("sigv4", "sigv2-query", corpus["s3-request"]["sigv2-query"])
seed("sigv4", "mounted-virtual-host", head("GET /s3/k%2Fx?tagging", [
    ("Host", "bkt.s3.test"), ("x-amz-date", "20260101T000000Z"), ("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("Authorization", AUTH_V4.replace("SignedHeaders=host;", "SignedHeaders=host;x-amz-meta-a;")), ("x-amz-meta-a", "1"), ("x-amz-meta-a", "2")]))

# aws-chunked: a mode byte (1: signed, 2: trailer expected), two piece lengths, the body. ---------

CHUNK_KEY = bytes([7] * 32)
CHUNK_SCOPE = "20260101/us-east-1/s3/aws4_request"
seed("aws-chunked", "unsigned", b"\x00\x03\x10" + b"5\r\nhello\r\n0\r\n\r\n")
seed("aws-chunked", "unsigned-trailer", b"\x02\x00\x08" + b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n")
seed("aws-chunked", "unsigned-chunks", b"\x00\x07\x01" + b"a\r\n0123456789\r\n3\r\nabc\r\n0\r\n\r\n")
seed("aws-chunked", "signed", b"\x01\x05\x30" + sigv4.signed_chunks(b"hello world, chunked", 8, CHUNK_KEY, "20260101T000000Z",
                                                                      CHUNK_SCOPE, "0" * 64))
seed("aws-chunked", "signed-trailer", b"\x03\x40\x02" + sigv4.signed_chunks(
    b"hello world", 6, CHUNK_KEY, "20260101T000000Z", CHUNK_SCOPE, "0" * 64, trailer=("x-amz-checksum-crc32", "DUoRhQ==")))

# XML documents. ---------------------------------------------------------------------------

for name, text in {
    "delete": '<Delete><Object><Key>a</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>',
    "complete-multipart": '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>',
    "tagging": '<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>b &amp; &#x263A;</Value></Tag></TagSet></Tagging>',
    "acl": '<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>',
    "versioning": '<?xml version="1.0"?><!-- c --><VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>',
    "cdata": '<a:Root xmlns:a="urn:x"><a:Key><![CDATA[<not markup>]]></a:Key><Empty/><Ref>&lt;&#65;&gt;&quot;&apos;</Ref></a:Root>',
}.items():
    seed("xml", name, text)

seed("lifecycle-xml", "full", '<LifecycleConfiguration><Rule><ID>r</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays></NoncurrentVersionExpiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>')
seed("lifecycle-xml", "date-and-legacy-prefix", '<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><Prefix>logs/</Prefix><Status>Disabled</Status><Expiration><Date>2026-02-01T00:00:00.000Z</Date></Expiration></Rule><Rule><ID>two</ID><Filter><Tag><Key>a</Key><Value>b</Value></Tag></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration>')
seed("lifecycle-xml", "empty-filter", '<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter/><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>')

seed("cors-xml", "one-rule", '<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3</MaxAgeSeconds></CORSRule></CORSConfiguration>')
seed("cors-xml", "two-rules", '<CORSConfiguration><CORSRule><ID>a</ID><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>DELETE</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader></CORSRule><CORSRule><AllowedOrigin>http://x</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule></CORSConfiguration>')

# Policies. -----------------------------------------------------------------------------------

policy = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*",
    "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringLikeIfExists": {"s3:prefix": ["a*"]}}}]}
seed("bucket-policy", "public-read-conditions", json.dumps(policy))
seed("bucket-policy", "deny-not-principal", json.dumps({"Statement": {
    "Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::123:user/fuzz", "id-fuzz"]}, "NotAction": "s3:Get*",
    "NotResource": ["arn:aws:s3:::b/public/?*"], "Condition": {"Bool": {"aws:SecureTransport": False},
                                                             "NumericLessThan": {"s3:max-keys": 100}}}}))
seed("bucket-policy", "trailing-comma", '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b",'
     '"Condition":{"NotIpAddress":{"aws:SourceIp":["::1/128","192.168.0.0/16",]},"StringEquals":{"s3:delimiter":"/"}}},]}')
seed("bucket-policy", "utf16-bom", b"\xff\xfe" + json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                                                           "Resource": "arn:aws:s3:::b*"}]}).encode("utf-16-le"))

post = {"expiration": "2030-01-01T00:00:00Z", "conditions": [
    {"bucket": "b"}, ["starts-with", "$key", "uploads/"], ["content-length-range", 0, 10], ["eq", "$acl", "public-read"],
    {"x-amz-meta-a": "1"}, ["starts-with", "$Content-Type", "image/"]]}
seed("post-policy", "conditions", json.dumps(post))
seed("post-policy", "base64", base64.b64encode(json.dumps(post).encode()))
seed("post-policy", "minimal", '{"expiration":"2026-01-01T00:00:00.000Z","conditions":[["starts-with","$key",""]]}')

# multipart-form: the Content-Type line, two read lengths, the body. --------------------------

form = (b"--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/${filename}\r\n"
        b"--XyZ\r\nContent-Disposition: form-data; name=\"policy\"\r\n\r\neyJhIjoxfQ==\r\n"
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n"
        b"hello\r\n--XyZ--\r\n")
seed("multipart-form", "post-upload", b"multipart/form-data; boundary=XyZ\n\x00\x20" + form)
seed("multipart-form", "quoted-boundary", b'multipart/form-data; boundary="a b"\n\x05\x05'
     + form.replace(b"--XyZ", b"--a b"))
seed("multipart-form", "fields-only", b"multipart/form-data; boundary=XyZ\n\x30\x01"
     b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ--\r\n")

# Hypha: tokens, queries, msgpack and RPC frames. ---------------------------------------------


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


claims = {"iss": "https://amun.ai/", "aud": "https://amun-ai.eu.auth0.com/api/v2/", "sub": "fuzz", "iat": 0,
          "exp": 4000000000, "scope": "ws:ws-user-fuzz#rw wid:ws-user-fuzz ws:public#r cid:x extra",
          "gty": "client-credentials", "https://amun.ai/roles": ["admin"], "https://amun.ai/parent": "fuzz",
          "https://amun.ai/email": "f@example.com"}
header = {"alg": "HS256", "typ": "JWT"}
signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
mac = hmac.new(bytes([7] * 32), signing_input.encode(), hashlib.sha256).digest()
seed("jwt", "valid-token", b"\x00" + (signing_input + "." + b64url(mac)).encode())
seed("jwt", "unsigned-token", b"\x00" + b"eyJhbGciOiJub25lIn0.e30.")
seed("jwt", "claims", b"\x01" + json.dumps(header).encode() + b"\n" + json.dumps(claims).encode())
seed("jwt", "claims-audience-list", b"\x01" + b'{"alg":"HS256"}\n' + json.dumps(
    {"iss": "https://amun.ai/", "aud": ["x", "https://amun-ai.eu.auth0.com/api/v2/"], "sub": "s", "exp": 1}).encode())

seed("hypha-query", "arguments", "file=a&file=b&token=x&n=1&x=1.5&o=%7B%22a%22%3A%5B1%5D%7D&s=a+b%20c&bare")

seed("msgpack", "values", b"".join(msgpack.packb(v, use_bin_type=True) for v in [
    None, True, 0, -1, 2**63 - 1, 2**64 - 1, -2**63, 1.5, "s", "é" * 40, b"\x00\x01", [1, [2, [3]]],
    {"a": {"b": [None, 1.0]}}]))
seed("msgpack", "float32-ext-sizes", bytes([0xca, 0x3f, 0xc0, 0, 0, 0xd9, 3]) + b"abc" + bytes([0xc4, 1, 9, 0xde, 0, 1, 0xa1, 0x6b, 0xc0]))

call = {"type": "method", "from": "ws-user-fuzz/client", "to": "public/artifact-manager", "method": "public/artifact-manager:list",
        "session": "s1", "with_kwargs": True, "promise": {"heartbeat": "s1.heartbeat", "interval": 10}}
seed("rpc-frame", "call", msgpack.packb(call) + msgpack.packb({"args": ["a", {"limit": 10, "stage": False}]}))
seed("rpc-frame", "message-cache", msgpack.packb({"type": "method", "to": "*/ws-user-fuzz:message_cache", "method": "append",
                                                  "session": "k", "t": 5}) +
     msgpack.packb({"args": ["k", b"\x81\xa4type\xa6method", 0, 1]}, use_bin_type=True))
seed("rpc-frame", "short-form", msgpack.packb({"type": "method", "to": "ws-a/c:svc", "method": "svc.f", "args": [1, 2.5, None]}))

# Templates: the differential template corpus. ------------------------------------------------

templates = os.path.join(ROOT, "tests", "integration", "templates", "corpus")
for name in sorted(os.listdir(templates)):
    if name.endswith(".html"):
        with open(os.path.join(templates, name), "rb") as file:
            seed("template", name[:-5], file.read())

# Zip archives: stored, deflated, directories, a comment, ZIP64 records. -----------------------


def archive(force_zip64=False, comment=b""):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zip_file:
        zip_file.comment = comment
        for name, data, method in [("stored.txt", b"stored " * 8, zipfile.ZIP_STORED),
                                   ("dir/", b"", zipfile.ZIP_STORED),
                                   ("dir/deflated.txt", b"deflated " * 200, zipfile.ZIP_DEFLATED),
                                   ("caf\u00e9.txt", b"", zipfile.ZIP_DEFLATED)]:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = method
            with zip_file.open(info, "w", force_zip64=force_zip64) as member:
                member.write(data)
    return buffer.getvalue()


seed("zip", "classic", archive(comment=b"a comment"))
seed("zip", "zip64", archive(force_zip64=True))
seed("zip", "empty", b"PK\x05\x06" + b"\x00" * 18)

# JSON and JSON Schema. ---------------------------------------------------------------------------

seed("json", "mixed", '{"a":[1,2.5,"x\\u00e9\\ud83d\\ude00",null,true,{"b":false}],"n":-1e-5,"big":12345678901234567890}')
seed("json", "nested", "[" * 40 + "]" * 40)
seed("json", "scalars", ' "s\\"\\\\\\/\\b\\f\\n\\r\\t" ')
seed("json", "numbers", "[0, -0, 1e308, -1.7976931348623157e308, 5e-324, 9223372036854775807, -9223372036854775808, 0.1]")

schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 10},
                                           "n": {"type": "integer", "minimum": 0}},
          "required": ["name"], "additionalProperties": {"type": "boolean"}}
seed("json-schema", "object-and-instance", json.dumps(schema) + "\0" + json.dumps({"name": "abc", "n": 3, "x": True}))
seed("json-schema", "refs-2020", json.dumps({
    "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://x/root",
    "$defs": {"pos": {"type": "number", "exclusiveMinimum": 0}},
    "type": "array", "prefixItems": [{"$ref": "#/$defs/pos"}], "items": {"type": "string", "format": "date"},
    "unevaluatedItems": False}) + "\0" + json.dumps([1, "2026-01-01"]))
seed("json-schema", "combinators", json.dumps({
    "anyOf": [{"type": "string", "format": "email"}, {"type": "array", "contains": {"const": 1}, "uniqueItems": True}],
    "not": {"enum": [None]}, "if": {"type": "string"}, "then": {"minLength": 3}, "dependentRequired": {"a": ["b"]},
    "propertyNames": {"pattern": "^(?P<x>a)\\Z"}}))
seed("json-schema", "draft7-instance", json.dumps({"name": "x", "n": 3, "tags": ["a@b.c"], "next": {"next": {}}}))

# artifact-query: a mode byte (1: the HTTP routes' query, 2: list), the arguments object. ---------

seed("artifact-query", "keywords-or", b"\x00" + b'{"keywords": ["alpha", "beta"], "mode": "OR", "order_by": "manifest.score>", "stage": "all"}')
seed("artifact-query", "filters", b"\x00" + json.dumps({
    "filters": {"manifest": {"name": "Alpha", "score": 7, "tags": ["x"]}, "type": "dataset", "created_by": "fuzz",
                "view_count": [1, 9], "config": {"permissions": {"*": "r"}},
                "version": "latest"}, "limit": "2", "offset": 1.0, "pagination": True}).encode())
seed("artifact-query", "http-list", b"\x03" + json.dumps({
    "parent_id": "coll", "keywords": "a,,b", "filters": '{"manifest": {"owner.email": "f@example.com"}, "type": "dataset"}',
    "stage": "false", "order_by": "-download_count"}).encode())
seed("artifact-query", "stage-version", b"\x02" + b'{"stage": true, "filters": {"version": "stage", "alias": "gamma"}}')


def main():
    for target, seeds in sorted(corpus.items()):
        directory = os.path.join(CORPUS, target)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(directory, name), "wb") as file:
                file.write(data)
        print(f"{target}: {len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes")


main()
