#!/usr/bin/env python3
"""Instructions per request, counted by valgrind's callgrind: stable where wall-clock numbers are not.

Builds spore in release mode with DWARF 4 debug info (valgrind 3.19 cannot read the DWARF 5 that
Swift emits by default) into .build-callgrind, runs the daemon under `valgrind --tool=callgrind`,
and for each workload sends warm-up requests, zeroes the counters (`callgrind_control --zero`),
sends N requests one after another from boto3 (outside valgrind), dumps the counters and divides the
daemon's total instructions (every thread) by N. The numbers include the HTTP stack, SigV4, the
index and the blob store; fsync is on, as by default.

    benchmarks/instructions.py                  # build and count
    benchmarks/instructions.py --no-build -n 500
    benchmarks/instructions.py --source DIR     # count another checkout (e.g. the previous commit)
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
ACCESS, SECRET = "benchaccesskey", "benchsecretkey1"
WORKLOADS = ["put-4k", "get-4k", "head-4k", "put-64k", "get-64k", "list-100"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(source, scratch):
    flags = ["-Xswiftc", "-dwarf-version=4", "-Xcc", "-gdwarf-4"]
    subprocess.run(["swift", "build", "-c", "release", "--product", "spore", "--scratch-path", str(scratch), *flags], cwd=source, check=True)


def counted(pid, out_dir):
    """Dumps the counters of the running daemon and returns the instructions since the last zero."""
    before = set(out_dir.glob("callgrind.out*"))
    subprocess.run(["callgrind_control", "--dump", str(pid)], check=True, capture_output=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        fresh = set(out_dir.glob("callgrind.out*")) - before
        if fresh:
            time.sleep(0.5)
            total = 0
            for path in fresh:
                match = re.search(r"^(?:summary|totals): (\d+)", path.read_text(errors="replace"), re.M)
                total += int(match.group(1)) if match else 0
            return total
        time.sleep(0.2)
    raise RuntimeError("callgrind wrote no dump")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--source", default=str(ROOT), help="checkout to build and count (default: this one)")
    parser.add_argument("-n", type=int, default=300, help="requests counted per workload")
    parser.add_argument("--spore-args", default="", help="extra 'spore serve' arguments")
    options = parser.parse_args()
    source = Path(options.source).resolve()
    scratch = source / ".build-callgrind"
    if not options.no_build:
        build(source, scratch)
    binary = scratch / "release" / "spore"
    work = Path(tempfile.mkdtemp(prefix="spore-callgrind-"))
    port, http = free_port(), free_port()
    env = {**os.environ, "SPORE_ROOT_USER": ACCESS, "SPORE_ROOT_PASSWORD": SECRET, "SPORE_CONFIG": "/dev/null", "SPORE_LOG_LEVEL": "warning"}
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={work}/callgrind.out.%p", "--dump-instr=no",
               str(binary), "serve", "--data-dir", str(work / "data"), "--s3-address", f"127.0.0.1:{port}",
               "--http-address", f"127.0.0.1:{http}", "--scrub-rate", "0", *options.spore_args.split()]
    daemon = subprocess.Popen(command, env=env, stdout=open(work / "daemon.log", "wb"), stderr=subprocess.STDOUT, cwd=work)
    results = {}
    try:
        deadline = time.time() + 300
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or daemon.poll() is not None:
                    raise RuntimeError((work / "daemon.log").read_text(errors="replace")[-2000:])
                time.sleep(1)
        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id=ACCESS, aws_secret_access_key=SECRET,
                          region_name="us-east-1", config=Config(retries={"max_attempts": 0}, read_timeout=300,
                                                                 request_checksum_calculation="when_required"))
        s3.create_bucket(Bucket="count")
        bodies = {"4k": os.urandom(4096), "64k": os.urandom(65536)}
        warm = 50

        def run(workload, count, offset):
            operation, size = workload.split("-")
            for index in range(offset, offset + count):
                if operation == "put":
                    body = bodies[size][:-8] + index.to_bytes(8, "little")
                    s3.put_object(Bucket="count", Key=f"{size}/{index}", Body=body)
                elif operation == "get":
                    s3.get_object(Bucket="count", Key=f"{size}/{index}")["Body"].read()
                elif operation == "head":
                    s3.head_object(Bucket="count", Key=f"{size}/{index}")
                else:
                    s3.list_objects_v2(Bucket="count", Prefix="4k/", MaxKeys=100)

        for workload in WORKLOADS:
            run(workload, warm, 0)
            subprocess.run(["callgrind_control", "--zero", str(daemon.pid)], check=True, capture_output=True)
            run(workload, options.n, warm)
            total = counted(daemon.pid, work)
            results[workload] = total / options.n
            print(f"{workload}: {results[workload] / 1000:,.0f} k instructions per request", flush=True)
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=120)
        except subprocess.TimeoutExpired:
            daemon.kill()
        shutil.rmtree(work, ignore_errors=True)
    print()
    print("| workload | instructions per request |")
    print("| --- | ---: |")
    for workload, value in results.items():
        print(f"| {workload} | {value / 1000:,.0f} k |")


if __name__ == "__main__":
    sys.exit(main())
