#!/usr/bin/env python3
"""Zip streaming and zip member access: spore against a plain GET of the same bytes, and against
the real Hypha server 0.21.137, in one run.

    benchmarks/zip.py                 # 2 GiB artifact, 10,000-member zip, spore and Hypha (~5 min)
    benchmarks/zip.py --quick         # 256 MiB, 2,000 members (~1 min)
    benchmarks/zip.py --no-build      # reuse .build-bench/release/spore
    benchmarks/zip.py --no-hypha      # spore only (the zip-vs-GET ratio needs no peer)

One spore is started (release build, fsync always); Hypha runs with that spore's S3 listener as its
storage (as in benchmarks/artifacts.py, whose process and token helpers this script reuses). Each
server gets the same two artifacts, uploaded through its own put_file URLs:

- `stream`: large files and 1 MiB files (distinct random bytes) totalling --size-mib (Hypha,
  which streams at a few MiB/s: --peer-size-mib, one timed run, no warm-up). Timed with
  curl writing to /dev/null: (a) every file fetched with a plain GET through the artifact API
  (`/{ws}/artifacts/{alias}/files/{path}?use_proxy=true`, one request after another on one
  keep-alive connection of one curl, the same listener and authentication as the zip), (b) the whole artifact as one `create-zip-file`
  download. Throughput is bytes over wall time; the median of --repeats runs after one warm-up
  pass of each, so both read from the page cache.
- `members`: one stored zip of --members small deflated members in 100 folders. Timed: the first
  member request after the commit (it reads and parses the central directory), then random member
  requests (`zip-files/bundle.zip?path=…`) and folder listings, one at a time on a keep-alive session.
"""

import argparse
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import artifacts as common  # noqa: E402  (the artifact benchmark's process and token helpers)

ROOT = common.ROOT
LARGE_FILE_MIB = 448
SMALL_FILE_MIB = 1


def upload_file(url, path):
    with open(path, "rb") as body:
        response = requests.put(url, data=body, headers={"Content-Length": str(path.stat().st_size)})
    if response.status_code != 200:
        raise RuntimeError(f"PUT {url[:120]} → {response.status_code} {response.text[:300]}")


def random_file(path, size):
    """`size` bytes that neither compress nor deduplicate (spore stores identical content once)."""
    with open(path, "wb") as out:
        left = size
        while left:
            chunk = min(left, 16 << 20)
            out.write(os.urandom(chunk))
            left -= chunk


