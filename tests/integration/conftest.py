"""Starts the real spore binary on free ports with a temporary data directory, and hands tests
real clients (boto3 with current and legacy checksum behaviour, the AWS CLI) pointed at it."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("SPORE_BINARY", ROOT / ".build" / "debug" / "spore"))
ROOT_USER = "spore-root"
ROOT_PASSWORD = "spore-root-secret"
USERS = {
    "alice": ("ALICEACCESSKEY", "alice-secret-key"),
    "bob": ("BOBACCESSKEY0", "bob-secret-key-0"),
}
QUICK = os.environ.get("SPORE_TEST_QUICK") == "1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Spore:
    """One spore daemon process on its own data directory."""

    def __init__(self, data_dir, extra_env=None, args=()):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.http_port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.http = f"http://127.0.0.1:{self.http_port}"
        self.extra_env = extra_env or {}
        self.args = list(args)
        self.process = None
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.log"

    def env(self):
        env = dict(os.environ)
        env.update({
            "SPORE_ROOT_USER": ROOT_USER,
            "SPORE_ROOT_PASSWORD": ROOT_PASSWORD,
            "SPORE_USERS": ",".join(f"{name}:{ak}:{sk}" for name, (ak, sk) in USERS.items()),
            # Small test disks must not trip the default free-space reserve.
            "SPORE_DISK_RESERVE": "0",
            "SPORE_CONFIG": "/dev/null",
        })
        env.update(self.extra_env)
        return env

    def start(self, wait=True):
        assert BINARY.exists(), f"build spore first: {BINARY} is missing"
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(BINARY), "serve", "--data-dir", str(self.data_dir), "--s3-address", f"127.0.0.1:{self.port}",
             "--http-address", f"127.0.0.1:{self.http_port}", *self.args],
            env=self.env(), stdout=self.log, stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"spore exited with {self.process.returncode}: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
                with socket.create_connection(("127.0.0.1", self.http_port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"spore did not start listening: {self.output()}")

    def output(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.log.close()

    def kill(self):
        return self.stop(signal.SIGKILL)

    def peak_rss_bytes(self):
        """VmHWM: the peak resident set size of the daemon so far."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmHWM")

    def cli(self, *args, check=True, env=None):
        """Runs a spore command against this daemon's data directory and listeners."""
        full_env = {"SPORE_S3_ADDRESS": f"127.0.0.1:{self.port}", "SPORE_HTTP_ADDRESS": f"127.0.0.1:{self.http_port}"}
        full_env.update(env or {})
        return spore_cli(*args, data_dir=self.data_dir, env=full_env, check=check)

    def client(self, user=None, legacy=False, **config):
        access, secret = (ROOT_USER, ROOT_PASSWORD) if user is None else USERS[user]
        return make_client(self.endpoint, access, secret, legacy=legacy, **config)


class StoredBlob:
    """Where a blob's bytes are on disk: a file of its own, or an entry of a segment file."""

    def __init__(self, path, offset, length, name):
        self.path, self.offset, self.length, self.name = Path(path), offset, length, name

    def flip(self, at):
        """Flips one bit of the blob's byte `at`; returns the original byte for `restore`."""
        with open(self.path, "r+b") as handle:
            handle.seek(self.offset + at)
            original = handle.read(1)
            handle.seek(self.offset + at)
            handle.write(bytes([original[0] ^ 1]))
        return original

    def restore(self, at, original):
        with open(self.path, "r+b") as handle:
            handle.seek(self.offset + at)
            handle.write(original)


SEGMENT_HEADER = 48


def stored_blobs(data_dir):
    """Every blob on disk under a data directory: files in blobs/ and entries of segments/ (each a
    48-byte header: b"spS1", 4 zero bytes, the length as UInt64 little-endian, the SHA-256)."""
    data_dir = Path(data_dir)
    found = []
    if (data_dir / "blobs").exists():
        for path in (data_dir / "blobs").rglob("*"):
            if path.is_file():
                found.append(StoredBlob(path, 0, path.stat().st_size, path.name))
    if (data_dir / "segments").exists():
        for path in sorted((data_dir / "segments").iterdir()):
            raw = path.read_bytes()
            offset = 0
            while offset + SEGMENT_HEADER <= len(raw) and raw[offset:offset + 4] == b"spS1":
                length = int.from_bytes(raw[offset + 8:offset + 16], "little")
                found.append(StoredBlob(path, offset + SEGMENT_HEADER, length, raw[offset + 16:offset + 48].hex()))
                offset += SEGMENT_HEADER + length
    return found


def make_client(endpoint, access, secret, legacy=False, **config):
    """boto3 as it behaves today (CRC32 on every PUT), or with legacy=True as before 1.36
    (AWS_REQUEST_CHECKSUM_CALCULATION=when_required: Content-MD5 where required, no checksum)."""
    if legacy:
        config.setdefault("request_checksum_calculation", "when_required")
        config.setdefault("response_checksum_validation", "when_required")
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
        region_name="us-east-1", config=Config(retries={"max_attempts": 1}, **config),
    )


@pytest.fixture(scope="session")
def spore(tmp_path_factory):
    daemon = Spore(tmp_path_factory.mktemp("spore") / "data").start()
    yield daemon
    daemon.stop()


@pytest.fixture
def fresh_spore(tmp_path):
    daemons = []

    def start(**kwargs):
        daemon = Spore(tmp_path / f"data{len(daemons)}", **kwargs).start()
        daemons.append(daemon)
        return daemon

    yield start
    for daemon in daemons:
        daemon.stop(signal.SIGKILL)


@pytest.fixture(params=["current", "legacy"])
def s3(request, spore):
    """A boto3 client in each checksum mode."""
    return spore.client(legacy=request.param == "legacy")


_bucket_counter = [0]


@pytest.fixture
def bucket(spore):
    client = spore.client()
    _bucket_counter[0] += 1
    name = f"test-{os.getpid()}-{_bucket_counter[0]}"
    client.create_bucket(Bucket=name)
    yield name
    # Empty and remove the bucket; tests may have deleted it already.
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
        client.delete_bucket(Bucket=name)
    except client.exceptions.NoSuchBucket:
        pass


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def spore_cli(*args, env=None, check=True, data_dir=None):
    """Runs the spore CLI with the test root credentials."""
    command = [str(BINARY), *args]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    full_env = dict(os.environ, SPORE_CONFIG="/dev/null", SPORE_ROOT_USER=ROOT_USER, SPORE_ROOT_PASSWORD=ROOT_PASSWORD)
    full_env.update(env or {})
    result = subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def admin_caller(daemon, expect=200):
    """Calls the admin API as root, signed with SigV4 at the daemon's time (which tests may have
    moved with debug/advance-clock)."""
    import datetime

    from sigv4 import sign

    def call(method, command, query=None):
        query = query or {}
        query_string = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        path = f"/_spore/admin/v1/{command}"
        offset = getattr(daemon, "clock_offset_seconds", 0)
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset)
        headers, _ = sign(method, f"127.0.0.1:{daemon.port}", path, ROOT_USER, ROOT_PASSWORD, {},
                          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", query=query_string, now=now)
        response = requests.request(method, f"{daemon.endpoint}{path}" + (f"?{query_string}" if query_string else ""), headers=headers)
        assert response.status_code == expect, response.text
        if command == "debug/advance-clock":
            daemon.clock_offset_seconds = offset + int(query["seconds"])
        return response.json()

    return call
