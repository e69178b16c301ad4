"""Multipart uploads with real clients: boto3's transfer manager, the AWS CLI, and the presigned
per-part flow the Hypha documentation describes."""

import concurrent.futures
import hashlib
import json
import os
import subprocess
import time

import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from conftest import QUICK, ROOT_PASSWORD, ROOT_USER, error_code, spore_cli

MIB = 1024 * 1024


def test_transfer_manager_upload_and_download(s3, bucket, tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(23 * MIB + 123))
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4)
    s3.upload_file(str(source), bucket, "big/file.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="big/file.bin")
    assert head["ContentLength"] == source.stat().st_size
    assert head["ETag"].strip('"').endswith("-5")
    target = tmp_path / "target.bin"
    s3.download_file(bucket, "big/file.bin", str(target), Config=config)
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()


def test_multipart_etag_and_part_reads(s3, bucket):
    parts_data = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(1234)]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentType="application/x-mp", Metadata={"m": "1"})
    upload_id = upload["UploadId"]
    # Out of order, and part 2 sent twice: the second one wins.
    etags = {}
    for number in (3, 1, 2, 2):
        response = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=number, Body=parts_data[number - 1])
        etags[number] = response["ETag"]
    listed = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload_id)
    assert [p["PartNumber"] for p in listed["Parts"]] == [1, 2, 3]
    assert [p["Size"] for p in listed["Parts"]] == [len(d) for d in parts_data]
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("mp", upload_id)]
    result = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etags[n].strip('"') if n == 2 else etags[n]} for n in (1, 2, 3)]},
    )
    expected = hashlib.md5(b"".join(hashlib.md5(d).digest() for d in parts_data)).hexdigest() + "-3"
    assert result["ETag"] == f'"{expected}"'
    whole = b"".join(parts_data)
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert got["Body"].read() == whole and got["ContentType"] == "application/x-mp" and got["Metadata"] == {"m": "1"}
    for number, data in enumerate(parts_data, start=1):
        part = s3.get_object(Bucket=bucket, Key="mp", PartNumber=number)
        assert part["PartsCount"] == 3 and part["Body"].read() == data
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=4)
    assert error_code(excinfo) == "InvalidPart"
    # Completing again answers the same, as AWS does.
    again = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id,
                                         MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etags[n]} for n in (1, 2, 3)]})
    assert again["ETag"] == result["ETag"]
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_multipart_rules(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="rules")["UploadId"]
    small = s3.upload_part(Bucket=bucket, Key="rules", UploadId=upload_id, PartNumber=1, Body=b"tiny")["ETag"]
    last = s3.upload_part(Bucket=bucket, Key="rules", UploadId=upload_id, PartNumber=2, Body=b"last")["ETag"]
    cases = [
        ([{"PartNumber": 1, "ETag": small}, {"PartNumber": 2, "ETag": last}], "EntityTooSmall"),
        ([{"PartNumber": 2, "ETag": last}, {"PartNumber": 1, "ETag": small}], "InvalidPartOrder"),
        ([{"PartNumber": 1, "ETag": '"0123"'}], "InvalidPart"),
        ([{"PartNumber": 7, "ETag": small}], "InvalidPart"),
    ]
    for parts, code in cases:
        with pytest.raises(ClientError) as excinfo:
            s3.complete_multipart_upload(Bucket=bucket, Key="rules", UploadId=upload_id, MultipartUpload={"Parts": parts})
        assert error_code(excinfo) == code
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="rules", UploadId=upload_id, PartNumber=10001, Body=b"x")
    assert error_code(excinfo) == "InvalidArgument"
    s3.abort_multipart_upload(Bucket=bucket, Key="rules", UploadId=upload_id)
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="rules", UploadId=upload_id, PartNumber=1, Body=b"x")
    assert error_code(excinfo) == "NoSuchUpload"
    with pytest.raises(ClientError) as excinfo:
        s3.abort_multipart_upload(Bucket=bucket, Key="rules", UploadId=upload_id)
    assert error_code(excinfo) == "NoSuchUpload"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_checksums_of_multipart_uploads(spore, bucket):
    s3 = spore.client()
    for algorithm, checksum_type in (("CRC32", "COMPOSITE"), ("CRC32", "FULL_OBJECT"), ("CRC64NVME", "FULL_OBJECT"), ("SHA256", "COMPOSITE")):
        key = f"ck-{algorithm}-{checksum_type}"
        upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm, ChecksumType=checksum_type)
        parts = []
        for number, data in enumerate((b"A" * 5 * MIB, b"B" * 100), start=1):
            response = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number, Body=data, ChecksumAlgorithm=algorithm)
            parts.append({"PartNumber": number, "ETag": response["ETag"], f"Checksum{algorithm}": response[f"Checksum{algorithm}"]})
        result = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts})
        head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        assert head[f"Checksum{algorithm}"] == result[f"Checksum{algorithm}"]
        assert head["ChecksumType"] == checksum_type
        if checksum_type == "COMPOSITE":
            assert result[f"Checksum{algorithm}"].endswith("-2")
        else:
            import zlib
            if algorithm == "CRC32":
                import base64
                whole = zlib.crc32(b"A" * 5 * MIB + b"B" * 100)
                assert result["ChecksumCRC32"] == base64.b64encode(whole.to_bytes(4, "big")).decode()


