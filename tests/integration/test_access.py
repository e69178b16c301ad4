"""Access control and sharing: users and keys, scoped credentials, bucket policies and ACLs,
anonymous access, CORS from a real browser, browser POST uploads and share links."""

import base64
import datetime
import hashlib
import hmac
import json
import subprocess
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore.exceptions import ClientError

from browser import PageServer, run_in_chromium
from conftest import ROOT_PASSWORD, ROOT_USER, admin_caller, error_code, make_client


def cli_json(daemon, *args):
    return json.loads(daemon.cli(*args, "--json").stdout)


def denied(call):
    with pytest.raises(ClientError) as excinfo:
        call()
    return error_code(excinfo)


# ---- users and keys ------------------------------------------------------------------------

def test_two_users_cannot_see_each_others_buckets(spore):
    alice, bob = spore.client("alice"), spore.client("bob")
    alice.create_bucket(Bucket="alice-private")
    alice.put_object(Bucket="alice-private", Key="diary.txt", Body=b"dear diary")
    try:
        assert "alice-private" not in [b["Name"] for b in bob.list_buckets()["Buckets"]]
        assert "alice-private" in [b["Name"] for b in alice.list_buckets()["Buckets"]]
        assert denied(lambda: bob.get_object(Bucket="alice-private", Key="diary.txt")) == "AccessDenied"
        assert denied(lambda: bob.list_objects_v2(Bucket="alice-private")) == "AccessDenied"
        assert denied(lambda: bob.put_object(Bucket="alice-private", Key="x", Body=b"x")) == "AccessDenied"
        assert denied(lambda: bob.delete_object(Bucket="alice-private", Key="diary.txt")) == "AccessDenied"
        assert denied(lambda: bob.delete_bucket(Bucket="alice-private")) == "AccessDenied"
        assert alice.get_object(Bucket="alice-private", Key="diary.txt")["Body"].read() == b"dear diary"
    finally:
        alice.delete_object(Bucket="alice-private", Key="diary.txt")
        alice.delete_bucket(Bucket="alice-private")


