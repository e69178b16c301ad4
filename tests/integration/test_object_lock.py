"""S3 Object Lock through boto3: bucket configuration, retention, legal hold, governance bypass,
compliance refusal, default retention, and the ways a version could otherwise disappear."""
import datetime
import time

import pytest
from botocore.exceptions import ClientError

from conftest import error_code


def locked_bucket(s3, name):
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def future(seconds):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)


def status(excinfo):
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_lock_configuration_rules(spore):
    s3 = spore.client()
    name = locked_bucket(s3, "lock-config")
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    config = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=config)
    assert s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"] == config
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
    assert error_code(excinfo) == "InvalidBucketState"
    for bad, code in [({"Mode": "GOVERNANCE", "Days": 0}, "InvalidRetentionPeriod"),
                      ({"Mode": "governance", "Days": 1}, "MalformedXML"),
                      ({"Mode": "GOVERNANCE", "Days": 1, "Years": 1}, "MalformedXML")]:
        with pytest.raises(ClientError) as excinfo:
            s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": bad}})
        assert error_code(excinfo) == code
    s3.create_bucket(Bucket="lock-later")
    with pytest.raises(ClientError) as excinfo:
        s3.put_object_lock_configuration(Bucket="lock-later", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert error_code(excinfo) == "InvalidBucketState"
    s3.put_bucket_versioning(Bucket="lock-later", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket="lock-later", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    with pytest.raises(ClientError) as excinfo:
        s3.get_object_retention(Bucket="lock-config", Key="missing")
    s3.create_bucket(Bucket="plain-lockless")
    s3.put_object(Bucket="plain-lockless", Key="k", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.put_object_legal_hold(Bucket="plain-lockless", Key="k", LegalHold={"Status": "ON"})
    assert error_code(excinfo) == "InvalidRequest"


def test_governance_needs_bypass_and_compliance_refuses_everyone(spore):
    s3 = spore.client()
    name = locked_bucket(s3, "lock-modes")
    gov = s3.put_object(Bucket=name, Key="g", Body=b"g", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=future(3600))["VersionId"]
    head = s3.head_object(Bucket=name, Key="g")
    assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockLegalHoldStatus"] == "OFF"
    with pytest.raises(ClientError) as excinfo:
        s3.delete_object(Bucket=name, Key="g", VersionId=gov)
    assert error_code(excinfo) == "AccessDenied"
    # Shortening needs the bypass too; extending does not.
    s3.put_object_retention(Bucket=name, Key="g", VersionId=gov, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(7200)})
    with pytest.raises(ClientError) as excinfo:
        s3.put_object_retention(Bucket=name, Key="g", VersionId=gov, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(60)})
    assert error_code(excinfo) == "AccessDenied"
    # An ordinary user allowed to delete but not to bypass is refused even when asking.
    s3.put_bucket_policy(Bucket=name, Policy=__import__("json").dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:DeleteObjectVersion", "s3:DeleteObject"],
        "Resource": f"arn:aws:s3:::{name}/*"}]}))
    with pytest.raises(ClientError) as excinfo:
        spore.client("alice").delete_object(Bucket=name, Key="g", VersionId=gov, BypassGovernanceRetention=True)
    assert error_code(excinfo) == "AccessDenied"
    s3.delete_object(Bucket=name, Key="g", VersionId=gov, BypassGovernanceRetention=True)

    comp = s3.put_object(Bucket=name, Key="c", Body=b"c", ObjectLockMode="COMPLIANCE",
                         ObjectLockRetainUntilDate=future(3))["VersionId"]
    for attempt in (dict(), dict(BypassGovernanceRetention=True)):
        with pytest.raises(ClientError) as excinfo:
            s3.delete_object(Bucket=name, Key="c", VersionId=comp, **attempt)
        assert error_code(excinfo) == "AccessDenied"
        with pytest.raises(ClientError):
            s3.put_object_retention(Bucket=name, Key="c", VersionId=comp, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(3)},
                                    **attempt)
    result = s3.delete_objects(Bucket=name, BypassGovernanceRetention=True,
                               Delete={"Objects": [{"Key": "c", "VersionId": comp}], "Quiet": True})
    assert result["Errors"][0]["Code"] == "AccessDenied"
    # A delete marker is always allowed; the version stays behind it.
    s3.delete_object(Bucket=name, Key="c")
    assert s3.get_object(Bucket=name, Key="c", VersionId=comp)["Body"].read() == b"c"
    time.sleep(3.5)
    s3.delete_object(Bucket=name, Key="c", VersionId=comp)


