"""The appliance as an operator runs it: systemd protocol, configuration, CLI, metrics, health,
disk full, backup and restore."""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import BINARY, ROOT, ROOT_PASSWORD, ROOT_USER, Spore, admin_caller, error_code, spore_cli, stored_blobs


class NotifyListener:
    """A stand-in for systemd's NOTIFY_SOCKET."""

    def __init__(self, path):
        self.path = str(path)
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)
        self.socket.settimeout(0.2)
        self.messages = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                data = self.socket.recv(4096)
            except socket.timeout:
                continue
            self.messages.append((time.time(), data.decode()))

    def seen(self, text):
        return any(text in message for _, message in self.messages)

    def close(self):
        self.stop = True
        self.thread.join()
        self.socket.close()


def test_systemd_notify_ready_status_watchdog_and_stopping(tmp_path):
    listener = NotifyListener(tmp_path / "notify.sock")
    daemon = Spore(tmp_path / "data", extra_env={"NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "1000000"})
    try:
        daemon.start()
        deadline = time.time() + 10
        while not listener.seen("WATCHDOG=1") and time.time() < deadline:
            time.sleep(0.1)
        assert listener.seen("READY=1") and listener.seen("STATUS=")
        assert listener.seen("WATCHDOG=1")
        ready_at = next(at for at, message in listener.messages if "READY=1" in message)
        # READY comes only after both listeners accept.
        socket.create_connection(("127.0.0.1", daemon.port)).close()
        socket.create_connection(("127.0.0.1", daemon.http_port)).close()
        assert daemon.stop() == 0
        assert listener.seen("STOPPING=1")
        assert ready_at > 0
    finally:
        listener.close()


def test_watchdog_stops_pinging_while_the_index_writer_is_blocked(tmp_path):
    listener = NotifyListener(tmp_path / "notify.sock")
    daemon = Spore(tmp_path / "data", extra_env={"NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "2000000", "SPORE_DEBUG_HOOKS": "1"})
    try:
        daemon.start()
        s3 = daemon.client()
        s3.create_bucket(Bucket="watchdog")
        time.sleep(2.5)
        assert listener.seen("WATCHDOG=1")
        spore_cli("gc", data_dir=daemon.data_dir, env={"SPORE_S3_ADDRESS": f"127.0.0.1:{daemon.port}"})
        admin = admin_caller(daemon)
        admin("POST", "debug/pause-writer", {"seconds": "9"})
        # Queue a write behind the paused writer.
        writer = threading.Thread(target=lambda: s3.put_object(Bucket="watchdog", Key="queued", Body=b"x"))
        writer.start()
        time.sleep(4.5)  # the stall must last a whole watchdog period (2 s) before pings stop
        quiet_from = time.time()
        time.sleep(3)
        pings_while_stuck = [at for at, message in listener.messages if "WATCHDOG=1" in message and at > quiet_from]
        assert pings_while_stuck == []
        writer.join()
        time.sleep(3)
        assert any("WATCHDOG=1" in message and at > quiet_from + 3 for at, message in listener.messages)
    finally:
        daemon.stop()
        listener.close()


def test_admin_api_is_root_only(spore):
    response = requests.post(f"{spore.endpoint}/_spore/admin/v1/gc")
    assert response.status_code == 403
    alice = spore.client("alice")
    with pytest.raises(ClientError):
        alice.list_objects_v2(Bucket="_spore")


def test_systemd_unit_verifies(tmp_path):
    unit = (ROOT / "systemd" / "spore.service").read_text().replace("/usr/local/bin/spore", str(BINARY))
    target = tmp_path / "spore.service"
    target.write_text(unit)
    result = subprocess.run(["systemd-analyze", "verify", str(target)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Type=notify" in unit and "WatchdogSec=" in unit and "DynamicUser=yes" in unit and "ProtectSystem=strict" in unit


def test_configuration_precedence_and_check(tmp_path):
    config = tmp_path / "spore.toml"
    config.write_text('region = "from-file"\nlog_level = "debug"\ngc_grace = 10\nroot_password = "file-secret-123"\n')
    env = {"SPORE_CONFIG": str(config), "SPORE_LOG_LEVEL": "warning", "SPORE_ROOT_PASSWORD": "env-secret-123"}
    out = spore_cli("config", "check", "--data-dir", str(tmp_path / "d"), env=env).stdout
    assert 'region = "from-file"  # file' in out
    assert 'log_level = "warning"  # environment' in out
    assert "gc_grace = 10  # file" in out
    assert 'data_dir = "' + str(tmp_path / "d") + '"  # flag' in out
    assert "secret-123" not in out and 'root_password = "********"' in out
    bad = tmp_path / "bad.toml"
    bad.write_text('fsync = "sometimes"\n')
    result = spore_cli("config", "check", env={"SPORE_CONFIG": str(bad)}, check=False)
    assert result.returncode != 0 and "fsync" in result.stderr
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('colour = "blue"\n')
    result = spore_cli("config", "check", env={"SPORE_CONFIG": str(unknown)}, check=False)
    assert result.returncode != 0 and "unknown setting" in result.stderr


def test_every_command_has_help():
    commands = ["serve", "version", "config", "config check", "fsck", "gc", "stats", "backup", "restore", "export", "import", "install-service"]
    for command in commands:
        result = spore_cli(*command.split(), "--help")
        assert "USAGE" in result.stdout.upper(), command
    assert spore_cli("version").stdout.startswith("spore ")


def test_metrics_and_health(spore, bucket):
    s3 = spore.client()
    s3.put_object(Bucket=bucket, Key="m", Body=b"metrics")
    s3.get_object(Bucket=bucket, Key="m")["Body"].read()
    assert requests.get(f"{spore.http}/health/live").status_code == 200
    ready = requests.get(f"{spore.http}/health/ready")
    assert ready.status_code == 200 and ready.text.strip() == "ready"
    text = requests.get(f"{spore.http}/metrics").text
    assert re.search(r'spore_s3_requests_total\{[^}]*operation="PutObject"[^}]*\} \d+', text)
    assert "spore_s3_request_duration_seconds_bucket" in text
    assert "spore_s3_received_bytes_total" in text
    # The S3 API is also served under /s3 on the HTTP listener.
    from conftest import make_client
    proxied = make_client(f"{spore.http}/s3", ROOT_USER, ROOT_PASSWORD)
    assert proxied.get_object(Bucket=bucket, Key="m")["Body"].read() == b"metrics"


def test_disk_full_refuses_writes_keeps_reads_and_recovers(fresh_spore):
    daemon = fresh_spore(extra_env={"SPORE_DEBUG_HOOKS": "1", "SPORE_DISK_RESERVE": "1048576"})
    s3 = daemon.client()
    s3.create_bucket(Bucket="full")
    s3.put_object(Bucket="full", Key="before", Body=b"kept")
    admin = admin_caller(daemon)
    admin("POST", "debug/disk-free", {"bytes": "1000"})
    for body in (b"small", os.urandom(200_000)):
        with pytest.raises(ClientError) as excinfo:
            s3.put_object(Bucket="full", Key="during", Body=body)
        assert error_code(excinfo) == "XSporeStorageFull"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 507
    assert s3.get_object(Bucket="full", Key="before")["Body"].read() == b"kept"
    assert requests.get(f"{daemon.http}/health/ready").status_code == 503
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="full")["Contents"]] == ["before"]
    admin("POST", "debug/disk-free", {})
    s3.put_object(Bucket="full", Key="after", Body=b"ok")
    assert not any((daemon.data_dir / "tmp").iterdir())
    daemon.stop()
    assert spore_cli("fsck", data_dir=daemon.data_dir).returncode == 0


def test_fsck_gc_and_stats_on_a_stopped_and_a_running_store(fresh_spore):
    # Blobs as files of their own (packing off): the orphan and the corrupt blob below are files.
    # tests/integration/test_segments.py does the same for packed blobs.
    daemon = fresh_spore(args=["--gc-grace", "3600", "--pack-max", "0"])
    s3 = daemon.client()
    s3.create_bucket(Bucket="audit")
    shared = os.urandom(300_000)
    s3.put_object(Bucket="audit", Key="one", Body=shared)
    s3.put_object(Bucket="audit", Key="two", Body=shared)
    s3.put_object(Bucket="audit", Key="gone", Body=os.urandom(200_000))
    s3.delete_object(Bucket="audit", Key="gone")
    data = daemon.data_dir
    # Read-only beside the running daemon.
    running = spore_cli("fsck", data_dir=data)
    assert "store is clean" in running.stdout
    stats = json.loads(spore_cli("stats", "--json", data_dir=data).stdout)
    assert stats["versions"] == 2 and stats["logical_bytes"] == 600_000 and stats["gc_pending"] == 1
    # gc talks to the running daemon.
    env = {"SPORE_S3_ADDRESS": f"127.0.0.1:{daemon.port}"}
    assert json.loads(spore_cli("gc", "--json", data_dir=data, env=env).stdout)["collected"] == 1
    stats = json.loads(spore_cli("stats", "--json", data_dir=data).stdout)
    assert stats["stored_bytes"] == 300_000 and stats["deduplicated_bytes"] == 300_000
    daemon.stop()
    # A blob the index does not know, and a corrupt one: fsck reports both and exits 1.
    orphan = data / "blobs" / "00" / "00"
    orphan.mkdir(parents=True, exist_ok=True)
    (orphan / ("00" * 32)).write_bytes(b"orphan")
    victim = next(p for p in (data / "blobs").rglob("*") if p.is_file() and p.stat().st_size == 300_000)
    raw = bytearray(victim.read_bytes())
    raw[10] ^= 0xFF
    victim.write_bytes(bytes(raw))
    report = spore_cli("fsck", data_dir=data, check=False)
    assert report.returncode == 1 and "corrupt blobs: 1" in report.stdout and "orphan blobs (on disk, unknown to the index): 1" in report.stdout
    spore_cli("fsck", "--collect", data_dir=data, check=False)
    assert (data / "quarantine" / victim.name).exists() and not (orphan / ("00" * 32)).exists()
    daemon.start()
    with pytest.raises(ClientError):
        daemon.client().get_object(Bucket="audit", Key="one")["Body"].read()


@pytest.mark.parametrize("pack_max", ["0", "1048576"], ids=["file", "packed"])
def test_scrubber_quarantines_a_corrupt_blob_and_get_refuses_it(fresh_spore, pack_max):
    daemon = fresh_spore(args=["--scrub-rate", "100000000", "--pack-max", pack_max])
    s3 = daemon.client()
    s3.create_bucket(Bucket="scrub")
    s3.put_object(Bucket="scrub", Key="victim", Body=os.urandom(100_000))
    daemon.stop()
    [victim] = stored_blobs(daemon.data_dir)
    assert (victim.path.parent.name == "segments") == (pack_max != "0")
    victim.flip(0)
    daemon.start()
    deadline = time.time() + 20
    while not (daemon.data_dir / "quarantine" / victim.name).exists() and time.time() < deadline:
        time.sleep(0.2)
    assert (daemon.data_dir / "quarantine" / victim.name).exists()
    with pytest.raises(ClientError) as excinfo:
        daemon.client().get_object(Bucket="scrub", Key="victim")["Body"].read()
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_backup_under_write_load_restores_to_a_clean_store(fresh_spore, tmp_path):
    daemon = fresh_spore()
    s3 = daemon.client()
    s3.create_bucket(Bucket="precious")
    written = {}
    for index in range(40):
        body = os.urandom([10, 20_000, 150_000][index % 3])
        s3.put_object(Bucket="precious", Key=f"k{index}", Body=body)
        written[f"k{index}"] = body
    stop = threading.Event()

    def churn():
        client = daemon.client()
        index = 0
        while not stop.is_set():
            client.put_object(Bucket="precious", Key=f"churn{index % 7}", Body=os.urandom(50_000))
            index += 1

    thread = threading.Thread(target=churn)
    thread.start()
    backup = tmp_path / "backup"
    spore_cli("backup", str(backup), data_dir=daemon.data_dir)
    stop.set()
    thread.join()
    restored = tmp_path / "restored"
    spore_cli("restore", str(backup), data_dir=restored)
    assert "store is clean" in spore_cli("fsck", data_dir=restored).stdout
    copy = Spore(restored).start()
    try:
        client = copy.client()
        for key, body in written.items():
            assert client.get_object(Bucket="precious", Key=key)["Body"].read() == body
    finally:
        copy.stop()


def test_export_and_import_round_trip(fresh_spore, tmp_path):
    daemon = fresh_spore()
    s3 = daemon.client()
    s3.create_bucket(Bucket="tree")
    files = {"a.txt": b"alpha", "dir/b.bin": os.urandom(40_000), "dir/sub/c": b""}
    for key, body in files.items():
        s3.put_object(Bucket="tree", Key=key, Body=body)
    s3.put_object(Bucket="tree", Key="bad/../escape", Body=b"x")
    out = tmp_path / "export"
    result = spore_cli("export", "tree", str(out), data_dir=daemon.data_dir)
    assert "skipped key" in result.stderr
    for key, body in files.items():
        assert (out / key).read_bytes() == body
    assert not (tmp_path / "escape").exists()
    daemon.stop()
    spore_cli("import", str(out), "copied", data_dir=daemon.data_dir)
    daemon.start()
    for key, body in files.items():
        assert daemon.client().get_object(Bucket="copied", Key=key)["Body"].read() == body


def test_commands_that_change_the_store_refuse_beside_a_daemon(fresh_spore, tmp_path):
    daemon = fresh_spore()
    result = spore_cli("import", str(tmp_path), "x-bucket", data_dir=daemon.data_dir, check=False)
    assert result.returncode != 0 and "stop it first" in result.stderr
    result = spore_cli("fsck", "--repair", data_dir=daemon.data_dir, check=False)
    assert result.returncode != 0 and "stop it first" in result.stderr


def test_json_logs_one_line_per_request(fresh_spore):
    daemon = fresh_spore(extra_env={"SPORE_LOG_FORMAT": "json"})
    daemon.client().list_buckets()
    time.sleep(0.3)
    lines = [json.loads(line) for line in daemon.output().splitlines() if line.startswith("{")]
    requests_logged = [line for line in lines if line.get("message") == "request"]
    assert requests_logged and requests_logged[-1]["operation"] == "ListBuckets" and requests_logged[-1]["status"] == "200"
    assert ROOT_PASSWORD not in daemon.output()


def test_commands_find_a_daemon_started_on_another_address(fresh_spore):
    """A daemon started with --s3-address records where it listens in its data directory, so
    `spore user add --data-dir …` reaches it without being told the address again."""
    daemon = fresh_spore()
    recorded = daemon.data_dir / "s3-address"
    deadline = time.time() + 10
    while not recorded.exists() and time.time() < deadline:
        time.sleep(0.05)  # written once both listeners are up, just after they accept connections
    assert recorded.read_text().strip() == f"http://127.0.0.1:{daemon.port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SPORE_S3_ADDRESS")}
    result = spore_cli("user", "add", "dora", data_dir=daemon.data_dir, env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = spore_cli("user", "list", data_dir=daemon.data_dir)
    assert "dora" in listed.stdout
    # An explicit address still wins.
    wrong = spore_cli("user", "add", "erin", data_dir=daemon.data_dir, env={"SPORE_S3_ADDRESS": "127.0.0.1:1"}, check=False)
    assert wrong.returncode != 0
