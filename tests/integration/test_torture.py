"""Crash consistency under load (scripts/torture, short), and many writers on one key."""

import hashlib
import os
import subprocess
import sys
import threading

from conftest import ROOT


def test_torture_short_run_loses_no_acknowledged_write():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "torture"), "--kills", "3"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "torture: OK" in result.stdout and "LOST" not in result.stdout


def test_32_writers_on_one_key_end_with_one_whole_version(spore, bucket):
    bodies = [os.urandom(50_000 + 1_000 * index) for index in range(32)]
    allowed = {hashlib.sha256(body).hexdigest() for body in bodies}
    torn = []
    done = threading.Event()

    def write(body):
        spore.client().put_object(Bucket=bucket, Key="contended", Body=body)

    def read():
        client = spore.client()
        while not done.is_set():
            try:
                data = client.get_object(Bucket=bucket, Key="contended")["Body"].read()
            except client.exceptions.NoSuchKey:
                continue
            if hashlib.sha256(data).hexdigest() not in allowed:
                torn.append(len(data))

    readers = [threading.Thread(target=read) for _ in range(4)]
    writers = [threading.Thread(target=write, args=(body,)) for body in bodies]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    for thread in readers:
        thread.join()
    assert torn == []
    final = spore.client().get_object(Bucket=bucket, Key="contended")["Body"].read()
    assert hashlib.sha256(final).hexdigest() in allowed
    versions = spore.client().list_object_versions(Bucket=bucket, Prefix="contended").get("Versions", [])
    assert len(versions) == 1
