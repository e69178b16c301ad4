"""Small blobs packed into segment files: placement, reads, compaction by gc under concurrent reads,
SIGKILL during appends and during compaction, a flipped bit found by fsck, metrics."""

import hashlib
import os
import random
import re
import threading
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

SEGMENT_BYTES = 256 * 1024
# Small segments fill and seal within a test; blobs must fit them.
SMALL_SEGMENTS = ["--segment-size", str(SEGMENT_BYTES), "--pack-max", str(64 * 1024)]


def segment_files(daemon):
    folder = daemon.data_dir / "segments"
    return sorted(folder.iterdir()) if folder.exists() else []


def blob_files(daemon):
    return [p for p in (daemon.data_dir / "blobs").rglob("*") if p.is_file()]


def fsck(daemon, *flags):
    result = daemon.cli("fsck", *flags, check=False)
    line = re.search(r"segments: (\d+) files, (\d+) bytes, (\d+) of them recorded blobs", result.stdout)
    assert line, result.stdout + result.stderr
    return result, int(line.group(2)), int(line.group(3))


def put_many(s3, bucket, count, size, seed):
    rng = random.Random(seed)
    bodies = {}
    for index in range(count):
        body = rng.randbytes(size)
        s3.put_object(Bucket=bucket, Key=f"k{index}", Body=body)
        bodies[f"k{index}"] = body
    return bodies


def check_all(s3, bucket, bodies):
    for key, body in bodies.items():
        got = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert hashlib.sha256(got).digest() == hashlib.sha256(body).digest(), key


def test_small_objects_are_packed_and_read_back_after_a_restart(fresh_spore):
    daemon = fresh_spore()
    s3 = daemon.client()
    s3.create_bucket(Bucket="packed")
    sizes = [1, 100, 4096, 16_385, 65_536, 1 << 20, (1 << 20) + 1]
    bodies = {f"s{size}": os.urandom(size) for size in sizes}
    for key, body in bodies.items():
        s3.put_object(Bucket="packed", Key=key, Body=body)
    # Bodies up to 1 KiB live in the index, up to 1 MiB in segments, larger ones in files.
    assert len(segment_files(daemon)) == 1
    assert len(blob_files(daemon)) == 1
    for key, body in bodies.items():
        if len(body) > 20:
            part = s3.get_object(Bucket="packed", Key=key, Range="bytes=7-19")["Body"].read()
            assert part == body[7:20]
    daemon.stop()
    daemon.start()
    check_all(s3, "packed", bodies)
    s3.put_object(Bucket="packed", Key="after", Body=os.urandom(50_000))
    assert len(segment_files(daemon)) == 2, "a restarted daemon opens a new segment"
    result, on_disk, recorded = fsck(daemon)
    assert result.returncode == 0, result.stdout
    assert on_disk == recorded


def test_gc_compacts_dead_segments_while_readers_read(fresh_spore):
    daemon = fresh_spore(args=[*SMALL_SEGMENTS, "--gc-grace", "0"])
    s3 = daemon.client()
    s3.create_bucket(Bucket="compact")
    bodies = put_many(s3, "compact", 120, 20_000, seed=1)
    # Overwrite four in five: most of every sealed segment becomes garbage.
    rng = random.Random(2)
    for index in range(120):
        if index % 5:
            body = rng.randbytes(30_000)
            s3.put_object(Bucket="compact", Key=f"k{index}", Body=body)
            bodies[f"k{index}"] = body
    _, before, recorded_before = fsck(daemon)
    errors = []
    stop = threading.Event()

    def reader(seed):
        client = daemon.client()
        pick = random.Random(seed)
        while not stop.is_set():
            key = pick.choice(list(bodies))
            try:
                got = client.get_object(Bucket="compact", Key=key)["Body"].read()
                if got != bodies[key]:
                    errors.append(f"{key}: wrong bytes")
            except ClientError as error:
                errors.append(f"{key}: {error}")

    readers = [threading.Thread(target=reader, args=(seed,)) for seed in range(4)]
    for thread in readers:
        thread.start()
    try:
        answer = daemon.cli("gc", "--json").stdout
        assert '"segments_rewritten"' in answer
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert not errors, errors[:5]
    _, after, recorded = fsck(daemon)
    assert after < before, f"gc freed no segment bytes ({before} → {after})"
    # Only the active segment may still hold dead bytes.
    assert after - recorded <= SEGMENT_BYTES
    check_all(s3, "compact", bodies)
    metrics = urllib.request.urlopen(daemon.http + "/metrics", timeout=10).read().decode()
    assert re.search(r"^spore_segment_files \d+", metrics, re.M), "segment gauges in /metrics"


