"""Crash safety of the artifact manager: SIGKILL while a commit, a batch put_file and a delete are
in flight leaves every artifact wholly as it was before or wholly after each operation, and
`spore fsck` checks the artifact catalog (and, with --repair, releases files a killed delete left
behind)."""

import random
import threading
import time

import requests

from conftest import admin_caller

WS = "ws-user-crash"


def mint(daemon):
    return daemon.cli("token", "create", "--user", "crash").stdout.strip()


class Calls:
    def __init__(self, daemon, token):
        self.base = f"{daemon.http}/public/services/artifact-manager"
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, function, timeout=30, **kwargs):
        response = requests.post(f"{self.base}/{function}", json=kwargs, headers=self.headers, timeout=timeout)
        return response.status_code, response.json()

    def ok(self, function, **kwargs):
        status, body = self.call(function, **kwargs)
        assert status == 200, (function, kwargs, status, body)
        return body


def staged_with_files(calls, alias, count):
    calls.ok("create", alias=f"{WS}/{alias}", manifest={"name": alias}, stage=True)
    paths = [f"f{index:03}.txt" for index in range(count)]
    urls = calls.ok("put_file", artifact_id=f"{WS}/{alias}", file_path=paths)
    for path in paths:
        assert requests.put(urls[path], data=path.encode()).status_code == 200
    return paths


def test_sigkill_during_commit_put_and_delete_leaves_artifacts_whole(fresh_spore):
    daemon = fresh_spore()
    random.seed(20261206)
    calls = Calls(daemon, mint(daemon))
    batches = {}
    outcomes = {"before": 0, "after": 0}
    for round_index in range(8):
        alias = f"commit{round_index}"
        paths = staged_with_files(calls, alias, 20)
        calls.ok("create", alias=f"{WS}/gone{round_index}", manifest={"name": "gone"})
        calls.ok("create", alias=f"{WS}/batch{round_index}", manifest={"name": "batch"}, stage=True)
        batch = [f"b{round_index}-{index:03}.bin" for index in range(200)]
        batches[round_index] = batch

        def commit():
            try:
                calls.call("commit", artifact_id=f"{WS}/{alias}", timeout=5)
            except requests.RequestException:
                pass

        def put_batch():
            try:
                calls.call("put_file", artifact_id=f"{WS}/batch{round_index}", file_path=batch, timeout=5)
            except requests.RequestException:
                pass

        def delete():
            try:
                calls.call("delete", artifact_id=f"{WS}/gone{round_index}", timeout=5)
            except requests.RequestException:
                pass

        threads = [threading.Thread(target=target) for target in (commit, put_batch, delete)]
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(0.002, 0.02))
        daemon.kill()
        for thread in threads:
            thread.join()
        daemon.start()

        staged = calls.ok("read", artifact_id=f"{WS}/{alias}", stage=True, silent=True)
        if staged["versions"]:
            # Wholly after: one version holding every file, no staging left.
            assert staged["staging"] is None and [v["version"] for v in staged["versions"]] == ["v0"]
            assert staged["file_count"] == 20
            listed = calls.ok("list_files", artifact_id=f"{WS}/{alias}")
            outcomes["after"] += 1
        else:
            # Wholly before: still staged, every file still there.
            assert staged["staging"] is not None
            listed = calls.ok("list_files", artifact_id=f"{WS}/{alias}", stage=True)
            outcomes["before"] += 1
        assert sorted(item["name"] for item in listed) == paths

        staging = calls.ok("read", artifact_id=f"{WS}/batch{round_index}", stage=True, silent=True)["staging"]
        recorded = {entry["path"] for entry in staging if "path" in entry}
        assert recorded in (set(), set(batch)), f"a batch put_file was torn: {len(recorded)} of {len(batch)}"

        status, body = calls.call("read", artifact_id=f"{WS}/gone{round_index}")
        assert status in (200, 404), body
        if status == 200:
            assert body["manifest"] == {"name": "gone"}

    print("commit outcomes after the kills:", outcomes)
    daemon.stop()
    check = daemon.cli("fsck", "--quick", check=False)
    if check.returncode != 0:
        # Only what a killed delete may leave: files of a gone artifact, which --repair releases.
        assert "artifact index inconsistencies: 0" in check.stdout, check.stdout
        repaired = daemon.cli("fsck", "--repair", "--quick", check=False)
        assert "artifact index inconsistencies: 0" in repaired.stdout, repaired.stdout
        again = daemon.cli("fsck", "--quick", check=False)
        assert "files of deleted artifacts: 0" in again.stdout, again.stdout
    else:
        assert "checked" in check.stdout and "artifact index inconsistencies: 0" in check.stdout
    # The counters the object writes keep (files per slot, uploads pending) never disagree with
    # the files, whatever moment the daemon died at.
    assert "artifacts whose file counts disagree with their files: 0" in daemon.cli("fsck", "--quick", check=False).stdout


def test_a_commit_killed_before_its_transaction_leaves_the_artifact_staged(fresh_spore):
    """The index writer is paused, so the commit is certainly in flight when the daemon dies."""
    daemon = fresh_spore(extra_env={"SPORE_DEBUG_HOOKS": "1"})
    calls = Calls(daemon, mint(daemon))
    paths = staged_with_files(calls, "paused", 5)
    admin_caller(daemon)("POST", "debug/pause-writer", {"seconds": "5"})
    thread = threading.Thread(target=lambda: calls.call("commit", artifact_id=f"{WS}/paused", timeout=10))
    thread.start()
    time.sleep(0.5)
    daemon.kill()
    thread.join()
    daemon.start()
    staged = calls.ok("read", artifact_id=f"{WS}/paused", stage=True, silent=True)
    assert staged["versions"] == [] and staged["staging"] is not None
    assert sorted(item["name"] for item in calls.ok("list_files", artifact_id=f"{WS}/paused", stage=True)) == paths
    # And the commit works once the daemon is back.
    assert calls.ok("commit", artifact_id=f"{WS}/paused")["file_count"] == 5