def test_legal_hold_blocks_even_bypass_and_default_retention_applies(spore):
    s3 = spore.client()
    name = locked_bucket(s3, "lock-hold")
    version = s3.put_object(Bucket=name, Key="h", Body=b"h", ObjectLockLegalHoldStatus="ON")["VersionId"]
    assert s3.get_object_legal_hold(Bucket=name, Key="h")["LegalHold"]["Status"] == "ON"
    with pytest.raises(ClientError) as excinfo:
        s3.delete_object(Bucket=name, Key="h", VersionId=version, BypassGovernanceRetention=True)
    assert error_code(excinfo) == "AccessDenied"
    s3.put_object_legal_hold(Bucket=name, Key="h", VersionId=version, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=name, Key="h", VersionId=version)

    s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    version = s3.put_object(Bucket=name, Key="d", Body=b"d")["VersionId"]
    retention = s3.get_object_retention(Bucket=name, Key="d", VersionId=version)["Retention"]
    assert retention["Mode"] == "GOVERNANCE"
    assert abs((retention["RetainUntilDate"] - future(86400)).total_seconds()) < 60
    upload = s3.create_multipart_upload(Bucket=name, Key="mp", ObjectLockLegalHoldStatus="ON")
    etag = s3.upload_part(Bucket=name, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"abc")["ETag"]
    done = s3.complete_multipart_upload(Bucket=name, Key="mp", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    with pytest.raises(ClientError):
        s3.delete_object(Bucket=name, Key="mp", VersionId=done["VersionId"], BypassGovernanceRetention=True)
    s3.put_object_legal_hold(Bucket=name, Key="mp", VersionId=done["VersionId"], LegalHold={"Status": "OFF"})


def test_lifecycle_and_ttl_do_not_remove_locked_versions(fresh_spore):
    daemon = fresh_spore(args=["--lifecycle-day-seconds", "1", "--maintenance-interval", "1"])
    s3 = daemon.client()
    name = locked_bucket(s3, "lock-lifecycle")
    locked = s3.put_object(Bucket=name, Key="k", Body=b"old", ObjectLockMode="COMPLIANCE",
                           ObjectLockRetainUntilDate=future(3600))["VersionId"]
    s3.put_object(Bucket=name, Key="k", Body=b"new")
    s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [{
        "ID": "noncurrent", "Filter": {"Prefix": ""}, "Status": "Enabled",
        "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    # spore's own TTL header, set through botocore's event hook: one locked version, one control.
    def add_ttl(request, **_):
        request.headers["x-spore-ttl-seconds"] = "1"
    s3.meta.events.register("before-sign.s3.PutObject", add_ttl)
    ttl = s3.put_object(Bucket=name, Key="ttl", Body=b"short", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=future(3600))["VersionId"]
    control = s3.put_object(Bucket=name, Key="control", Body=b"gone soon")["VersionId"]
    s3.meta.events.unregister("before-sign.s3.PutObject", add_ttl)
    time.sleep(5)
    assert s3.get_object(Bucket=name, Key="k", VersionId=locked)["Body"].read() == b"old"
    assert s3.get_object(Bucket=name, Key="ttl", VersionId=ttl)["Body"].read() == b"short"
    with pytest.raises(ClientError):
        s3.get_object(Bucket=name, Key="control", VersionId=control)
    with pytest.raises(ClientError):
        s3.delete_bucket(Bucket=name)


def test_setting_a_lock_takes_its_own_permission_and_a_bounded_date(spore):
    """A writer who may only PUT cannot make versions no one can remove: the lock headers need
    s3:PutObjectRetention / s3:PutObjectLegalHold; a date in the past is refused."""
    import json
    s3 = spore.client()
    name = locked_bucket(s3, "lock-perms")
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::{name}/*"}]}))
    alice = spore.client("alice")
    alice.put_object(Bucket=name, Key="plain", Body=b"fine")
    for extra in ({"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": future(3600)}, {"ObjectLockLegalHoldStatus": "ON"}):
        with pytest.raises(ClientError) as excinfo:
            alice.put_object(Bucket=name, Key="locked", Body=b"x", **extra)
        assert error_code(excinfo) == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=name, Key="past", Body=b"x", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=future(-60))
    assert error_code(excinfo) == "InvalidArgument"