def test_prefix_scoped_key_like_hypha_generate_credential(spore):
    """The checks Hypha's tests make on a generate_credential() key, and the rest of the boundary."""
    root = spore.client()
    root.create_bucket(Bucket="hypha-workspaces")
    root.put_object(Bucket="hypha-workspaces", Key="ws-other/secret.txt", Body=b"not yours")
    created = cli_json(spore, "user", "add", "ws-user-1")
    assert created["name"] == "ws-user-1"
    key = cli_json(spore, "key", "create", "--user", "ws-user-1", "--bucket", "hypha-workspaces", "--prefix", "ws-1/")
    assert key["scopes"] == [{"bucket": "hypha-workspaces", "prefix": "ws-1/"}]
    scoped = make_client(spore.endpoint, key["access_key"], key["secret_key"])

    # Inside the prefix: everything works.
    scoped.put_object(Bucket="hypha-workspaces", Key="ws-1/data.txt", Body=b"mine")
    assert scoped.get_object(Bucket="hypha-workspaces", Key="ws-1/data.txt")["Body"].read() == b"mine"
    listed = scoped.list_objects_v2(Bucket="hypha-workspaces", Prefix="ws-1/", Delimiter="/")
    assert [item["Key"] for item in listed["Contents"]] == ["ws-1/data.txt"]
    upload = scoped.create_multipart_upload(Bucket="hypha-workspaces", Key="ws-1/big.bin")
    part = scoped.upload_part(Bucket="hypha-workspaces", Key="ws-1/big.bin", UploadId=upload["UploadId"], PartNumber=1, Body=b"p" * 100)
    scoped.complete_multipart_upload(
        Bucket="hypha-workspaces", Key="ws-1/big.bin", UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    scoped.copy_object(Bucket="hypha-workspaces", Key="ws-1/copy.txt", CopySource={"Bucket": "hypha-workspaces", "Key": "ws-1/data.txt"})

    # Hypha's expectations: AccessDenied listing the bucket root and uploading outside the prefix.
    assert denied(lambda: scoped.list_objects_v2(Bucket="hypha-workspaces")) == "AccessDenied"
    assert denied(lambda: scoped.list_objects_v2(Bucket="hypha-workspaces", Prefix="ws-other/")) == "AccessDenied"
    assert denied(lambda: scoped.put_object(Bucket="hypha-workspaces", Key="outside.txt", Body=b"x")) == "AccessDenied"
    assert denied(lambda: scoped.put_object(Bucket="hypha-workspaces", Key="ws-10/x", Body=b"x")) == "AccessDenied"
    assert denied(lambda: scoped.get_object(Bucket="hypha-workspaces", Key="ws-other/secret.txt")) == "AccessDenied"
    assert denied(lambda: scoped.copy_object(
        Bucket="hypha-workspaces", Key="ws-1/stolen.txt", CopySource={"Bucket": "hypha-workspaces", "Key": "ws-other/secret.txt"}
    )) == "AccessDenied"
    assert denied(lambda: scoped.delete_object(Bucket="hypha-workspaces", Key="ws-other/secret.txt")) == "AccessDenied"
    assert denied(lambda: scoped.create_bucket(Bucket="scoped-new-bucket")) == "AccessDenied"
    assert denied(lambda: scoped.put_bucket_policy(Bucket="hypha-workspaces", Policy="{}")) == "AccessDenied"
    assert denied(lambda: scoped.list_objects_v2(Bucket="some-other-bucket")) in ("AccessDenied", "NoSuchBucket")

    # And after a delete, HeadObject is Not Found (Hypha's last check).
    scoped.delete_object(Bucket="hypha-workspaces", Key="ws-1/data.txt")
    with pytest.raises(ClientError) as excinfo:
        scoped.head_object(Bucket="hypha-workspaces", Key="ws-1/data.txt")
    assert excinfo.value.response["Error"]["Code"] == "404"
    assert root.get_object(Bucket="hypha-workspaces", Key="ws-other/secret.txt")["Body"].read() == b"not yours"

    # The secret never reaches the log.
    assert key["secret_key"] not in spore.output()


def test_read_only_disabled_and_deleted_keys(spore):
    root = spore.client()
    root.create_bucket(Bucket="ro-bucket")
    root.put_object(Bucket="ro-bucket", Key="a.txt", Body=b"a")
    spore.cli("user", "add", "reader")
    key = cli_json(spore, "key", "create", "--user", "reader", "--bucket", "ro-bucket", "--read-only", "--label", "dashboard")
    reader = make_client(spore.endpoint, key["access_key"], key["secret_key"])
    assert reader.get_object(Bucket="ro-bucket", Key="a.txt")["Body"].read() == b"a"
    assert [o["Key"] for o in reader.list_objects_v2(Bucket="ro-bucket")["Contents"]] == ["a.txt"]
    assert denied(lambda: reader.put_object(Bucket="ro-bucket", Key="b.txt", Body=b"b")) == "AccessDenied"
    assert denied(lambda: reader.delete_object(Bucket="ro-bucket", Key="a.txt")) == "AccessDenied"

    listed = cli_json(spore, "key", "list", "--user", "reader")["keys"]
    assert [k["access_key"] for k in listed] == [key["access_key"]]
    assert listed[0]["read_only"] and listed[0]["label"] == "dashboard" and "secret_key" not in listed[0]

    spore.cli("key", "disable", key["access_key"])
    assert denied(lambda: reader.get_object(Bucket="ro-bucket", Key="a.txt")) == "InvalidAccessKeyId"
    spore.cli("key", "enable", key["access_key"])
    assert reader.get_object(Bucket="ro-bucket", Key="a.txt")["Body"].read() == b"a"
    spore.cli("user", "disable", "reader")
    assert denied(lambda: reader.get_object(Bucket="ro-bucket", Key="a.txt")) == "InvalidAccessKeyId"
    spore.cli("user", "enable", "reader")
    spore.cli("user", "delete", "reader")
    assert denied(lambda: reader.get_object(Bucket="ro-bucket", Key="a.txt")) == "InvalidAccessKeyId"
    assert "reader" not in [u["name"] for u in cli_json(spore, "user", "list")["users"]]


def test_managed_user_owns_buckets_and_keys_work_before_first_start(fresh_spore, tmp_path):
    """`spore user`/`spore key` work on a stopped data directory too, and the key survives restarts."""
    daemon = fresh_spore()
    daemon.stop()
    daemon.cli("user", "add", "carol")
    key = cli_json(daemon, "key", "create", "--user", "carol")
    daemon.start()
    carol = make_client(daemon.endpoint, key["access_key"], key["secret_key"])
    carol.create_bucket(Bucket="carols")
    carol.put_object(Bucket="carols", Key="k", Body=b"v")
    assert denied(lambda: daemon.client("alice").get_object(Bucket="carols", Key="k")) == "AccessDenied"
    assert daemon.client().get_object(Bucket="carols", Key="k")["Body"].read() == b"v"
    # The index holds the secret sealed, never in plain text.
    index = (daemon.data_dir / "index" / "data.mdb").read_bytes()
    assert key["secret_key"].encode() not in index


def test_expiring_key_stops_working(fresh_spore):
    daemon = fresh_spore(extra_env={"SPORE_DEBUG_HOOKS": "1"})
    daemon.cli("user", "add", "temp")
    key = cli_json(daemon, "key", "create", "--user", "temp", "--expires-in", "600")
    assert "expires" in key
    temp = make_client(daemon.endpoint, key["access_key"], key["secret_key"])
    temp.create_bucket(Bucket="temp-bucket")
    # Ten minutes on (inside the 15-minute clock-skew window, so signatures still verify) the key
    # has expired.
    admin_caller(daemon)("POST", "debug/advance-clock", {"seconds": "601"})
    assert denied(temp.list_buckets) == "InvalidAccessKeyId"
    assert daemon.client().head_bucket(Bucket="temp-bucket")


def test_admin_identity_api_is_root_only(spore):
    alice = spore.client("alice")
    response = requests.get(f"{spore.endpoint}/_spore/admin/v1/users")
    assert response.status_code == 403
    with pytest.raises(ClientError):
        alice.list_objects_v2(Bucket="_spore", Prefix="admin/v1/users")
    bad = admin_caller(spore, expect=400)
    assert "user names" in bad("POST", "users", {"name": "bad name!"})["error"]
    assert admin_caller(spore, expect=409)("POST", "users", {"name": "alice"})["error"]
    assert admin_caller(spore, expect=404)("POST", "keys", {"user": "nobody"})["error"]


# ---- policies, ACLs, anonymous access -----------------------------------------------------------

def curl(*args):
    result = subprocess.run(["curl", "-s", "-o", "/dev/stderr", "-w", "%{http_code}", *args], capture_output=True, text=True, timeout=60)
    return int(result.stdout), result.stderr


def test_anonymous_curl_public_read_policy_and_private_bucket(spore, bucket):
    root = spore.client()
    root.put_object(Bucket=bucket, Key="public/readme.txt", Body=b"hello lan")
    root.put_object(Bucket=bucket, Key="private/plan.txt", Body=b"secret plan")
    # Private by default: anonymous requests are refused.
    status, body = curl(f"{spore.endpoint}/{bucket}/public/readme.txt")
    assert status == 403 and "<Code>AccessDenied</Code>" in body
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/public/*",
        }],
    }
    root.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert root.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    status, body = curl(f"{spore.endpoint}/{bucket}/public/readme.txt")
    assert (status, body) == (200, "hello lan")
    status, body = curl(f"{spore.endpoint}/{bucket}/private/plan.txt")
    assert status == 403 and "AccessDenied" in body
    status, body = curl(f"{spore.endpoint}/{bucket}?list-type=2")
    assert status == 403
    status, _ = curl("-X", "PUT", "--data-binary", "x", f"{spore.endpoint}/{bucket}/public/new.txt")
    assert status == 403
    # PublicAccessBlock overrides the public policy.
    root.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    })
    status, _ = curl(f"{spore.endpoint}/{bucket}/public/readme.txt")
    assert status == 403
    root.delete_public_access_block(Bucket=bucket)
    root.delete_bucket_policy(Bucket=bucket)
    status, _ = curl(f"{spore.endpoint}/{bucket}/public/readme.txt")
    assert status == 403


def test_public_on_the_lan_only_with_source_ip_and_deny_wins(spore, bucket):
    root = spore.client()
    root.put_object(Bucket=bucket, Key="docs/a.txt", Body=b"lan doc")
    root.put_object(Bucket=bucket, Key="docs/hidden.txt", Body=b"hidden")
    def policy(cidr):
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
             "Condition": {"IpAddress": {"aws:SourceIp": cidr}}},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/docs/hidden.txt"},
        ]})
    root.put_bucket_policy(Bucket=bucket, Policy=policy("127.0.0.0/8"))
    assert curl(f"{spore.endpoint}/{bucket}/docs/a.txt") == (200, "lan doc")
    status, body = curl(f"{spore.endpoint}/{bucket}?list-type=2&prefix=docs/")
    assert status == 200 and "<Key>docs/a.txt</Key>" in body
    assert curl(f"{spore.endpoint}/{bucket}/docs/hidden.txt")[0] == 403
    # The Deny holds against named users too (alice has no other grant; root always passes).
    assert denied(lambda: spore.client("alice").get_object(Bucket=bucket, Key="docs/hidden.txt")) == "AccessDenied"
    root.put_bucket_policy(Bucket=bucket, Policy=policy("10.0.0.0/8"))
    assert curl(f"{spore.endpoint}/{bucket}/docs/a.txt")[0] == 403


def test_policy_grants_named_user_read_only(spore, bucket):
    root = spore.client()
    root.put_object(Bucket=bucket, Key="shared/report.csv", Body=b"1,2,3")
    root.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["bob"]}, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/shared/*"},
        {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::000000000000:user/bob"]}, "Action": "s3:ListBucket",
         "Resource": f"arn:aws:s3:::{bucket}", "Condition": {"StringLike": {"s3:prefix": ["shared/*", "shared/"]}}},
    ]}))
    bob = spore.client("bob")
    assert bob.get_object(Bucket=bucket, Key="shared/report.csv")["Body"].read() == b"1,2,3"
    assert [o["Key"] for o in bob.list_objects_v2(Bucket=bucket, Prefix="shared/")["Contents"]] == ["shared/report.csv"]
    assert denied(lambda: bob.list_objects_v2(Bucket=bucket)) == "AccessDenied"
    assert denied(lambda: bob.put_object(Bucket=bucket, Key="shared/x", Body=b"x")) == "AccessDenied"
    assert denied(lambda: spore.client("alice").get_object(Bucket=bucket, Key="shared/report.csv")) == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        root.put_bucket_policy(Bucket=bucket, Policy="{not json")
    assert error_code(excinfo) == "MalformedPolicy"


def test_canned_acls_on_buckets_and_objects(spore):
    root = spore.client()
    root.create_bucket(Bucket="acl-public", ACL="public-read")
    root.put_object(Bucket="acl-public", Key="open.txt", Body=b"open")
    root.put_object(Bucket="acl-public", Key="closed.txt", Body=b"closed", ACL="private")
    root.put_object(Bucket="acl-public", Key="obj-public.txt", Body=b"pub", ACL="public-read")
    try:
        status, body = curl(f"{spore.endpoint}/acl-public?list-type=2")
        assert status == 200 and "open.txt" in body
        # A public bucket lists; its objects need their own grant, as on S3.
        assert curl(f"{spore.endpoint}/acl-public/obj-public.txt") == (200, "pub")
        assert curl(f"{spore.endpoint}/acl-public/closed.txt")[0] == 403
        grants = root.get_object_acl(Bucket="acl-public", Key="obj-public.txt")["Grants"]
        assert {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"} in [g["Grantee"] for g in grants]
        root.put_object_acl(Bucket="acl-public", Key="obj-public.txt", ACL="private")
        assert curl(f"{spore.endpoint}/acl-public/obj-public.txt")[0] == 403
        root.put_bucket_acl(Bucket="acl-public", ACL="private")
        assert curl(f"{spore.endpoint}/acl-public?list-type=2")[0] == 403
    finally:
        for key in ("open.txt", "closed.txt", "obj-public.txt"):
            root.delete_object(Bucket="acl-public", Key=key)
        root.delete_bucket(Bucket="acl-public")


# ---- CORS and a real browser -----------------------------------------------------------------

def test_cors_preflight_rules(spore, bucket):
    root = spore.client()
    origin = "http://app.example"
    preflight = requests.options(f"{spore.endpoint}/{bucket}/k", headers={"Origin": origin, "Access-Control-Request-Method": "PUT"})
    assert preflight.status_code == 403
    root.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": [origin], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["content-type", "x-amz-*"],
         "ExposeHeaders": ["x-amz-version-id"], "MaxAgeSeconds": 600},
    ]})
    preflight = requests.options(f"{spore.endpoint}/{bucket}/k", headers={
        "Origin": origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "Content-Type, X-Amz-Meta-Note",
    })
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Max-Age"] == "600"
    assert "ETag" in preflight.headers["Access-Control-Expose-Headers"]
    for headers in (
        {"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT"},
        {"Origin": origin, "Access-Control-Request-Method": "DELETE"},
        {"Origin": origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization-extra"},
    ):
        assert requests.options(f"{spore.endpoint}/{bucket}/k", headers=headers).status_code == 403
    # Actual responses (success and error) carry the headers too.
    url = root.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "missing"})
    response = requests.get(url, headers={"Origin": origin})
    assert response.status_code == 404 and response.headers["Access-Control-Allow-Origin"] == origin
    assert root.get_bucket_cors(Bucket=bucket)["CORSRules"][0]["MaxAgeSeconds"] == 600
    root.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(ClientError) as excinfo:
        root.get_bucket_cors(Bucket=bucket)
    assert error_code(excinfo) == "NoSuchCORSConfiguration"


BROWSER_PAGE = """<!doctype html><html><body><script>
(async () => {
  const result = {};
  try {
    const put = await fetch(%(put_url)s, {method: "PUT", body: "from the browser", headers: {"Content-Type": "text/plain"}});
    result.putStatus = put.status;
    result.etag = put.headers.get("ETag");
    const get = await fetch(%(get_url)s);
    result.getStatus = get.status;
    result.body = await get.text();
  } catch (error) {
    result.error = String(error);
  }
  try {
    await fetch(%(blocked_url)s, {method: "PUT", body: "x"});
    result.blocked = "allowed";
  } catch (error) {
    result.blocked = "blocked";
  }
  window.result = result;
})();
</script></body></html>"""


def test_browser_presigned_put_with_preflight_reads_etag(spore, bucket):
    root = spore.client()
    put_url = root.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "browser.txt", "ContentType": "text/plain"})
    get_url = root.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "browser.txt"})
    root.create_bucket(Bucket=f"{bucket}-nocors")
    blocked_url = root.generate_presigned_url("put_object", Params={"Bucket": f"{bucket}-nocors", "Key": "x"})
    try:
        page = BROWSER_PAGE % {"put_url": json.dumps(put_url), "get_url": json.dumps(get_url), "blocked_url": json.dumps(blocked_url)}
        with PageServer(page) as server:
            root.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
                {"AllowedOrigins": [server.origin], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"]},
            ]})
            result = run_in_chromium(server.origin + "/")
        expected_etag = '"' + hashlib.md5(b"from the browser").hexdigest() + '"'
        assert result.get("error") is None, result
        assert result["putStatus"] == 200 and result["etag"] == expected_etag
        assert result["getStatus"] == 200 and result["body"] == "from the browser"
        # Without a CORS rule for the page's origin, the browser refuses the request.
        assert result["blocked"] == "blocked"
        head = root.head_object(Bucket=bucket, Key="browser.txt")
        assert head["ETag"] == expected_etag and head["ContentType"] == "text/plain"
        assert "x" not in [o["Key"] for o in root.list_objects_v2(Bucket=f"{bucket}-nocors").get("Contents", [])]
    finally:
        root.delete_bucket(Bucket=f"{bucket}-nocors")


# ---- browser POST uploads ---------------------------------------------------------------------

def test_post_object_with_presigned_post(spore, bucket):
    root = spore.client()
    post = root.generate_presigned_post(
        bucket, "uploads/${filename}", Fields={"success_action_status": "201"},
        Conditions=[["starts-with", "$key", "uploads/"], {"success_action_status": "201"}, ["content-length-range", 1, 1024]],
        ExpiresIn=600,
    )
    response = requests.post(post["url"], data=post["fields"], files={"file": ("notes.txt", b"posted bytes", "text/plain")})
    assert response.status_code == 201, response.text
    document = ET.fromstring(response.content)
    assert document.find("Key").text == "uploads/notes.txt"
    assert document.find("ETag").text == '"' + hashlib.md5(b"posted bytes").hexdigest() + '"'
    stored = root.get_object(Bucket=bucket, Key="uploads/notes.txt")
    assert stored["Body"].read() == b"posted bytes" and stored["ContentType"] == "text/plain"

    # Too large for content-length-range: refused, nothing stored.
    response = requests.post(post["url"], data=post["fields"], files={"file": ("big.txt", b"x" * 2048)})
    assert response.status_code == 400 and "EntityTooLarge" in response.text
    assert "uploads/big.txt" not in [o["Key"] for o in root.list_objects_v2(Bucket=bucket, Prefix="uploads/")["Contents"]]
    # A key outside the policy's prefix.
    fields = dict(post["fields"], key="elsewhere/x.txt")
    response = requests.post(post["url"], data=fields, files={"file": ("x.txt", b"x")})
    assert response.status_code == 403 and "Policy Condition failed" in response.text
    # A tampered policy no longer matches its signature.
    tampered = json.loads(base64.b64decode(post["fields"]["policy"]))
    tampered["conditions"].append(["starts-with", "$x-amz-meta-sneaky", ""])
    fields = dict(post["fields"], policy=base64.b64encode(json.dumps(tampered).encode()).decode())
    response = requests.post(post["url"], data=fields, files={"file": ("t.txt", b"t")})
    assert response.status_code == 403 and "SignatureDoesNotMatch" in response.text


def _v2_policy(bucket, conditions, expires_in=600):
    expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%SZ")
    policy = base64.b64encode(json.dumps({"expiration": expiration, "conditions": [{"bucket": bucket}, *conditions]}).encode())
    signature = base64.b64encode(hmac.new(ROOT_PASSWORD.encode(), policy, hashlib.sha1).digest())
    return policy.decode(), signature.decode()


def test_post_object_v2_redirect_expiry_and_anonymous(spore, bucket):
    root = spore.client()
    redirect = "http://example.invalid/done"
    policy, signature = _v2_policy(bucket, [["starts-with", "$key", ""], ["eq", "$success_action_redirect", redirect],
                                            ["starts-with", "$Content-Type", "image/"], ["starts-with", "$x-amz-meta-owner", ""]])
    fields = {"key": "pic.png", "AWSAccessKeyId": ROOT_USER, "policy": policy, "signature": signature, "Content-Type": "image/png",
              "success_action_redirect": redirect, "x-amz-meta-owner": "carol"}
    response = requests.post(f"{spore.endpoint}/{bucket}", data=fields, files={"file": ("pic.png", b"\x89PNG")}, allow_redirects=False)
    assert response.status_code == 303
    etag = hashlib.md5(b"\x89PNG").hexdigest()
    assert response.headers["Location"] == f"{redirect}?bucket={bucket}&key=pic.png&etag=%22{etag}%22"
    head = root.head_object(Bucket=bucket, Key="pic.png")
    assert head["ContentType"] == "image/png" and head["Metadata"] == {"owner": "carol"}

    # An extra field the policy does not cover, and an expired policy.
    response = requests.post(f"{spore.endpoint}/{bucket}", data=dict(fields, **{"x-amz-meta-extra": "1"}), files={"file": b"y"},
                             allow_redirects=False)
    assert response.status_code == 403 and "Extra input fields" in response.text
    policy, signature = _v2_policy(bucket, [["starts-with", "$key", ""]], expires_in=-60)
    response = requests.post(f"{spore.endpoint}/{bucket}", files={"file": b"z"},
                             data={"key": "late.txt", "AWSAccessKeyId": ROOT_USER, "policy": policy, "signature": signature})
    assert response.status_code == 403 and "Policy expired" in response.text
    # Anonymous form posts need a bucket that anyone may write to.
    response = requests.post(f"{spore.endpoint}/{bucket}", data={"key": "anon.txt"}, files={"file": b"anon"})
    assert response.status_code == 403
    # A body that is not multipart/form-data.
    response = requests.post(f"{spore.endpoint}/{bucket}", data=b"key=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 412
    keys = [o["Key"] for o in root.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["pic.png"]


# ---- share links and presigned URLs ---------------------------------------------------------------

def test_share_link_outlives_presigned_url_and_is_revocable(fresh_spore):
    daemon = fresh_spore(extra_env={"SPORE_DEBUG_HOOKS": "1"})
    root = daemon.client()
    root.create_bucket(Bucket="team")
    root.put_object(Bucket="team", Key="reports/q3 final.pdf", Body=b"%PDF quarterly")
    presigned = daemon.cli("share", "get", "team/reports/q3 final.pdf", "--expires", "7d").stdout.strip()
    assert presigned.startswith(daemon.endpoint + "/team/reports/q3%20final.pdf?")
    assert curl(presigned) == (200, "%PDF quarterly")
    put_url = daemon.cli("share", "put", "team/inbox/upload.bin", "--expires", "2h").stdout.strip()
    assert curl("-X", "PUT", "--data-binary", "dropped", put_url)[0] == 200
    assert root.get_object(Bucket="team", Key="inbox/upload.bin")["Body"].read() == b"dropped"
    assert daemon.cli("share", "get", "team/x", "--expires", "8d", check=False).returncode != 0

    link = cli_json(daemon, "share", "link", "team/reports/q3 final.pdf", "--expires", "30d")
    assert link["url"] == f"{daemon.http}/share/{link['token']}"
    response = requests.get(link["url"])
    assert response.status_code == 200 and response.content == b"%PDF quarterly"
    assert response.headers["Content-Disposition"] == "inline; filename*=UTF-8''q3%20final.pdf"

    # Eight days later the SigV4 URL has expired; the share link still works.
    admin_caller(daemon)("POST", "debug/advance-clock", {"seconds": str(8 * 86_400)})
    status, body = curl(presigned)
    assert status == 403 and "expired" in body
    assert curl(link["url"]) == (200, "%PDF quarterly")
    # Back to the present so the CLI's signed admin calls are inside the clock-skew window.
    admin_caller(daemon)("POST", "debug/advance-clock", {"seconds": str(-8 * 86_400)})
    shares = cli_json(daemon, "share", "list")["shares"]
    assert [(s["token"], s["downloads"]) for s in shares] == [(link["token"], 2)]

    daemon.cli("share", "revoke", link["token"])
    assert curl(link["url"])[0] == 410
    assert curl(f"{daemon.http}/share/not-a-token")[0] == 404
    # Thirty-one days on, a link that was not revoked has expired too.
    other = cli_json(daemon, "share", "link", "team/reports/q3 final.pdf", "--expires", "30d")
    assert curl(other["url"])[0] == 200
    admin_caller(daemon)("POST", "debug/advance-clock", {"seconds": str(31 * 86_400)})
    assert curl(other["url"])[0] == 410


def test_share_link_password_and_download_limit(spore, bucket):
    root = spore.client()
    root.put_object(Bucket=bucket, Key="video.bin", Body=bytes(range(256)) * 4)
    link = cli_json(spore, "share", "link", f"{bucket}/video.bin", "--password", "open sesame", "--max-downloads", "2")
    assert link["password"] is True and link["max_downloads"] == 2
    status, _ = curl(link["url"])
    assert status == 401
    assert curl("-u", "x:wrong", link["url"])[0] == 401
    # Range requests past the start do not use up downloads (a player seeking).
    response = requests.get(link["url"], auth=("anyone", "open sesame"), headers={"Range": "bytes=100-199"})
    assert response.status_code == 206 and response.content == (bytes(range(256)) * 4)[100:200]
    assert requests.get(link["url"] + "?password=open%20sesame").status_code == 200
    assert requests.get(link["url"], auth=("", "open sesame")).status_code == 200
    assert requests.get(link["url"], auth=("", "open sesame")).status_code == 410
    assert requests.post(link["url"]).status_code == 405
    # The object's owner can still read it, and the share's path never reached the S3 listener.
    assert root.get_object(Bucket=bucket, Key="video.bin")["ContentLength"] == 1024
