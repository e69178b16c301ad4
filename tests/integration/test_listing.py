"""ListObjectsV2 (and v1) through boto3: prefixes, delimiters, pagination, encoding."""

import pytest

KEYS = sorted([
    "a", "a/b", "a/b/c", "a/b/d", "a/c", "b", "b+c", "b c", "c/%41", "d/é", "d/e", "z",
] + [f"many/{i:03d}" for i in range(25)] + ["long/" + "x" * 600 + str(i) for i in range(3)],
    key=lambda k: k.encode())


@pytest.fixture
def filled(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def all_pages(s3, **kwargs):
    keys, prefixes = [], []
    for page in s3.get_paginator("list_objects_v2").paginate(**kwargs):
        keys += [item["Key"] for item in page.get("Contents", [])]
        prefixes += [item["Prefix"] for item in page.get("CommonPrefixes", [])]
        assert page["KeyCount"] == len(page.get("Contents", [])) + len(page.get("CommonPrefixes", []))
    return keys, prefixes


@pytest.mark.parametrize("page_size", [1, 2, 7, 1000])
def test_flat_listing_in_byte_order(s3, filled, page_size):
    keys, prefixes = all_pages(s3, Bucket=filled, PaginationConfig={"PageSize": page_size})
    assert keys == KEYS and prefixes == []


@pytest.mark.parametrize("page_size", [1, 3, 1000])
def test_delimiter_rolls_up_prefixes(s3, filled, page_size):
    keys, prefixes = all_pages(s3, Bucket=filled, Delimiter="/", PaginationConfig={"PageSize": page_size})
    assert keys == ["a", "b", "b c", "b+c", "z"]
    assert prefixes == ["a/", "c/", "d/", "long/", "many/"]


def test_prefix_and_delimiter(s3, filled):
    keys, prefixes = all_pages(s3, Bucket=filled, Prefix="a/", Delimiter="/")
    assert keys == ["a/b", "a/c"] and prefixes == ["a/b/"]


def test_multi_character_delimiter(s3, filled):
    keys, prefixes = all_pages(s3, Bucket=filled, Delimiter="b/")
    assert prefixes == ["a/b/"]
    assert "a/b" in keys and "a/b/c" not in keys


def test_start_after(s3, filled):
    keys, _ = all_pages(s3, Bucket=filled, StartAfter="many/020")
    assert keys == [k for k in KEYS if k.encode() > b"many/020"]


def test_max_keys_zero(s3, filled):
    page = s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    assert page["KeyCount"] == 0 and not page["IsTruncated"]


def test_v1_marker_pagination(s3, filled):
    keys, marker = [], ""
    while True:
        page = s3.list_objects(Bucket=filled, Marker=marker, MaxKeys=4)
        batch = [item["Key"] for item in page.get("Contents", [])]
        keys += batch
        if not page["IsTruncated"]:
            break
        marker = page.get("NextMarker", batch[-1])
    assert keys == KEYS


def test_empty_delimiter_means_none(spore, filled):
    # Hypha sends `delimiter=` when it wants everything under a prefix.
    s3 = spore.client()
    seen = []

    def add_empty_delimiter(params, **kwargs):
        params["url"] += "&delimiter="
        seen.append(params["url"])

    s3.meta.events.register("before-call.s3.ListObjectsV2", add_empty_delimiter)
    page = s3.list_objects_v2(Bucket=filled, Prefix="a/")
    assert seen and [item["Key"] for item in page["Contents"]] == ["a/b", "a/b/c", "a/b/d", "a/c"]
