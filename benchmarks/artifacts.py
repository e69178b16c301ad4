#!/usr/bin/env python3
"""Spore's Artifact Manager API against the real Hypha server 0.21.137, in one run.

Builds spore in release mode (in its own scratch folder, .build-bench), starts ONE spore and
Hypha 0.21.137 (`python -m hypha.server`, SQLite database) with that spore's S3 listener as its
storage backend, runs the same client code against spore's artifact API (its HTTP listener) and
against Hypha's, prints a table with spore/Hypha ratios and writes JSON.

    benchmarks/artifacts.py                  # the full run (10,000-file commit, 1,000 children)
    benchmarks/artifacts.py --quick          # a smaller run (100-file commit, 200 children), < 2 min
    benchmarks/artifacts.py --no-build       # reuse .build-bench/release/spore
    benchmarks/artifacts.py --workloads read,get-file-batch-100

Both servers share the spore process, its disk and its fsync policy (spore's default: every
acknowledged write is fsynced). Hypha talks to it over S3 (--enable-s3 --s3-admin-type=generic).
Presigned uploads go straight to the URL each server returns. One client, sequential calls, a
requests.Session (keep-alive) per server; latencies are per call, ops/s = calls / elapsed time.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".build-bench"
HYPHA_VERSION = "0.21.137"
JWT_SECRET = "spore-artifact-benchmark-secret-0123456789abcdef"
S3_USER, S3_PASSWORD = "benchroot", "benchrootsecret123"
ISSUER = "https://amun.ai/"
AUDIENCE = "https://amun-ai.eu.auth0.com/api/v2/"
RUN_ID = secrets.token_hex(3)

WORKLOADS = ["create", "read", "list-filter", "get-file-batch-100", "view-template", "view-static", "commit-small", "commit-large"]


# ---- processes ----------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, process, log_path, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n{Path(log_path).read_text()[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open:\n{Path(log_path).read_text()[-4000:]}")


def wait_http(url, process, log_path, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n{Path(log_path).read_text()[-4000:]}")
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout}s:\n{Path(log_path).read_text()[-4000:]}")


class Process:
    """A server process, with its CPU time read from /proc."""

    def __init__(self, name, command, env, log_path, cwd=None):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(command, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd)

    def cpu_seconds(self):
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mib(self):
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def start_spore(binary, work):
    s3_port, http_port = free_port(), free_port()
    env = {"SPORE_ROOT_USER": S3_USER, "SPORE_ROOT_PASSWORD": S3_PASSWORD, "SPORE_DISK_RESERVE": "0", "SPORE_CONFIG": "/dev/null",
           "SPORE_JWT_SECRET": JWT_SECRET, "SPORE_LOG_LEVEL": "warning"}
    process = Process("spore", [str(binary), "serve", "--data-dir", str(work / "spore"), "--s3-address", f"127.0.0.1:{s3_port}",
                                "--http-address", f"127.0.0.1:{http_port}", "--fsync", "always", "--scrub-rate", "0"],
                      env, work / "spore.log")
    wait_port(s3_port, process.process, process.log_path)
    wait_port(http_port, process.process, process.log_path)
    wait_http(f"http://127.0.0.1:{http_port}/health", process.process, process.log_path)
    return process, s3_port, http_port


def start_hypha(python, s3_port, work):
    port = free_port()
    env = {"HYPHA_JWT_SECRET": JWT_SECRET, "JWT_SECRET": JWT_SECRET}
    process = Process("hypha", [python, "-m", "hypha.server", "--host", "127.0.0.1", "--port", str(port),
                                "--enable-s3", "--s3-admin-type=generic", f"--endpoint-url=http://127.0.0.1:{s3_port}",
                                f"--access-key-id={S3_USER}", f"--secret-access-key={S3_PASSWORD}",
                                f"--database-uri=sqlite+aiosqlite:///{work}/hypha.db", "--workspace-bucket=hypha-workspaces",
                                f"--cache-dir={work}/hypha-cache"],
                      env, work / "hypha.log", cwd=work)
    wait_http(f"http://127.0.0.1:{port}/health/readiness", process.process, process.log_path)
    return process, port


# ---- tokens and calls (the conformance suite's helpers, copied) -----------------------------------

def encode_hs256(payload, secret):
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def token(user_id, workspace, expires_in=24 * 3600):
    """An HS256 admin token for the user's own workspace, shaped like Hypha's generate_token()."""
    now = int(time.time())
    return encode_hs256({
        "iss": ISSUER, "sub": user_id, "aud": AUDIENCE, "iat": now, "exp": now + expires_in,
        "scope": f"ws:{workspace}#a wid:{workspace}", "gty": "client-credentials", "https://amun.ai/roles": [],
        "https://amun.ai/email": f"{user_id}@example.com", "https://amun.ai/parent": user_id,
    }, JWT_SECRET)


class CallFailed(Exception):
    def __init__(self, fn, kwargs, status, body):
        shown = {k: (v if not isinstance(v, list) or len(v) <= 3 else v[:3] + [f"… {len(v)} items"]) for k, v in kwargs.items()}
        super().__init__(f"POST /public/services/artifact-manager/{fn} {json.dumps(shown)[:400]} → {status} {str(body)[:600]}")


class Client:
    """One user of one server: its own workspace, a keep-alive session, the service endpoint."""

    def __init__(self, name, url):
        self.name = name
        self.url = url
        self.user = f"bench-{RUN_ID}"
        self.ws = f"ws-user-{self.user}"
        self.headers = {"Authorization": f"Bearer {token(self.user, self.ws)}"}
        self.session = requests.Session()
        # Hypha creates ws-user-X lazily: listing its services is the cheapest call that does.
        response = self.session.get(f"{url}/{self.ws}/services/", headers=self.headers)
        if response.status_code >= 500:
            raise RuntimeError(f"{name}: GET /{self.ws}/services/ → {response.status_code} {response.text[:300]}")

    def aid(self, alias):
        return f"{self.ws}/{alias}"

    def call(self, fn, timeout=None, **kwargs):
        response = self.session.post(f"{self.url}/public/services/artifact-manager/{fn}", json=kwargs, headers=self.headers,
                                     timeout=timeout)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code != 200:
            raise CallFailed(fn, kwargs, response.status_code, body)
        return body

    def timed(self, fn, **kwargs):
        started = time.perf_counter()
        body = self.call(fn, **kwargs)
        return time.perf_counter() - started, body


_upload_sessions = threading.local()


def upload(url, data):
    session = getattr(_upload_sessions, "session", None)
    if session is None:
        session = _upload_sessions.session = requests.Session()
    response = session.put(url, data=data)
    if response.status_code != 200:
        raise RuntimeError(f"PUT {url[:200]} → {response.status_code} {response.text[:300]}")


def staged_with_files(client, alias, count, body=b"x" * 64, parent_id=None, workers=16):
    """A staged artifact with `count` files put through put_file (batches of ≤ 1000) and uploaded."""
    artifact_id = client.aid(alias)
    client.call("create", alias=artifact_id, parent_id=parent_id, manifest={"name": alias, "n_files": count}, stage=True)
    paths = [f"data/part-{i:05d}.bin" for i in range(count)]
    urls = {}
    put_seconds = 0.0
    for start in range(0, count, 1000):
        batch = paths[start:start + 1000]
        seconds, answer = client.timed("put_file", artifact_id=artifact_id, file_path=batch)
        put_seconds += seconds
        if not isinstance(answer, dict) or len(answer) != len(batch):
            raise RuntimeError(f"{client.name}: put_file({len(batch)} paths) answered {str(answer)[:300]}")
        urls.update(answer)
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda url: upload(url, body), urls.values()))
    return artifact_id, paths, {"put_file_seconds": put_seconds, "upload_seconds": time.perf_counter() - started}


# ---- measurement --------------------------------------------------------------------------------

def summarize(latencies, elapsed, extra=None):
    ordered = sorted(latencies)
    result = {
        "operations": len(ordered), "seconds": elapsed, "ops_per_second": len(ordered) / elapsed if elapsed else None,
        "p50_ms": statistics.median(ordered) * 1000,
        "p90_ms": ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))] * 1000,
        "min_ms": ordered[0] * 1000, "max_ms": ordered[-1] * 1000,
    }
    result.update(extra or {})
    return result


def repeat(operation, count, budget, warmup):
    """Runs operation() `warmup` times untimed, then up to `count` times or `budget` seconds (at least 10)."""
    for _ in range(warmup):
        operation()
    latencies = []
    started = time.perf_counter()
    while len(latencies) < count and (len(latencies) < 10 or time.perf_counter() - started < budget):
        begun = time.perf_counter()
        operation()
        latencies.append(time.perf_counter() - begun)
    return summarize(latencies, time.perf_counter() - started)


def workload_create(client, options):
    counter = iter(range(10 ** 9))

    def create():
        i = next(counter)
        client.call("create", alias=client.aid(f"c-{RUN_ID}-{i}"), manifest={"name": f"artifact {i}", "description": "benchmark"})

    return repeat(create, options.creates, options.budget, warmup=options.warmup // 2 or 1)


def workload_read(client, options):
    artifact_id = client.aid(f"readme-{RUN_ID}")
    client.call("create", alias=artifact_id, manifest={"name": "read me", "description": "benchmark", "tags": ["a", "b"]})
    return repeat(lambda: client.call("read", artifact_id=artifact_id), options.reads, options.budget, options.warmup)


def workload_list(client, options):
    parent = client.aid(f"coll-{RUN_ID}")
    client.call("create", alias=parent, type="collection", manifest={"name": "collection", "description": "benchmark"})
    started = time.perf_counter()
    for i in range(options.children):
        client.call("create", alias=client.aid(f"child-{RUN_ID}-{i}"), parent_id=parent,
                    manifest={"name": f"child {i}", "category": f"cat{i % 10}", "rank": i, "tags": [f"t{i % 7}"]})
    setup = time.perf_counter() - started
    filters = {"manifest": {"category": "cat3"}}
    expected = min(100, len([i for i in range(options.children) if i % 10 == 3]))

    def list_filtered():
        items = client.call("list", parent_id=parent, filters=filters, limit=100)
        if len(items) != expected:
            raise RuntimeError(f"{client.name}: list(filters={filters}) gave {len(items)} items, expected {expected}")

    result = repeat(list_filtered, options.lists, options.budget, options.warmup)
    result.update({"children": options.children, "matches": expected, "setup_seconds": setup})
    return result


def workload_get_file(client, options):
    artifact_id, paths, setup = staged_with_files(client, f"getfile-{RUN_ID}", 100)
    client.call("commit", artifact_id=artifact_id)

    def get_files():
        urls = client.call("get_file", artifact_id=artifact_id, file_path=paths)
        if not isinstance(urls, dict) or len(urls) != 100:
            raise RuntimeError(f"{client.name}: get_file(100 paths) answered {str(urls)[:300]}")

    result = repeat(get_files, options.get_files, options.budget, options.warmup)
    # One of the URLs really serves the file.
    check = requests.get(client.call("get_file", artifact_id=artifact_id, file_path=paths[7]))
    result["presigned_get_status"] = check.status_code
    return result


SITE_TEMPLATE = """<!DOCTYPE html>
<html><head><title>{{ artifact.manifest.name }}</title><link rel="stylesheet" href="style.css"></head>
<body><h1>{{ artifact.manifest.name | e }}</h1><p>{{ artifact.manifest.description }}</p>
<ul>{% for tag in artifact.manifest.tags %}<li class="{{ loop.cycle('odd', 'even') }}">{{ loop.index }}. {{ tag | title }}</li>{% endfor %}</ul>
<table>{% for key, value in artifact.manifest.items() %}<tr><th>{{ key }}</th><td>{{ value }}</td></tr>{% endfor %}</table>
<pre>{{ artifact.config.view_config | tojson(indent=2) }}</pre>
<p>{{ workspace }} · {{ user.id }} · {{ artifact.view_count | int }} views</p></body></html>
"""


def view_site(client):
    """A committed site with a template page and a 4 KiB stylesheet, as in the seed's example."""
    alias = f"site-{RUN_ID}"
    artifact_id = client.aid(alias)
    if not getattr(client, "site_ready", False):
        client.call("create", alias=artifact_id, stage=True,
                    manifest={"name": "Portfolio", "description": "benchmark site", "tags": [f"tag {i}" for i in range(20)]},
                    config={"view_config": {"templates": ["index.html"], "headers": {"Cache-Control": "max-age=60"}}})
        for path, data in (("index.html", SITE_TEMPLATE.encode()), ("style.css", b"body { margin: 0; }\n" * 200)):
            upload(client.call("put_file", artifact_id=artifact_id, file_path=path), data)
        client.call("commit", artifact_id=artifact_id)
        client.site_ready = True
    return f"{client.url}/{client.ws}/view/{alias}"


