"""Per-object TTL, lifecycle rules with a shortened day, and tagging."""

import os
import time

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import error_code


def wait_until(condition, timeout=20, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def test_ttl_hides_at_once_and_the_sweeper_reclaims_space(fresh_spore):
    # The maintenance round is slow on purpose: readers must not wait for it.
    daemon = fresh_spore(args=["--maintenance-interval", "3", "--gc-grace", "0"])
    s3 = daemon.client()
    s3.create_bucket(Bucket="ttl")

    def add_ttl(request, **kwargs):
        request.headers["x-spore-ttl-seconds"] = "1"

    s3.meta.events.register("before-sign.s3.PutObject", add_ttl)
    s3.put_object(Bucket="ttl", Key="short-lived", Body=os.urandom(100_000))
    assert s3.get_object(Bucket="ttl", Key="short-lived")["ContentLength"] == 100_000
    time.sleep(1.2)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket="ttl", Key="short-lived")
    assert error_code(excinfo) == "NoSuchKey"
    assert s3.list_objects_v2(Bucket="ttl")["KeyCount"] == 0
    blobs = daemon.data_dir / "blobs"
    assert wait_until(lambda: not any(p.is_file() for p in blobs.rglob("*")))


def test_lifecycle_rules_expire_current_and_noncurrent_versions(fresh_spore):
    daemon = fresh_spore(args=["--lifecycle-day-seconds", "2", "--maintenance-interval", "1"])
    s3 = daemon.client()
    s3.create_bucket(Bucket="rules")
    rules = [
        {"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 1}},
        {"ID": "keep-docs", "Filter": {"Prefix": "docs/"}, "Status": "Disabled", "Expiration": {"Days": 1}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket="rules", LifecycleConfiguration={"Rules": rules})
    assert [r["ID"] for r in s3.get_bucket_lifecycle_configuration(Bucket="rules")["Rules"]] == ["expire-logs", "keep-docs"]
    put = s3.put_object(Bucket="rules", Key="logs/a", Body=b"old log")
    assert 'rule-id="expire-logs"' in put["ResponseMetadata"]["HTTPHeaders"]["x-amz-expiration"]
    s3.put_object(Bucket="rules", Key="docs/a", Body=b"kept")
    assert wait_until(lambda: s3.list_objects_v2(Bucket="rules", Prefix="logs/")["KeyCount"] == 0)
    assert s3.get_object(Bucket="rules", Key="docs/a")["Body"].read() == b"kept"

    s3.create_bucket(Bucket="versions")
    s3.put_bucket_versioning(Bucket="versions", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"v1", b"v2", b"v3"):
        s3.put_object(Bucket="versions", Key="k", Body=body)
    s3.put_bucket_lifecycle_configuration(Bucket="versions", LifecycleConfiguration={"Rules": [
        {"ID": "noncurrent", "Filter": {}, "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
    ]})
    assert wait_until(lambda: len(s3.list_object_versions(Bucket="versions").get("Versions", [])) == 1)
    assert s3.get_object(Bucket="versions", Key="k")["Body"].read() == b"v3"
    s3.delete_bucket_lifecycle(Bucket="versions")
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_lifecycle_configuration(Bucket="versions")
    assert error_code(excinfo) == "NoSuchLifecycleConfiguration"


@pytest.mark.parametrize("rule,code", [
    ({"ID": "x" * 256, "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}, "InvalidArgument"),
    ({"ID": "a", "Filter": {}, "Status": "enabled", "Expiration": {"Days": 1}}, "MalformedXML"),
    ({"ID": "a", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}}, "InvalidArgument"),
    ({"ID": "a", "Filter": {}, "Status": "Enabled", "Expiration": {"Date": "2030-01-01T10:00:00Z"}}, "InvalidArgument"),
])
def test_invalid_lifecycle_rules(s3, bucket, rule, code):
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    assert error_code(excinfo) == code


def test_object_and_bucket_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="tagged", Body=b"x", Tagging="b=2&a=1")
    assert s3.get_object_tagging(Bucket=bucket, Key="tagged")["TagSet"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    assert s3.get_object(Bucket=bucket, Key="tagged")["TagCount"] == 2
    s3.put_object_tagging(Bucket=bucket, Key="tagged", Tagging={"TagSet": [{"Key": "c", "Value": "3"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="tagged")["TagSet"] == [{"Key": "c", "Value": "3"}]
    s3.delete_object_tagging(Bucket=bucket, Key="tagged")
    assert s3.get_object_tagging(Bucket=bucket, Key="tagged")["TagSet"] == []
    with pytest.raises(ClientError) as excinfo:
        s3.put_object_tagging(Bucket=bucket, Key="tagged", Tagging={"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(11)]})
    assert error_code(excinfo) == "InvalidTag"
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_code(excinfo) == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "storage"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "storage"}]
    s3.delete_bucket_tagging(Bucket=bucket)
