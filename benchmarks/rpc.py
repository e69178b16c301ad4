#!/usr/bin/env python3
"""hypha-rpc calls per second: spore's /ws against the real Hypha 0.21.137, in one run, with the
unmodified `hypha-rpc` client (PyPI 0.21.x) and the same code for both servers.

    benchmarks/rpc.py               # full: 3000 calls per workload
    benchmarks/rpc.py --quick       # 300 calls per workload
    benchmarks/rpc.py --no-build    # reuse .build-bench/release/spore

Setup as benchmarks/artifacts.py: one spore (fsync always) whose S3 listener is Hypha's storage,
Hypha with SQLite, both verifying the same HS256 tokens. Workloads:

- `connect`: `connect_to_server` + `get_service("public/artifact-manager")` + `disconnect` (ops/s);
- `read`: `artifact_manager.read(id)` of one artifact, sequential calls on one connection;
- `list-files`: `s3.list_files("bench/")` of a folder of 20 files, sequential;
- `list-files-x16`: the same with 16 calls in flight on one connection.
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from hypha_rpc import connect_to_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
from artifacts import HYPHA_VERSION, ROOT, SCRATCH, RUN_ID, start_hypha, start_spore, summarize, token  # noqa: E402

WORKLOADS = ["connect", "read", "list-files", "list-files-x16"]


async def timed_loop(operation, count, budget, warmup, concurrency=1):
    for _ in range(warmup):
        await operation()
    latencies = []
    started = time.perf_counter()
    deadline = started + budget
    done = 0
    while done < count and time.perf_counter() < deadline:
        batch = min(concurrency, count - done)

        async def one():
            begin = time.perf_counter()
            await operation()
            latencies.append(time.perf_counter() - begin)

        await asyncio.gather(*[one() for _ in range(batch)])
        done += batch
    return summarize(latencies, time.perf_counter() - started)


async def run_server(name, url, options):
    user = f"rpcbench-{RUN_ID}"
    workspace = f"ws-user-{user}"
    secret = token(user, workspace)
    results = {}
    api = await connect_to_server({"server_url": url, "token": secret, "method_timeout": 60})
    am = await api.get_service("public/artifact-manager")
    s3 = await api.get_service("public/s3-storage")
    artifact = await am.create(alias=f"rpc-read-{RUN_ID}", manifest={"name": "read me", "description": "benchmark", "tags": ["a", "b"]})
    for index in range(20):
        requests.put(await s3.put_file(f"bench/file-{index:02d}.bin"), data=b"x" * 64).raise_for_status()
    listed = await s3.list_files("bench/")
    if len(listed) != 20:
        raise RuntimeError(f"{name}: list_files gave {len(listed)} files, expected 20")

    async def connect_once():
        client = await connect_to_server({"server_url": url, "token": secret, "method_timeout": 60})
        await client.get_service("public/artifact-manager")
        await client.disconnect()

    plan = {
        "connect": (connect_once, options.connects, 1),
        "read": (lambda: am.read(artifact["id"]), options.calls, 1),
        "list-files": (lambda: s3.list_files("bench/"), options.calls, 1),
        "list-files-x16": (lambda: s3.list_files("bench/"), options.calls, 16),
    }
    for workload in options.workloads:
        operation, count, concurrency = plan[workload]
        try:
            result = await timed_loop(operation, count, options.budget, options.warmup, concurrency)
        except Exception as error:  # noqa: BLE001 - the table shows it
            result = {"error": str(error)[:500]}
        results[workload] = result
        print(f"  {name} {workload}: {result.get('ops_per_second', 0):.0f} op/s (p50 {result.get('p50_ms', 0):.2f} ms)"
              if "error" not in result else f"  {name} {workload}: {result['error']}", flush=True)
    await api.disconnect()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--spore-binary")
    parser.add_argument("--hypha-python", default="/tmp/hyphavenv/bin/python")
    parser.add_argument("--workloads", help=f"comma-separated subset of {','.join(WORKLOADS)}")
    parser.add_argument("--out")
    options = parser.parse_args()
    options.calls, options.connects, options.budget, options.warmup = (300, 30, 10.0, 10) if options.quick else (3000, 100, 30.0, 50)
    options.workloads = [w for w in WORKLOADS if not options.workloads or w in options.workloads.split(",")]
    load_start = os.getloadavg()
    binary = Path(options.spore_binary) if options.spore_binary else SCRATCH / "release" / "spore"
    if not options.spore_binary and not options.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "spore", "--scratch-path", str(SCRATCH)], cwd=ROOT, check=True)
    if not Path(options.hypha_python).exists():
        subprocess.run(["bash", str(ROOT / "tests" / "artifacts" / "setup-hypha-venv.sh"), str(Path(options.hypha_python).parents[1])], check=True)
    work = Path(tempfile.mkdtemp(prefix="spore-rpc-bench-"))
    processes, results = [], {}
    try:
        spore, s3_port, http_port = start_spore(binary, work)
        processes.append(spore)
        hypha, hypha_port = start_hypha(options.hypha_python, s3_port, work)
        processes.append(hypha)
        for name, url in (("spore", f"http://127.0.0.1:{http_port}"), ("hypha", f"http://127.0.0.1:{hypha_port}")):
            print(f"{name}:", flush=True)
            before = {p.name: p.cpu_seconds() for p in processes}
            results[name] = asyncio.run(run_server(name, url, options))
            results[name]["_server_cpu_seconds"] = {p.name: round(p.cpu_seconds() - before[p.name], 2) for p in processes}
        results["_rss"] = {"spore": spore.peak_rss_mib(), "hypha": hypha.peak_rss_mib()}
    finally:
        for process in reversed(processes):
            process.stop()
        shutil.rmtree(work, ignore_errors=True)
    lines = [f"| workload | spore | Hypha {HYPHA_VERSION} | spore/Hypha |", "| --- | ---: | ---: | ---: |"]
    for workload in options.workloads:
        ours, theirs = results["spore"].get(workload, {}), results["hypha"].get(workload, {})

        def cell(result):
            return result.get("error", "")[:60] if "error" in result else f"{result['ops_per_second']:.0f} op/s (p50 {result['p50_ms']:.2f} ms)"

        ratio = (f"{ours['ops_per_second'] / theirs['ops_per_second']:.1f}×"
                 if "error" not in ours and "error" not in theirs and theirs.get("ops_per_second") else "–")
        lines.append(f"| {workload} | {cell(ours)} | {cell(theirs)} | {ratio} |")
    lines.append(f"| peak RSS (VmHWM) | {results['_rss']['spore']:.0f} MiB | {results['_rss']['hypha']:.0f} MiB | |")
    report = "\n".join(lines)
    print("\n" + report)
    load_end = os.getloadavg()
    print(f"\nload average at start: {' '.join('%.2f' % x for x in load_start)}; at end: {' '.join('%.2f' % x for x in load_end)}")
    out = Path(options.out) if options.out else ROOT / "benchmarks" / "results" / f"rpc-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"results": results, "table": report, "load": [load_start, load_end]}, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