def workload_view(client, options, path):
    base = view_site(client)

    def get_page():
        response = client.session.get(base + path, headers=client.headers)
        if response.status_code != 200 or len(response.content) < 100:
            raise RuntimeError(f"{client.name}: GET view{path} → {response.status_code} {response.text[:300]}")

    return repeat(get_page, options.reads, options.budget, options.warmup)


def workload_commit(client, files, repetitions, timeout):
    latencies, setups = [], []
    for repetition in range(repetitions):
        artifact_id, _, setup = staged_with_files(client, f"commit{files}-{RUN_ID}-{repetition}", files)
        setups.append(setup)
        started = time.perf_counter()
        try:
            answer = client.call("commit", artifact_id=artifact_id, timeout=timeout)
        except requests.Timeout:
            return {"timeout_seconds": timeout, "files": files, "setup": setups,
                    "error": f"commit of {files} files did not answer within {timeout} s"}
        latencies.append(time.perf_counter() - started)
        if answer.get("file_count") != files:
            raise RuntimeError(f"{client.name}: commit answered file_count={answer.get('file_count')}, expected {files}")
    result = summarize(latencies, sum(latencies), {"files": files, "setup": setups})
    return result


def run_all(client, servers, options):
    results = {}
    plan = []
    for workload in options.workloads:
        if workload == "commit-small":
            plan.append((f"commit-{options.small_files}", lambda: workload_commit(client, options.small_files, options.commit_repeats, None)))
        elif workload == "commit-large":
            # Last: a timed-out Hypha commit keeps running inside Hypha.
            plan.append((f"commit-{options.large_files}",
                         lambda: workload_commit(client, options.large_files, options.large_repeats, options.commit_timeout)))
        elif workload == "list-filter":
            plan.append((f"list-{options.children}-filter", lambda: workload_list(client, options)))
        else:
            function = {
                "create": workload_create, "read": workload_read, "get-file-batch-100": workload_get_file,
                "view-template": lambda client, options: workload_view(client, options, "/"),
                "view-static": lambda client, options: workload_view(client, options, "/style.css"),
            }[workload]
            plan.append((workload, lambda function=function: function(client, options)))
    for name, run in plan:
        before = {process.name: process.cpu_seconds() for process in servers}
        client_before = time.process_time()
        try:
            result = run()
        except Exception as error:  # noqa: BLE001 - the table shows it, the run goes on
            result = {"error": str(error)}
        result["server_cpu_seconds"] = {process.name: round(process.cpu_seconds() - before[process.name], 2) for process in servers}
        result["client_cpu_seconds"] = round(time.process_time() - client_before, 2)
        results[name] = result
        print(f"  {client.name} {name}: {headline(name, result)}", flush=True)
    return results


