"""TLS on both listeners: `spore cert self-signed`, real clients over HTTPS with the CA passed
explicitly (boto3, the AWS CLI, rclone, curl, the spore CLI), TLS 1.2 as the floor,
aws:SecureTransport telling the truth, https links, and a certificate swapped by SIGHUP while a
download runs."""

import hashlib
import json
import os
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import time
import warnings

import boto3
import httpx
import pytest
from botocore.config import Config

from conftest import ROOT_PASSWORD, ROOT_USER, USERS, spore_cli


def make_certificates(directory, *hosts):
    result = spore_cli("cert", "self-signed", "--out", str(directory), *[arg for host in hosts for arg in ("--host", host)])
    return result


@pytest.fixture
def certs(tmp_path):
    directory = tmp_path / "tls"
    make_certificates(directory, "192.168.7.7", "box.lan")
    return directory


@pytest.fixture
def tls_spore(fresh_spore, certs):
    daemon = fresh_spore(args=["--tls-cert", str(certs / "tls.pem"), "--tls-key", str(certs / "tls-key.pem")])
    daemon.https = f"https://127.0.0.1:{daemon.port}"
    daemon.https_http = f"https://127.0.0.1:{daemon.http_port}"
    return daemon


def s3_client(endpoint, ca, access=ROOT_USER, secret=ROOT_PASSWORD):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret, region_name="us-east-1",
                        verify=str(ca), config=Config(retries={"max_attempts": 1}))


