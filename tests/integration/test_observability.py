"""Every request of every listener is observed: it carries an X-Request-Id (and S3 answers an equal
x-amz-request-id), and it is counted in /metrics under the face that answered it, with the
operation that face named."""

import json
import os
import re

import requests

from conftest import ROOT_PASSWORD, ROOT_USER, make_client

REQUEST_ID = re.compile(r"^[0-9A-F]{16}$")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def samples(daemon):
    """The /metrics exposition as {(name, frozenset(labels)): value}."""
    found = {}
    for line in requests.get(f"{daemon.http}/metrics").text.splitlines():
        match = SAMPLE.match(line)
        if match is None or line.startswith("#"):
            continue
        name, labels, value = match.groups()
        found[(name, frozenset(LABEL.findall(labels or "")))] = float(value)
    return found


def count(found, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(value for (sample, sample_labels), value in found.items() if sample == name and wanted <= sample_labels)


def request_id(headers):
    value = headers.get("X-Request-Id") or headers.get("x-request-id")
    assert value is not None and REQUEST_ID.match(value), dict(headers)
    return value


def test_every_listener_answers_with_a_request_id_and_counts_the_request_under_its_face(spore, bucket):
    before = samples(spore)
    ids = []
    name = f"observed-{os.getpid()}.txt"

    # The S3 listener: the request id is also the x-amz-request-id.
    s3 = spore.client()
    put = s3.put_object(Bucket=bucket, Key=name, Body=b"observed")["ResponseMetadata"]["HTTPHeaders"]
    ids.append(request_id(put))
    assert put["x-amz-request-id"] == put["x-request-id"]
    refused = requests.get(f"{spore.endpoint}/{bucket}/{name}")
    assert refused.status_code == 403
    ids.append(request_id(refused.headers))
    assert refused.headers["x-amz-request-id"] == refused.headers["X-Request-Id"]

    # The HTTP listener: the S3 API under /s3 ...
    proxied = make_client(f"{spore.http}/s3", ROOT_USER, ROOT_PASSWORD).get_object(Bucket=bucket, Key=name)
    assert proxied["Body"].read() == b"observed"
    headers = proxied["ResponseMetadata"]["HTTPHeaders"]
    ids.append(request_id(headers))
    assert headers["x-amz-request-id"] == headers["x-request-id"]

    # ... share links ...
    link = json.loads(spore.cli("share", "link", f"{bucket}/{name}", "--expires", "1d", "--json").stdout)
    shared = requests.get(link["url"])
    assert shared.status_code == 200 and shared.content == b"observed"
    ids.append(request_id(shared.headers))
    unknown_share = requests.get(f"{spore.http}/share/not-a-token")
    assert unknown_share.status_code == 404
    ids.append(request_id(unknown_share.headers))

    # ... the operations endpoints ...
    live = requests.get(f"{spore.http}/health/live")
    assert live.status_code == 200
    ids.append(request_id(live.headers))
    metrics = requests.get(f"{spore.http}/metrics")
    assert metrics.status_code == 200
    ids.append(request_id(metrics.headers))

    # ... and the Hypha-style API: /files, a service call, an unknown route.
    token = spore.cli("token", "create", "--user", "user-1").stdout.strip()
    bearer = {"Authorization": f"Bearer {token}"}
    files = requests.put(f"{spore.http}/ws-user-user-1/files/observability/{name}", data=b"hypha", headers=bearer)
    assert files.status_code == 200
    ids.append(request_id(files.headers))
    listed = requests.post(f"{spore.http}/public/services/s3-storage/list_files", json={"path": "observability/"}, headers=bearer)
    assert listed.status_code == 200 and name in [item["name"] for item in listed.json()]
    ids.append(request_id(listed.headers))
    lost = requests.get(f"{spore.http}/no/such/route")
    assert lost.status_code == 404 and lost.json() == {"detail": "Not Found"}
    ids.append(request_id(lost.headers))

    assert len(set(ids)) == len(ids), ids

    after = samples(spore)

    def grew(name, by=1, **labels):
        return count(after, name, **labels) - count(before, name, **labels) >= by

    assert grew("spore_s3_requests_total", operation="PutObject", status="200")
    assert grew("spore_s3_requests_total", operation="GetObject", status="200")
    assert grew("spore_s3_requests_total", operation="GetObject", status="403")
    assert grew("spore_share_requests_total", operation="share.GET", status="200")
    assert grew("spore_share_requests_total", operation="share.GET", status="404")
    assert grew("spore_operations_requests_total", operation="HealthLive", status="200")
    # The first read of /metrics above and the one in the middle of the test.
    assert grew("spore_operations_requests_total", by=2, operation="Metrics", status="200")
    assert grew("spore_hypha_requests_total", operation="PUT /{workspace}/files/**", status="200")
    assert grew("spore_hypha_requests_total", operation="s3-storage.list_files", status="200")
    assert grew("spore_hypha_requests_total", operation="GET unmatched", status="404")
    # Each face counts only its own requests.
    assert count(after, "spore_hypha_requests_total", operation="PutObject") == 0
    assert count(after, "spore_s3_requests_total", operation="s3-storage.list_files") == 0
    assert count(after, "spore_hypha_requests_total", operation="Metrics") == 0


def test_memory_is_reported_apart_from_the_mapped_index(fresh_spore):
    """Anonymous memory (what spore allocates) and the index's mapped pages (page cache seen
    through the map) are separate gauges, updated by the metrics service every few seconds."""
    import time
    daemon = fresh_spore(args=["--maintenance-interval", "1"])
    s3 = daemon.client()
    s3.create_bucket(Bucket="memory")
    for index in range(300):
        s3.put_object(Bucket="memory", Key=f"k{index}", Body=b"x" * 3000)
    deadline = time.time() + 30
    while time.time() < deadline:
        found = samples(daemon)
        if count(found, "spore_index_mapped_resident_bytes") > 0:
            break
        time.sleep(1)
    anonymous = count(found, "spore_process_anonymous_bytes")
    resident = count(found, "spore_process_resident_bytes")
    mapped = count(found, "spore_index_mapped_resident_bytes")
    assert 0 < anonymous < resident, found
    assert 0 < mapped <= count(found, "spore_process_file_backed_bytes")
    assert count(found, "spore_index_file_bytes") >= mapped
    assert count(found, "spore_process_resident_peak_bytes") >= resident
