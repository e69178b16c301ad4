"""The AWS CLI, as a newcomer would use it."""

import json
import os
import subprocess

import pytest

from conftest import ROOT_PASSWORD, ROOT_USER


def aws(spore, *args, check=True):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ROOT_USER, AWS_SECRET_ACCESS_KEY=ROOT_PASSWORD,
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    result = subprocess.run(["aws", "--endpoint-url", spore.endpoint, *args], env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_mb_cp_ls_rm(spore, tmp_path):
    source = tmp_path / "src"
    (source / "sub dir").mkdir(parents=True)
    (source / "a.txt").write_text("alpha")
    (source / "sub dir" / "b+c.bin").write_bytes(os.urandom(100_000))
    (source / "empty").write_bytes(b"")
    aws(spore, "s3", "mb", "s3://cli-bucket")
    aws(spore, "s3", "cp", str(source / "a.txt"), "s3://cli-bucket/a.txt")
    aws(spore, "s3", "cp", "--recursive", str(source), "s3://cli-bucket/tree/")
    listing = aws(spore, "s3", "ls", "--recursive", "s3://cli-bucket").stdout
    for key in ("a.txt", "tree/a.txt", "tree/sub dir/b+c.bin", "tree/empty"):
        assert key in listing
    assert "cli-bucket" in aws(spore, "s3", "ls").stdout
    target = tmp_path / "dst"
    aws(spore, "s3", "cp", "--recursive", "s3://cli-bucket/tree/", str(target))
    assert (target / "sub dir" / "b+c.bin").read_bytes() == (source / "sub dir" / "b+c.bin").read_bytes()
    assert (target / "empty").read_bytes() == b""
    aws(spore, "s3", "rm", "s3://cli-bucket/a.txt")
    aws(spore, "s3", "rm", "--recursive", "s3://cli-bucket/tree/")
    assert aws(spore, "s3", "ls", "--recursive", "s3://cli-bucket").stdout.strip() == ""
    aws(spore, "s3", "rb", "s3://cli-bucket")


def test_s3api(spore, tmp_path):
    body = tmp_path / "body"
    body.write_bytes(b"s3api body")
    aws(spore, "s3api", "create-bucket", "--bucket", "cli-api")
    put = json.loads(aws(spore, "s3api", "put-object", "--bucket", "cli-api", "--key", "k", "--body", str(body),
                         "--metadata", "a=b", "--content-type", "text/plain").stdout)
    assert put["ETag"]
    head = json.loads(aws(spore, "s3api", "head-object", "--bucket", "cli-api", "--key", "k").stdout)
    assert head["ContentLength"] == 10 and head["Metadata"] == {"a": "b"} and head["ContentType"] == "text/plain"
    out = tmp_path / "out"
    aws(spore, "s3api", "get-object", "--bucket", "cli-api", "--key", "k", "--range", "bytes=0-4", str(out))
    assert out.read_bytes() == b"s3api"
    listed = json.loads(aws(spore, "s3api", "list-objects-v2", "--bucket", "cli-api").stdout)
    assert [item["Key"] for item in listed["Contents"]] == ["k"]
    missing = aws(spore, "s3api", "get-object", "--bucket", "cli-api", "--key", "nope", str(out), check=False)
    assert missing.returncode != 0 and "NoSuchKey" in missing.stderr
    aws(spore, "s3api", "delete-object", "--bucket", "cli-api", "--key", "k")
    aws(spore, "s3api", "delete-bucket", "--bucket", "cli-api")


def test_cp_with_server_side_encryption(spore, tmp_path):
    """`aws s3 cp --sse` (SSE-S3), `--sse aws:kms --sse-kms-key-id`, and `--sse-c` with a key file,
    including a multipart-sized file, which the CLI uploads in parts."""
    spore.cli("kms", "key", "create", "cli-kms-key")
    small, large = tmp_path / "small", tmp_path / "large"
    small.write_bytes(os.urandom(10_000))
    large.write_bytes(os.urandom(20 * 1024 * 1024 + 3))
    key_file = tmp_path / "key"
    key_file.write_bytes(os.urandom(32))
    aws(spore, "s3", "mb", "s3://cli-sse")
    for name, source in (("small", small), ("large", large)):
        aws(spore, "s3", "cp", "--sse", "AES256", str(source), f"s3://cli-sse/s3-{name}")
        aws(spore, "s3", "cp", "--sse", "aws:kms", "--sse-kms-key-id", "cli-kms-key", str(source), f"s3://cli-sse/kms-{name}")
        aws(spore, "s3", "cp", "--sse-c", "AES256", "--sse-c-key", f"fileb://{key_file}", str(source), f"s3://cli-sse/c-{name}")
        head = json.loads(aws(spore, "s3api", "head-object", "--bucket", "cli-sse", "--key", f"kms-{name}").stdout)
        assert head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == "cli-kms-key"
        for prefix in ("s3", "kms"):
            aws(spore, "s3", "cp", f"s3://cli-sse/{prefix}-{name}", str(tmp_path / "back"))
            assert (tmp_path / "back").read_bytes() == source.read_bytes()
        # Without the key the SSE-C object does not come back; with it, it does.
        assert aws(spore, "s3", "cp", f"s3://cli-sse/c-{name}", str(tmp_path / "nokey"), check=False).returncode != 0
        aws(spore, "s3", "cp", "--sse-c", "AES256", "--sse-c-key", f"fileb://{key_file}", f"s3://cli-sse/c-{name}",
            str(tmp_path / "back"))
        assert (tmp_path / "back").read_bytes() == source.read_bytes()