def build_stream_artifact(client, alias, size_mib, scratch):
    """Large files first, then 1 MiB files, until `size_mib` MiB; returns (artifact id, [(path, size)])."""
    artifact_id = client.aid(alias)
    client.call("create", alias=artifact_id, manifest={"name": alias}, stage=True)
    plan, left = [], size_mib
    while left >= LARGE_FILE_MIB * 2:
        plan.append((f"large/part-{len(plan):02d}.bin", LARGE_FILE_MIB << 20))
        left -= LARGE_FILE_MIB
    plan += [(f"small/{i:04d}.bin", SMALL_FILE_MIB << 20) for i in range(left // SMALL_FILE_MIB)]
    temporary = scratch / "upload.bin"
    for path, size in plan:
        url = client.call("put_file", artifact_id=artifact_id, file_path=path)
        random_file(temporary, size)
        upload_file(url, temporary)
    temporary.unlink()
    client.call("commit", artifact_id=artifact_id, timeout=600)
    return artifact_id, plan


def member_zip(count):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for i in range(count):
            archive.writestr(f"dir{i // 100:03d}/member-{i:05d}.txt", f"member {i}\n".encode() * 40)
    return buffer.getvalue()


def curl_seconds(url, headers, expected_bytes=None):
    command = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    status, size, seconds = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    if status != "200" or (expected_bytes is not None and int(size) != expected_bytes):
        raise RuntimeError(f"GET {url} → {status}, {size} bytes (expected {expected_bytes})")
    return int(size), float(seconds)


def workload_stream(client, server, options, scratch):
    alias = "zip-stream"
    started = time.perf_counter()
    size_mib = options.size_mib if server == "spore" else min(options.size_mib, options.peer_size_mib)
    repeats = options.repeats if server == "spore" else 1
    artifact_id, plan = build_stream_artifact(client, alias, size_mib, scratch)
    setup = time.perf_counter() - started
    total = sum(size for _, size in plan)
    base = f"{client.url}/{client.ws}/artifacts/{alias}"

    # One curl for all files (a config file of url/output pairs), so they share a keep-alive
    # connection as the zip download does and no process is started per file.
    config = scratch / f"{server}-get.curl"
    lines = [f'header = "{name}: {value}"' for name, value in client.headers.items()]
    for path, _ in plan:
        lines += [f'url = "{base}/files/{path}?use_proxy=true"', "output = /dev/null"]
    config.write_text("\n".join(lines) + "\n")

    def plain_get():
        began = time.perf_counter()
        answer = subprocess.run(["curl", "-sS", "-K", str(config), "-w", "%{http_code} %{size_download}\n"],
                                capture_output=True, text=True, check=True).stdout.split("\n")
        elapsed = time.perf_counter() - began
        received = [line.split() for line in answer if line]
        if len(received) != len(plan) or any(status != "200" or int(size) != expected
                                             for (status, size), (_, expected) in zip(received, plan)):
            raise RuntimeError(f"{server}: plain GETs answered {received[:3]}…")
        return elapsed

    def zip_download():
        size, seconds = curl_seconds(f"{base}/create-zip-file", client.headers)
        if size <= total:
            raise RuntimeError(f"{server}: the zip has {size} bytes, fewer than its {total} bytes of files")
        return seconds, size

    if server == "spore":
        plain_get()
        zip_download()
    gets, zips, zip_size = [], [], 0
    for _ in range(repeats):
        gets.append(plain_get())
        seconds, zip_size = zip_download()
        zips.append(seconds)
    get_mib_s = total / statistics.median(gets) / (1 << 20)
    zip_mib_s = zip_size / statistics.median(zips) / (1 << 20)
    print(f"  {server} plain GET of {len(plan)} files: {get_mib_s:.0f} MiB/s; create-zip-file: {zip_mib_s:.0f} MiB/s", flush=True)
    return {"files": len(plan), "bytes": total, "zip_bytes": zip_size, "setup_seconds": setup, "get_seconds": gets, "zip_seconds": zips,
            "get_mib_per_s": get_mib_s, "zip_mib_per_s": zip_mib_s, "zip_over_get": zip_mib_s / get_mib_s}


def workload_members(client, server, options):
    alias = "zip-members"
    artifact_id = client.aid(alias)
    client.call("create", alias=artifact_id, manifest={"name": alias}, stage=True)
    body = member_zip(options.members)
    common.upload(client.call("put_file", artifact_id=artifact_id, file_path="bundle.zip"), body)
    client.call("commit", artifact_id=artifact_id)
    base = f"{client.url}/{client.ws}/artifacts/{alias}/zip-files/bundle.zip"
    rng = random.Random(7)

    def member(i):
        began = time.perf_counter()
        response = client.session.get(base, params={"path": f"dir{i // 100:03d}/member-{i:05d}.txt"}, headers=client.headers)
        elapsed = time.perf_counter() - began
        if response.status_code != 200 or response.content != f"member {i}\n".encode() * 40:
            raise RuntimeError(f"{server}: member {i} → {response.status_code} {response.text[:200]}")
        return elapsed

    def listing(folder):
        began = time.perf_counter()
        response = client.session.get(base, params={"path": f"dir{folder:03d}/"}, headers=client.headers)
        elapsed = time.perf_counter() - began
        if response.status_code != 200 or len(response.json()) != 100:
            raise RuntimeError(f"{server}: listing dir{folder:03d}/ → {response.status_code} {response.text[:200]}")
        return elapsed

    first = member(rng.randrange(options.members))
    members = [member(rng.randrange(options.members)) for _ in range(options.member_requests)]
    listings = [listing(rng.randrange(options.members // 100)) for _ in range(max(10, options.member_requests // 10))]
    result = {"members": options.members, "zip_bytes": len(body), "first_ms": first * 1000,
              "member": common.summarize(members, sum(members)), "listing": common.summarize(listings, sum(listings))}
    print(f"  {server} zip member: first {first * 1000:.1f} ms, then p50 {result['member']['p50_ms']:.2f} ms, "
          f"p90 {result['member']['p90_ms']:.2f} ms; folder listing p50 {result['listing']['p50_ms']:.2f} ms", flush=True)
    return result


def table(results):
    servers = [name for name in ("spore", "hypha") if name in results]
    header = "| workload | " + " | ".join(servers) + (" | spore/Hypha |" if len(servers) == 2 else " |")
    lines = [header, "| --- |" + " ---: |" * (len(servers) + (len(servers) == 2))]

    def row(label, cell, better=None):
        values = [cell(results[name]) if results[name] else None for name in servers]
        shown = ["–" if value is None else value[0] for value in values]
        ratio = ""
        if len(servers) == 2:
            ratio = "–"
            if better and all(value is not None for value in values):
                ratio = f"{better(values[0][1], values[1][1]):.1f}×"
            ratio = f" {ratio} |"
        lines.append(f"| {label} | " + " | ".join(shown) + " |" + ratio)

    def stream(key):
        return lambda r: (f"{r['stream'][key]:.0f} MiB/s", r["stream"][key]) if "stream" in r else None

    row("plain GET of every file (MiB/s)", stream("get_mib_per_s"), lambda s, h: s / h)
    row("create-zip-file of the same files (MiB/s)", stream("zip_mib_per_s"), lambda s, h: s / h)
    row("zip / plain GET", lambda r: (f"{r['stream']['zip_over_get']:.2f}", None) if "stream" in r else None)
    row("first member request (reads the directory)",
        lambda r: (f"{r['members']['first_ms']:.1f} ms", r["members"]["first_ms"]) if "members" in r else None, lambda s, h: h / s)
    row("member request p50 / p90",
        lambda r: (f"{r['members']['member']['p50_ms']:.2f} / {r['members']['member']['p90_ms']:.2f} ms",
                   r["members"]["member"]["p50_ms"]) if "members" in r else None, lambda s, h: h / s)
    row("folder listing (100 entries) p50",
        lambda r: (f"{r['members']['listing']['p50_ms']:.2f} ms", r["members"]["listing"]["p50_ms"]) if "members" in r else None,
        lambda s, h: h / s)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="256 MiB artifact, 2,000 members")
    parser.add_argument("--no-build", action="store_true", help="reuse .build-bench/release/spore")
    parser.add_argument("--no-hypha", action="store_true", help="spore only")
    parser.add_argument("--spore-binary", help="a spore binary to use instead of building one")
    parser.add_argument("--hypha-python", default="/tmp/hyphavenv/bin/python")
    parser.add_argument("--size-mib", type=int, help="artifact size for the stream workload (default 2048, quick 256)")
    parser.add_argument("--peer-size-mib", type=int, default=256,
                        help="artifact size for Hypha's stream workload (it streams at a few MiB/s; default 256), timed once")
    parser.add_argument("--members", type=int, help="members of the stored zip (default 10000, quick 2000)")
    parser.add_argument("--repeats", type=int, help="timed downloads of each kind (default 3, quick 2)")
    parser.add_argument("--out", help="JSON output (default benchmarks/results/zip-<timestamp>.json)")
    options = parser.parse_args()
    options.size_mib = options.size_mib or (256 if options.quick else 2048)
    options.members = options.members or (2000 if options.quick else 10_000)
    options.repeats = options.repeats or (2 if options.quick else 3)
    options.member_requests = 200 if options.quick else 1000

    load_start = os.getloadavg()
    print(f"load average at start: {' '.join('%.2f' % x for x in load_start)} ({os.cpu_count()} CPUs)", flush=True)
    binary = Path(options.spore_binary) if options.spore_binary else common.SCRATCH / "release" / "spore"
    if not options.spore_binary and not options.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "spore", "--scratch-path", str(common.SCRATCH)], cwd=ROOT, check=True)
    if not binary.exists():
        sys.exit(f"no spore binary at {binary} (run without --no-build)")
    if not options.no_hypha and not Path(options.hypha_python).exists():
        subprocess.run(["bash", str(ROOT / "tests" / "artifacts" / "setup-hypha-venv.sh"), str(Path(options.hypha_python).parents[1])],
                       check=True)

    work = Path(tempfile.mkdtemp(prefix="spore-zip-bench-"))
    results, processes = {}, []
    try:
        spore, s3_port, http_port = common.start_spore(binary, work)
        processes.append(spore)
        servers = [("spore", f"http://127.0.0.1:{http_port}")]
        if not options.no_hypha:
            hypha, hypha_port = common.start_hypha(options.hypha_python, s3_port, work)
            processes.append(hypha)
            servers.append(("hypha", f"http://127.0.0.1:{hypha_port}"))
        for name, url in servers:
            print(f"{name}:", flush=True)
            client = common.Client(name, url)
            results[name] = {}
            for workload, run in (("stream", lambda: workload_stream(client, name, options, work)),
                                  ("members", lambda: workload_members(client, name, options))):
                try:
                    results[name][workload] = run()
                except Exception as error:  # a peer's failure is a result, not the end of the run
                    print(f"  {name} {workload} failed: {error}", flush=True)
            if name == "spore":
                results["_spore_peak_rss_mib"] = spore.peak_rss_mib()
    finally:
        for process in reversed(processes):
            process.stop()
        shutil.rmtree(work, ignore_errors=True)
    rss = results.pop("_spore_peak_rss_mib", None)
    report = table(results)
    print()
    print(report)
    print(f"\nspore peak RSS over its runs: {rss:.0f} MiB" if rss else "")
    print("throughput: bytes / wall time, median of the timed runs (curl to /dev/null); member rows: one request at a time, "
          "keep-alive; ratios: spore over Hypha (higher is better for spore)")
    output = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()}, "options": vars(options),
              "load_average": {"start": load_start, "end": os.getloadavg()}, "results": results, "spore_peak_rss_mib": rss,
              "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "table": report}
    out = Path(options.out) if options.out else ROOT / "benchmarks" / "results" / f"zip-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(output, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