# ---- report -------------------------------------------------------------------------------------

def is_commit(name):
    return name.startswith("commit-")


def headline(name, result):
    if result is None:
        return "–"
    if "timeout_seconds" in result:
        return f"> {result['timeout_seconds']:g} s (timeout)"
    if "error" in result:
        return "FAILED"
    if is_commit(name):
        return f"{result['p50_ms']:.1f} ms (p90 {result['p90_ms']:.1f}, n={result['operations']})"
    return f"{result['ops_per_second']:.0f} op/s (p50 {result['p50_ms']:.2f} ms, p90 {result['p90_ms']:.2f} ms)"


def ratio(name, ours, theirs):
    """spore/Hypha as a speed-up: ops/s ratio, or Hypha's commit time over spore's."""
    if not ours or not theirs or "error" in ours:
        return None, ""
    if "timeout_seconds" in theirs:
        return ours["p50_ms"] and theirs["timeout_seconds"] * 1000 / ours["p50_ms"], ">"
    if "error" in theirs:
        return None, ""
    if is_commit(name):
        return theirs["p50_ms"] / ours["p50_ms"], ""
    return ours["ops_per_second"] / theirs["ops_per_second"], ""


def table(results, options):
    spore, hypha = results["spore"], results["hypha"]
    lines = ["| workload | spore | Hypha 0.21.137 (on spore S3) | spore/Hypha |", "| --- | ---: | ---: | ---: |"]
    names = list(dict.fromkeys(list(spore) + list(hypha)))
    for name in names:
        if not isinstance(spore.get(name), dict) or name.startswith("_"):
            continue
        value, prefix = ratio(name, spore.get(name), hypha.get(name))
        lines.append(f"| {name} | {headline(name, spore.get(name))} | {headline(name, hypha.get(name))} | "
                     f"{prefix + ('%.1f×' % value) if value else '–'} |")
    small, large = f"commit-{options.small_files}", f"commit-{options.large_files}"
    growth = []
    for server in (spore, hypha):
        a, b = server.get(small), server.get(large)
        if a and b and "error" not in a and "timeout_seconds" in b:
            growth.append(f"> {b['timeout_seconds'] * 1000 / a['p50_ms']:.1f}×")
        elif a and b and "error" not in a and "error" not in b:
            growth.append(f"{b['p50_ms'] / a['p50_ms']:.1f}×")
        else:
            growth.append("–")
    lines.append(f"| {large} / {small} commit time | {growth[0]} | {growth[1]} | |")
    cpu = {}
    for label, server in (("spore", spore), ("hypha", hypha)):
        cpu[label] = {}
        for name, result in server.items():
            if isinstance(result, dict) and "server_cpu_seconds" in result:
                for process, seconds in result["server_cpu_seconds"].items():
                    cpu[label][process] = cpu[label].get(process, 0) + seconds
    lines.append(f"| server CPU s, whole run (spore / hypha process) | {cpu['spore'].get('spore', 0):.1f} / – | "
                 f"{cpu['hypha'].get('spore', 0):.1f} / {cpu['hypha'].get('hypha', 0):.1f} | |")
    rss = results.get("_rss", {})
    lines.append(f"| peak RSS (VmHWM) | {rss.get('spore', 0):.0f} MiB (spore, after its run) | "
                 f"{rss.get('hypha', 0):.0f} MiB (Hypha; spore after both: {rss.get('spore_end', 0):.0f} MiB) | |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100-file commit, 200 children, fewer repetitions")
    parser.add_argument("--no-build", action="store_true", help="reuse .build-bench/release/spore")
    parser.add_argument("--spore-binary", help="a spore binary to use instead of building one")
    parser.add_argument("--hypha-python", default="/tmp/hyphavenv/bin/python",
                        help="interpreter with hypha 0.21.137 (created with tests/artifacts/setup-hypha-venv.sh if missing)")
    parser.add_argument("--workloads", help=f"comma-separated subset of {','.join(WORKLOADS)}")
    parser.add_argument("--commit-timeout", type=float, help="seconds a large commit may take (default 900, quick 60)")
    parser.add_argument("--large-repeats", type=int, help="how many large commits to time per server (default 1)")
    parser.add_argument("--out", help="JSON output (default benchmarks/results/artifacts-<timestamp>.json)")
    parser.add_argument("--keep", action="store_true", help="keep the data directories and logs")
    options = parser.parse_args()
    if options.quick:
        options.small_files, options.large_files, options.children = 10, 100, 200
        options.creates, options.reads, options.lists, options.get_files = 100, 300, 100, 100
        options.commit_repeats, options.budget, options.warmup = 3, 5.0, 5
        options.commit_timeout = options.commit_timeout or 60
    else:
        options.small_files, options.large_files, options.children = 10, 10_000, 1_000
        options.creates, options.reads, options.lists, options.get_files = 500, 3000, 1000, 1000
        options.commit_repeats, options.budget, options.warmup = 10, 20.0, 20
        options.commit_timeout = options.commit_timeout or 900
    options.large_repeats = options.large_repeats or 1
    options.workloads = options.workloads.split(",") if options.workloads else WORKLOADS
    unknown = set(options.workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}")
    options.workloads = [w for w in WORKLOADS if w in options.workloads]  # commit-large last

    load_start = os.getloadavg()
    print(f"load average at start: {' '.join('%.2f' % x for x in load_start)} ({os.cpu_count()} CPUs)", flush=True)
    if options.spore_binary:
        binary = Path(options.spore_binary)
    else:
        binary = SCRATCH / "release" / "spore"
        if not options.no_build:
            subprocess.run(["swift", "build", "-c", "release", "--product", "spore", "--scratch-path", str(SCRATCH)], cwd=ROOT, check=True)
    if not binary.exists():
        sys.exit(f"no spore binary at {binary} (run without --no-build)")
    if not Path(options.hypha_python).exists():
        venv = Path(options.hypha_python).parents[1]
        subprocess.run(["bash", str(ROOT / "tests" / "artifacts" / "setup-hypha-venv.sh"), str(venv)], check=True)
    hypha_version = subprocess.run([options.hypha_python, "-c", "from importlib.metadata import version; print(version('hypha'))"],
                                   capture_output=True, text=True).stdout.strip()
    if hypha_version != HYPHA_VERSION:
        print(f"warning: {options.hypha_python} has hypha {hypha_version!r}, not {HYPHA_VERSION}", flush=True)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()

    work = Path(tempfile.mkdtemp(prefix="spore-artifacts-bench-"))
    results = {}
    processes = []
    try:
        spore, s3_port, http_port = start_spore(binary, work)
        processes.append(spore)
        started = time.perf_counter()
        hypha, hypha_port = start_hypha(options.hypha_python, s3_port, work)
        processes.append(hypha)
        print(f"spore: artifact API on 127.0.0.1:{http_port}, S3 on 127.0.0.1:{s3_port} (fsync always), data in {work / 'spore'}")
        print(f"hypha {hypha_version}: 127.0.0.1:{hypha_port}, ready in {time.perf_counter() - started:.1f} s; "
              f"storage: the same spore's S3 listener; database: SQLite ({work / 'hypha.db'})", flush=True)
        for name, url in (("spore", f"http://127.0.0.1:{http_port}"), ("hypha", f"http://127.0.0.1:{hypha_port}")):
            print(f"{name}:", flush=True)
            results[name] = run_all(Client(name, url), processes, options)
            if name == "spore":
                spore_rss = spore.peak_rss_mib()
        results["_rss"] = {"spore": spore_rss, "hypha": hypha.peak_rss_mib(), "spore_end": spore.peak_rss_mib()}
    finally:
        for process in reversed(processes):
            process.stop()
        if options.keep:
            print(f"data and logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    load_end = os.getloadavg()
    report = table(results, options)
    print()
    print(report)
    print(f"\nload average at start: {' '.join('%.2f' % x for x in load_start)}; at end: {' '.join('%.2f' % x for x in load_end)}")
    print("one client, sequential calls (requests.Session keep-alive); commit rows: time of the commit call only, "
          "ratio = Hypha time / spore time; other rows: ops/s ratio")
    failures = [(server, name, result["error"]) for server in ("spore", "hypha") for name, result in results.get(server, {}).items()
                if isinstance(result, dict) and "error" in result]
    for server, name, error in failures:
        print(f"{server} {name}: {error}")
    output = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "load_average": {"start": load_start, "end": load_end},
        "spore": {"binary": str(binary), "commit": commit, "note": "HEAD of the working tree, which may carry uncommitted changes",
                  "fsync": "always"},
        "peer": {"hypha": hypha_version, "storage": "the spore under test's S3 listener", "database": "sqlite+aiosqlite"},
        "options": {k: v for k, v in vars(options).items() if k not in ("out",)},
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "results": results, "table": report,
    }
    out = Path(options.out) if options.out else ROOT / "benchmarks" / "results" / f"artifacts-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(output, indent=2))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