@pytest.mark.parametrize("delay_ms", [0, 30, 120])
def test_sigkill_during_compaction_loses_nothing_and_leaks_nothing(fresh_spore, delay_ms):
    args = [*SMALL_SEGMENTS, "--gc-grace", "0", "--maintenance-interval", "3600"]
    daemon = fresh_spore(args=args)
    s3 = daemon.client()
    s3.create_bucket(Bucket="crash")
    bodies = put_many(s3, "crash", 150, 12_000, seed=delay_ms)
    rng = random.Random(delay_ms + 1)
    for index in range(0, 150, 3):
        body = rng.randbytes(9_000)
        s3.put_object(Bucket="crash", Key=f"k{index}", Body=body)
        bodies[f"k{index}"] = body
    # gc collects and then compacts; the daemon dies somewhere inside.
    gc = threading.Thread(target=lambda: daemon.cli("gc", check=False))
    gc.start()
    time.sleep(delay_ms / 1000)
    daemon.kill()
    gc.join()
    daemon.start()
    check_all(s3, "crash", bodies)
    daemon.cli("gc")
    check_all(s3, "crash", bodies)
    daemon.stop()
    # With the daemon stopped, gc rewrites every segment with dead bytes: none may remain.
    daemon.cli("gc")
    result, on_disk, recorded = fsck(daemon)
    assert result.returncode == 0, result.stdout
    assert on_disk == recorded, f"{on_disk - recorded} dead segment bytes left after gc"


def test_sigkill_during_appends_keeps_every_acknowledged_small_object(fresh_spore):
    daemon = fresh_spore(args=SMALL_SEGMENTS)
    daemon.client().create_bucket(Bucket="appends")
    acknowledged = {}
    lock = threading.Lock()
    stop = threading.Event()

    def writer(seed):
        client = daemon.client(connect_timeout=2, read_timeout=5)
        pick = random.Random(seed)
        index = 0
        while not stop.is_set():
            body = pick.randbytes(pick.choice([17_000, 40_000, 60_000]))
            key = f"w{seed}/{index}"
            try:
                client.put_object(Bucket="appends", Key=key, Body=body)
            except Exception:
                return
            with lock:
                acknowledged[key] = hashlib.sha256(body).hexdigest()
            index += 1

    writers = [threading.Thread(target=writer, args=(seed,)) for seed in range(8)]
    for thread in writers:
        thread.start()
    time.sleep(1.5)
    daemon.kill()
    stop.set()
    for thread in writers:
        thread.join()
    assert len(acknowledged) > 20
    daemon.start()
    s3 = daemon.client()
    for key, digest in acknowledged.items():
        assert hashlib.sha256(s3.get_object(Bucket="appends", Key=key)["Body"].read()).hexdigest() == digest, key
    result, _, _ = fsck(daemon)
    assert "missing blobs: 0" in result.stdout and "corrupt blobs: 0" in result.stdout, result.stdout


def test_a_flipped_bit_in_a_segment_is_found_and_quarantined(fresh_spore):
    daemon = fresh_spore()
    s3 = daemon.client()
    s3.create_bucket(Bucket="flip")
    body = os.urandom(30_000)
    s3.put_object(Bucket="flip", Key="victim", Body=body)
    s3.put_object(Bucket="flip", Key="bystander", Body=os.urandom(30_000))
    daemon.stop()
    segment = segment_files(daemon)[0]
    data = bytearray(segment.read_bytes())
    position = data.find(body[1000:1032]) + 5
    data[position] ^= 0x01
    segment.write_bytes(bytes(data))
    result, _, _ = fsck(daemon)
    assert result.returncode == 1 and "corrupt blobs: 1" in result.stdout, result.stdout
    repaired = daemon.cli("fsck", "--repair", check=False)
    assert "1 blobs quarantined" in repaired.stdout, repaired.stdout
    quarantined = list((daemon.data_dir / "quarantine").iterdir())
    assert len(quarantined) == 1 and quarantined[0].name == hashlib.sha256(body).hexdigest()
    daemon.start()
    with pytest.raises(ClientError):
        s3.get_object(Bucket="flip", Key="victim")["Body"].read()
    assert len(s3.get_object(Bucket="flip", Key="bystander")["Body"].read()) == 30_000