def test_cert_self_signed_makes_a_ca_and_a_server_certificate(tmp_path):
    directory = tmp_path / "made"
    printed = make_certificates(directory, "10.1.2.3", "nas.lan").stdout
    assert "--ca-bundle" in printed and "update-ca-certificates" in printed
    for name, mode in (("ca.pem", 0o644), ("ca-key.pem", 0o600), ("tls.pem", 0o644), ("tls-key.pem", 0o600)):
        assert stat.S_IMODE((directory / name).stat().st_mode) == mode, name
    text = subprocess.run(["openssl", "x509", "-in", str(directory / "tls.pem"), "-noout", "-text"], capture_output=True, text=True).stdout
    for name in ("IP Address:10.1.2.3", "IP Address:127.0.0.1", "DNS:nas.lan", "DNS:localhost", "CA:FALSE", "TLS Web Server Authentication"):
        assert name in text
    verified = subprocess.run(["openssl", "verify", "-CAfile", str(directory / "ca.pem"), str(directory / "tls.pem")], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    again = spore_cli("cert", "self-signed", "--out", str(directory), check=False)
    assert again.returncode != 0 and "--force" in again.stderr
    assert spore_cli("cert", "self-signed", "--out", str(directory), "--host", "bad host!", "--force", check=False).returncode != 0


def test_real_clients_speak_https_with_the_ca_passed_explicitly(tls_spore, certs, tmp_path):
    ca = certs / "ca.pem"
    s3 = s3_client(tls_spore.https, ca)
    s3.create_bucket(Bucket="secure")
    s3.put_object(Bucket="secure", Key="hello.txt", Body=b"over tls")
    assert s3.get_object(Bucket="secure", Key="hello.txt")["Body"].read() == b"over tls"
    # Without the CA a client refuses the certificate; plain HTTP on the TLS port gets no answer.
    with pytest.raises(Exception):
        boto3.client("s3", endpoint_url=tls_spore.https, aws_access_key_id=ROOT_USER, aws_secret_access_key=ROOT_PASSWORD,
                     region_name="us-east-1", config=Config(retries={"max_attempts": 1})).list_buckets()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{tls_spore.port}/", timeout=5)
    # The AWS CLI.
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ROOT_USER, AWS_SECRET_ACCESS_KEY=ROOT_PASSWORD, AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    source = tmp_path / "cli.txt"
    source.write_bytes(b"from the aws cli")
    aws = ["aws", "--endpoint-url", tls_spore.https, "--ca-bundle", str(ca)]
    assert subprocess.run(aws + ["s3", "cp", str(source), "s3://secure/cli.txt"], env=env, capture_output=True).returncode == 0
    listing = subprocess.run(aws + ["s3", "ls", "s3://secure/"], env=env, capture_output=True, text=True)
    assert "cli.txt" in listing.stdout, listing.stderr
    # rclone.
    rclone_env = dict(os.environ, RCLONE_CONFIG="/dev/null", RCLONE_CONFIG_SPORE_TYPE="s3", RCLONE_CONFIG_SPORE_PROVIDER="Other",
                      RCLONE_CONFIG_SPORE_ACCESS_KEY_ID=ROOT_USER, RCLONE_CONFIG_SPORE_SECRET_ACCESS_KEY=ROOT_PASSWORD,
                      RCLONE_CONFIG_SPORE_ENDPOINT=tls_spore.https, RCLONE_CONFIG_SPORE_REGION="us-east-1")
    copied = subprocess.run(["rclone", "--ca-cert", str(ca), "copyto", str(source), "spore:secure/rclone.txt"], env=rclone_env,
                            capture_output=True, text=True)
    assert copied.returncode == 0, copied.stderr
    assert s3.get_object(Bucket="secure", Key="rclone.txt")["Body"].read() == b"from the aws cli"
    # curl on the HTTP listener: health, the console, and S3 through /s3.
    for path in ("/health/live", "/console/"):
        result = subprocess.run(["curl", "-sf", "--cacert", str(ca), tls_spore.https_http + path], capture_output=True)
        assert result.returncode == 0, (path, result.stderr)
    # TLS 1.2 is the floor.
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.load_verify_locations(str(ca))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is deprecated: that is the point
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
    with pytest.raises(ssl.SSLError):
        with socket.create_connection(("127.0.0.1", tls_spore.port)) as raw, old.wrap_socket(raw, server_hostname="127.0.0.1"):
            pass
    modern = ssl.create_default_context(cafile=str(ca))
    with socket.create_connection(("127.0.0.1", tls_spore.port)) as raw, modern.wrap_socket(raw, server_hostname="box.lan") as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_links_are_https_and_the_cli_reaches_its_daemon(tls_spore, certs):
    ca = str(certs / "ca.pem")
    s3 = s3_client(tls_spore.https, ca)
    s3.create_bucket(Bucket="links")
    s3.put_object(Bucket="links", Key="f.txt", Body=b"linked")
    # The CLI finds the daemon's https address and trusts its chain through the data directory.
    link = tls_spore.cli("share", "link", "links/f.txt").stdout.strip()
    assert link.startswith(tls_spore.https_http + "/share/")
    assert httpx.get(link, verify=ca).content == b"linked"
    presigned = tls_spore.cli("share", "get", "links/f.txt").stdout.strip()
    assert presigned.startswith(tls_spore.https + "/links/f.txt?")
    assert httpx.get(presigned, verify=ca).content == b"linked"
    assert "alice" in tls_spore.cli("user", "list").stdout or tls_spore.cli("user", "list").returncode == 0
    # The console's session cookie is Secure over TLS.
    login = httpx.post(tls_spore.https_http + "/api/auth/login", json={"accessKey": ROOT_USER, "secretKey": ROOT_PASSWORD}, verify=ca)
    assert "Secure" in login.headers["set-cookie"]


def test_secure_transport_conditions_tell_the_truth(fresh_spore, tls_spore, certs):
    ca = str(certs / "ca.pem")
    access, secret = USERS["alice"]
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::only-tls/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
    plain = fresh_spore()
    for daemon, endpoint, verify in ((tls_spore, tls_spore.https, ca), (plain, plain.endpoint, True)):
        client = s3_client(endpoint, verify, access, secret) if verify is not True else daemon.client("alice")
        client.create_bucket(Bucket="only-tls")
        client.put_object(Bucket="only-tls", Key="k", Body=b"v")
        client.put_bucket_policy(Bucket="only-tls", Policy=policy)
    assert s3_client(tls_spore.https, ca, access, secret).get_object(Bucket="only-tls", Key="k")["Body"].read() == b"v"
    with pytest.raises(Exception) as refused:
        plain.client("alice").get_object(Bucket="only-tls", Key="k")
    assert "AccessDenied" in str(refused.value)


def test_sighup_swaps_the_certificate_while_a_download_runs(tls_spore, certs, tmp_path):
    first_ca = certs / "ca.pem"
    second = tmp_path / "second"
    make_certificates(second, "box.lan")
    bundle = tmp_path / "both.pem"
    bundle.write_bytes(first_ca.read_bytes() + (second / "ca.pem").read_bytes())
    s3 = s3_client(tls_spore.https, first_ca)
    s3.create_bucket(Bucket="swap")
    data = os.urandom(32 << 20)
    s3.put_object(Bucket="swap", Key="big.bin", Body=data)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "swap", "Key": "big.bin"}, ExpiresIn=600)

    def served_leaf():
        context = ssl.create_default_context(cafile=str(bundle))
        with socket.create_connection(("127.0.0.1", tls_spore.port)) as raw, context.wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.getpeercert(binary_form=True)

    before = served_leaf()
    with httpx.Client(verify=str(bundle)) as client, client.stream("GET", url) as download:
        digest = hashlib.sha256()
        chunks = download.iter_bytes(1 << 20)
        digest.update(next(chunks))
        # Swap the files in place and reload.
        for name in ("tls.pem", "tls-key.pem"):
            shutil.copy(second / name, certs / name)
        tls_spore.process.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while "TLS certificate reloaded" not in tls_spore.output() and time.time() < deadline:
            time.sleep(0.1)
        assert "TLS certificate reloaded" in tls_spore.output()
        after = served_leaf()
        assert after != before
        for chunk in chunks:
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
    # The daemon is still serving, with the new certificate, and the CLI follows it.
    assert s3_client(tls_spore.https, second / "ca.pem").get_object(Bucket="swap", Key="big.bin")["ContentLength"] == len(data)
    assert tls_spore.cli("user", "list").returncode == 0
    # A broken file on the next reload keeps the current certificate.
    (certs / "tls.pem").write_text("not a certificate")
    tls_spore.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while "not reloaded" not in tls_spore.output() and time.time() < deadline:
        time.sleep(0.1)
    assert "not reloaded" in tls_spore.output() and served_leaf() == after