def test_hypha_style_presigned_parts_in_parallel(spore, bucket):
    """The flow of the Hypha documentation: presign one URL per part, PUT the parts in parallel with
    plain `requests` (here out of order, one sent twice), then complete with the ETags."""
    s3 = spore.client()
    key = "hypha/large-file.bin"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    chunks = [os.urandom(5 * MIB) for _ in range(3)] + [os.urandom(MIB // 2)]
    urls = [
        s3.generate_presigned_url("upload_part", Params={"Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": n},
                                  ExpiresIn=600)
        for n in range(1, len(chunks) + 1)
    ]

    def put(index):
        response = requests.put(urls[index], data=chunks[index])
        assert response.status_code == 200, response.text
        return index + 1, response.headers["ETag"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(pool.map(put, [3, 2, 1, 0, 1]))
    parts = [{"PartNumber": n, "ETag": results[n].strip('"')} for n in sorted(results)]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    download = requests.get(s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600))
    assert download.content == b"".join(chunks)


def test_upload_part_copy(s3, bucket):
    source = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
    whole = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=1, CopySource={"Bucket": bucket, "Key": "source"})
    ranged = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange="bytes=10-109")
    assert whole["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source).hexdigest()}"'
    assert ranged["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source[10:110]).hexdigest()}"'
    s3.complete_multipart_upload(Bucket=bucket, Key="assembled", UploadId=upload_id, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": whole["CopyPartResult"]["ETag"]}, {"PartNumber": 2, "ETag": ranged["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="assembled")["Body"].read() == source + source[10:110]


def test_copy_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="orig name+é", Body=b"copy me" * 5000, Metadata={"a": "1"}, ContentType="text/a")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "orig name+é"})
    copied = s3.get_object(Bucket=bucket, Key="copy")
    assert copied["Body"].read() == b"copy me" * 5000 and copied["Metadata"] == {"a": "1"} and copied["ContentType"] == "text/a"
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/copy", MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="text/b")
    replaced = s3.head_object(Bucket=bucket, Key="copy")
    assert replaced["Metadata"] == {"b": "2"} and replaced["ContentType"] == "text/b"
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/copy")
    assert error_code(excinfo) == "InvalidRequest"
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="x", CopySource=f"{bucket}/missing")
    assert error_code(excinfo) == "NoSuchKey"


