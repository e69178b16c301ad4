"""duplicate and set_parent: copying an artifact (files included) and moving it between
collections of its workspace."""

import pytest

from conftest import assert_error, collection, committed


@pytest.mark.quirk
def test_duplicate_copies_manifest_config_and_latest_files(alice):
    source = committed(alice, "dup-src", files={"a.txt": b"alpha", "dir/b.txt": b"beta"}, manifest={"name": "src", "secrets": "x"})
    copy = alice.ok("duplicate", source_artifact_id=source["id"], target_alias="dup-copy")
    assert copy["id"] == alice.aid("dup-copy") and copy["_id"] != source["_id"]
    assert copy["manifest"] == {"name": "src"}  # remove_secrets drops a manifest's "secrets"
    assert [v["version"] for v in copy["versions"]] == ["v0"] and copy["staging"] is None
    assert copy["file_count"] == 2
    listed = alice.ok("list_files", artifact_id=copy["id"])
    assert [item["name"] for item in listed] == ["a.txt", "dir"]
    assert alice.ok("read_file", artifact_id=copy["id"], file_path="dir/b.txt")["content"] == "beta"
    # Hypha lists the source prefix without its trailing slash, so its copy also gets the
    # version's metadata file as ".json" (file_count 3). The source is untouched.
    assert alice.ok("read_file", artifact_id=source["id"], file_path="a.txt")["content"] == "alpha"


@pytest.mark.quirk
def test_duplicate_staged_and_into_a_collection(alice):
    source = committed(alice, "dup-src2", files={"f.txt": b"f"})
    coll = collection(alice, "dup-coll")
    staged = alice.ok("duplicate", source_artifact_id=source["id"], target_alias="dup-staged", target_parent_id=coll["id"], stage=True)
    assert staged["versions"] == [] and staged["parent_id"] == coll["id"]
    assert alice.ok("list_files", artifact_id=staged["id"], stage=True)[0]["name"] == "f.txt"
    done = alice.ok("commit", artifact_id=staged["id"])
    assert done["file_count"] == 1


def test_duplicate_needs_read_on_the_source(alice, bob):
    source = committed(alice, "dup-private", files={"s.txt": b"s"})
    status, body = bob.call("duplicate", source_artifact_id=source["id"], target_alias=bob.aid("stolen"))
    assert_error(status, body, 403, "PermissionError")


def test_set_parent_moves_between_collections_and_out(alice):
    first = collection(alice, "sp-first")
    second = collection(alice, "sp-second")
    child = alice.ok("create", alias=alice.aid("sp-child"), parent_id=first["id"], manifest={"name": "c"})
    moved = alice.ok("set_parent", artifact_id=child["id"], new_parent_id=second["id"])
    assert moved["parent_id"] == second["id"]
    assert [c["id"] for c in alice.ok("list", parent_id=second["id"])] == [child["id"]]
    assert alice.ok("list", parent_id=first["id"]) == []
    orphan = alice.ok("set_parent", artifact_id=child["id"])
    assert orphan["parent_id"] is None
    status, body = alice.call("set_parent", artifact_id=first["id"], new_parent_id=first["id"])
    assert_error(status, body, 400, "ValueError", "An artifact cannot be its own parent")


def test_set_parent_refuses_cycles(alice):
    outer = collection(alice, "sp-outer")
    inner = alice.ok("create", alias=alice.aid("sp-inner"), parent_id=outer["id"], type="collection",
                     manifest={"name": "inner", "description": "d"})
    status, body = alice.call("set_parent", artifact_id=outer["id"], new_parent_id=inner["id"])
    assert_error(status, body, 400, "ValueError", "circular dependency")
