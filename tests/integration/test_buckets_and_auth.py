"""Buckets, users and signatures."""

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import ROOT_PASSWORD, ROOT_USER, USERS, error_code, make_client


def test_bucket_lifecycle(s3):
    name = "lifecycle-bucket-1"
    s3.create_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.head_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"v")
    # In us-east-1 (spore's default region), AWS lets the owner create the bucket again; it stays as it was.
    s3.create_bucket(Bucket=name)
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"v"
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket=name)
    assert error_code(excinfo) == "BucketNotEmpty"
    s3.delete_object(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket=name)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize("name", ["ab", "UPPER", "under_score", "-dash", "a..b", "192.168.1.1", "x" * 64])
def test_invalid_bucket_names(s3, name):
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=name)
    assert error_code(excinfo) == "InvalidBucketName"


@pytest.mark.parametrize("region", ["EU", "us-east-1", "eu-central-1"])
def test_create_bucket_without_location_whatever_the_signing_region(spore, region):
    # Hypha signs with region "EU" and sends no LocationConstraint.
    import boto3
    client = boto3.client("s3", endpoint_url=spore.endpoint, aws_access_key_id=ROOT_USER,
                          aws_secret_access_key=ROOT_PASSWORD, region_name=region)
    name = f"region-{region.lower()}"
    client.create_bucket(Bucket=name)
    client.put_object(Bucket=name, Key="k", Body=b"v")
    assert client.get_object(Bucket=name, Key="k")["Body"].read() == b"v"
    client.delete_object(Bucket=name, Key="k")
    client.delete_bucket(Bucket=name)


def test_users_own_their_buckets(spore):
    alice, bob, root = spore.client("alice"), spore.client("bob"), spore.client()
    alice.create_bucket(Bucket="alice-data")
    bob.create_bucket(Bucket="bob-data")
    try:
        assert [b["Name"] for b in alice.list_buckets()["Buckets"]] == ["alice-data"]
        assert [b["Name"] for b in bob.list_buckets()["Buckets"]] == ["bob-data"]
        root_sees = [b["Name"] for b in root.list_buckets()["Buckets"]]
        assert "alice-data" in root_sees and "bob-data" in root_sees
        alice.put_object(Bucket="alice-data", Key="secret", Body=b"alice only")
        for call in (
            lambda: bob.get_object(Bucket="alice-data", Key="secret"),
            lambda: bob.put_object(Bucket="alice-data", Key="intruder", Body=b"x"),
            lambda: bob.list_objects_v2(Bucket="alice-data"),
            lambda: bob.delete_object(Bucket="alice-data", Key="secret"),
            lambda: bob.delete_bucket(Bucket="alice-data"),
        ):
            with pytest.raises(ClientError) as excinfo:
                call()
            assert error_code(excinfo) == "AccessDenied"
        with pytest.raises(ClientError) as excinfo:
            bob.create_bucket(Bucket="alice-data")
        assert error_code(excinfo) == "BucketAlreadyExists"
        assert root.get_object(Bucket="alice-data", Key="secret")["Body"].read() == b"alice only"
        assert [o["Key"] for o in alice.list_objects_v2(Bucket="alice-data")["Contents"]] == ["secret"]
    finally:
        root.delete_object(Bucket="alice-data", Key="secret")
        root.delete_bucket(Bucket="alice-data")
        root.delete_bucket(Bucket="bob-data")


def test_wrong_secret_changes_nothing(spore, bucket):
    bad = make_client(spore.endpoint, ROOT_USER, "not-the-secret")
    with pytest.raises(ClientError) as excinfo:
        bad.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert error_code(excinfo) == "SignatureDoesNotMatch"
    assert spore.client().list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_unknown_access_key(spore, bucket):
    bad = make_client(spore.endpoint, "NOSUCHKEY", "whatever-secret")
    with pytest.raises(ClientError) as excinfo:
        bad.list_objects_v2(Bucket=bucket)
    assert error_code(excinfo) == "InvalidAccessKeyId"


def test_anonymous_is_denied(spore, bucket):
    spore.client().put_object(Bucket=bucket, Key="k", Body=b"v")
    for method, path in (("GET", f"/{bucket}/k"), ("PUT", f"/{bucket}/new"), ("GET", f"/{bucket}"), ("GET", "/")):
        response = requests.request(method, spore.endpoint + path, data=b"x" if method == "PUT" else None)
        assert response.status_code == 403
        assert "<Code>AccessDenied</Code>" in response.text
        assert response.headers["x-amz-request-id"]
    assert spore.client().list_objects_v2(Bucket=bucket)["KeyCount"] == 1


def test_tampered_presigned_url_is_refused(spore, bucket):
    s3 = spore.client()
    s3.put_object(Bucket=bucket, Key="doc", Body=b"content")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "doc"}, ExpiresIn=60)
    assert requests.get(url).content == b"content"
    tampered = url.replace("doc?", "doc2?")
    response = requests.get(tampered)
    assert response.status_code == 403 and "SignatureDoesNotMatch" in response.text


def test_every_response_has_a_request_id(spore):
    response = requests.get(spore.endpoint + "/")
    assert response.headers.get("x-amz-request-id")


def test_recreating_an_owned_bucket_outside_us_east_1(fresh_spore):
    daemon = fresh_spore(args=["--region", "eu-central-1"])
    s3 = daemon.client()
    s3.create_bucket(Bucket="regional")
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket="regional")
    assert error_code(excinfo) == "BucketAlreadyOwnedByYou"
    assert s3.get_bucket_location(Bucket="regional")["LocationConstraint"] == "eu-central-1"


def test_configuration_probes_get_aws_defaults(spore, bucket):
    """What SDKs and consoles read to learn a configuration is unset: AWS's answers for a bucket
    without it; setting one spore does not offer is NotImplemented, never a silent success."""
    s3 = spore.client()
    notification = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert not any(key.endswith("Configurations") for key in notification)
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    for call, code in (
        (s3.get_bucket_encryption, "ServerSideEncryptionConfigurationNotFoundError"),
        (s3.get_bucket_website, "NoSuchWebsiteConfiguration"),
        (s3.get_bucket_replication, "ReplicationConfigurationNotFoundError"),
        (s3.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call(Bucket=bucket)
        assert error_code(excinfo) == code
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    assert error_code(excinfo) == "NotImplemented"
    with pytest.raises(ClientError) as excinfo:
        spore.client("alice").get_bucket_logging(Bucket=bucket)
    assert error_code(excinfo) == "AccessDenied"