def test_aws_cli_multipart_copy(spore, tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(20 * MIB + 5))
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ROOT_USER, AWS_SECRET_ACCESS_KEY=ROOT_PASSWORD, AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")

    def aws(*args):
        result = subprocess.run(["aws", "--endpoint-url", spore.endpoint, *args], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr

    aws("s3", "mb", "s3://cli-multipart")
    aws("s3", "cp", str(big), "s3://cli-multipart/big.bin")
    head = spore.client().head_object(Bucket="cli-multipart", Key="big.bin")
    assert "-" in head["ETag"]  # the CLI switched to multipart above 8 MB
    aws("s3", "cp", "s3://cli-multipart/big.bin", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == big.read_bytes()
    aws("s3", "rm", "s3://cli-multipart/big.bin")
    aws("s3", "rb", "s3://cli-multipart")


def test_abandoned_uploads_are_aborted_and_their_blobs_collected(fresh_spore):
    daemon = fresh_spore(args=["--upload-age-max", "1", "--gc-grace", "0", "--maintenance-interval", "1"])
    s3 = daemon.client()
    s3.create_bucket(Bucket="abandoned")
    upload_id = s3.create_multipart_upload(Bucket="abandoned", Key="never")["UploadId"]
    s3.upload_part(Bucket="abandoned", Key="never", UploadId=upload_id, PartNumber=1, Body=os.urandom(200_000))
    # The part is one blob (packed into a segment); collected, the index forgets it.
    def blob_count():
        return json.loads(spore_cli("stats", "--json", data_dir=daemon.data_dir).stdout)["blobs"]
    assert blob_count() == 1
    deadline = time.time() + 20
    while time.time() < deadline:
        if not s3.list_multipart_uploads(Bucket="abandoned").get("Uploads") and blob_count() == 0:
            break
        time.sleep(0.3)
    assert s3.list_multipart_uploads(Bucket="abandoned").get("Uploads", []) == []
    assert blob_count() == 0


def test_uploads_survive_a_restart(fresh_spore):
    daemon = fresh_spore(args=["--part-size-min", "1"])
    s3 = daemon.client()
    s3.create_bucket(Bucket="restart")
    upload_id = s3.create_multipart_upload(Bucket="restart", Key="k")["UploadId"]
    first = s3.upload_part(Bucket="restart", Key="k", UploadId=upload_id, PartNumber=1, Body=b"first-")["ETag"]
    daemon.stop()
    daemon.start()
    s3 = daemon.client()
    second = s3.upload_part(Bucket="restart", Key="k", UploadId=upload_id, PartNumber=2, Body=b"second")["ETag"]
    s3.complete_multipart_upload(Bucket="restart", Key="k", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": first}, {"PartNumber": 2, "ETag": second}]})
    assert s3.get_object(Bucket="restart", Key="k")["Body"].read() == b"first-second"


@pytest.mark.skipif(QUICK, reason="SPORE_TEST_QUICK=1")
def test_five_gib_multipart_stays_small_and_completes_fast(fresh_spore):
    """5 GiB in 20 parts of 256 MiB, four in flight: the daemon's memory stays bounded, and the
    completion (which copies no bytes) takes well under a second."""
    import concurrent.futures
    import time

    daemon = fresh_spore()
    client = daemon.client(legacy=True)
    client.create_bucket(Bucket="five")
    part_size = 256 << 20
    block = os.urandom(1 << 20)
    upload = client.create_multipart_upload(Bucket="five", Key="big")["UploadId"]

    def send(number):
        body = b"".join(block[:-8] + (number * 1000 + i).to_bytes(8, "big") for i in range(part_size >> 20))
        part_client = daemon.client(legacy=True)
        return number, part_client.upload_part(Bucket="five", Key="big", UploadId=upload, PartNumber=number, Body=body)["ETag"]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        parts = sorted(pool.map(send, range(1, 21)))
    started = time.monotonic()
    client.complete_multipart_upload(Bucket="five", Key="big", UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in parts]})
    completion = time.monotonic() - started
    head = client.head_object(Bucket="five", Key="big")
    assert head["ContentLength"] == 20 * part_size and head["ETag"].endswith('-20"')
    peak = daemon.peak_rss_bytes()
    print(f"5 GiB multipart: completion {completion * 1000:.0f} ms, daemon peak RSS {peak / (1 << 20):.1f} MiB")
    assert completion < 1.0
    assert peak < 150 << 20
