"""The permission model: every permission code granted on a collection to another user, against
the operations a collection's readers and contributors perform; "@", "*", e-mail and
workspace-scoped keys; read inheritance from the parent; the workspace-permission fallback."""

import pytest
import requests

from conftest import assert_error, collection, committed, put_bytes, unique, upload

CODES = ["n", "l", "l+", "lf", "r", "r+", "rw", "rd+", "rw+", "*"]
OPS = ["read", "list", "list_files", "get_file", "create_staged", "create_committed", "edit", "commit",
       "put_file", "delete"]
READS = {"read", "list", "list_files", "get_file"}
# What the other user (the grantee) may do, per code (hypha/artifact.py _expand_permission):
#   read/list_files/get_file of a child come from the parent's grant (read-type ops are inherited);
#   create_staged needs the parent's "draft", create_committed its "attach";
#   edit = a staged edit of the collection itself ("edit");
#   commit = the first commit of a draft the grantee owns ("attach" on the parent);
#   put_file = an upload into the (staged) collection itself ("put_file");
#   delete = deleting a child the grantee owns ("detach" on the parent).
ALLOWED = {
    "n": set(),
    "l": {"list"},
    "l+": {"list", "create_staged"},
    "lf": {"list", "list_files"},
    "r": READS,
    "r+": READS | {"create_staged", "create_committed", "commit", "put_file"},
    "rw": READS | {"edit", "put_file", "delete"},  # rw has neither draft nor attach
    "rd+": READS | {"create_staged", "edit", "put_file"},  # rd+ cannot commit/attach
    "rw+": set(OPS),
    "*": set(OPS),
}


class Setup:
    """alice's collection granting `code` to bob, with the artifacts each operation needs."""

    def __init__(self, alice, bob, code, name):
        self.alice, self.bob, self.code = alice, bob, code
        self.coll = collection(alice, name, {bob.id: code})["id"]
        self.child = alice.aid(f"{name}-child")
        committed(alice, f"{name}-child", files={"f.txt": b"child file"}, parent_id=self.coll)
        # A draft and a committed child that bob owns (created by alice with bob as "*").
        self.bobs_draft = alice.aid(f"{name}-bdraft")
        alice.ok("create", alias=self.bobs_draft, parent_id=self.coll, manifest={"name": "d"}, stage=True,
                 config={"permissions": {bob.id: "*"}})
        self.bobs_child = alice.aid(f"{name}-bchild")
        alice.ok("create", alias=self.bobs_child, parent_id=self.coll, manifest={"name": "c"},
                 config={"permissions": {bob.id: "*"}})
        # The collection itself in staging mode, so that put_file on it can be tried.
        alice.ok("edit", artifact_id=self.coll, stage=True)

    def attempt(self, caller, op):
        call = caller.call
        if op == "read":
            return call("read", artifact_id=self.child)
        if op == "list":
            return call("list", parent_id=self.coll)
        if op == "list_files":
            return call("list_files", artifact_id=self.child)
        if op == "get_file":
            return call("get_file", artifact_id=self.child, file_path="f.txt")
        if op == "create_staged":
            return call("create", parent_id=self.coll, alias=self.alice.aid(unique("cs")), manifest={"name": "x"}, stage=True)
        if op == "create_committed":
            return call("create", parent_id=self.coll, alias=self.alice.aid(unique("cc")), manifest={"name": "x"})
        if op == "edit":
            return call("edit", artifact_id=self.coll, manifest={"name": "edited"}, stage=True)
        if op == "commit":
            return call("commit", artifact_id=self.bobs_draft)
        if op == "put_file":
            return call("put_file", artifact_id=self.coll, file_path="p.txt")
        if op == "delete":
            return call("delete", artifact_id=self.bobs_child)
        raise AssertionError(op)


@pytest.fixture(scope="module")
def setups(alice, bob):
    cache = {}

    def get(code):
        if code not in cache:
            name = "perm-" + {"*": "star", "l+": "lplus", "r+": "rplus", "rd+": "rdplus", "rw+": "rwplus"}.get(code, code)
            cache[code] = Setup(alice, bob, code, name)
        return cache[code]

    return get


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("code", CODES)
def test_grantee(setups, bob, code, op):
    setup = setups(code)
    status, body = setup.attempt(bob, op)
    if op in ALLOWED[code]:
        assert status == 200, f"{code} should allow {op}: {status} {body}"
    else:
        assert_error(status, body, 403, "PermissionError")


@pytest.mark.parametrize("op", OPS)
def test_anonymous_gets_nothing_from_a_user_grant(setups, anonymous, op):
    setup = setups("*")
    if op == "delete":
        status, body = anonymous.call("delete", artifact_id=setup.child)
    else:
        status, body = setup.attempt(anonymous, op)
    assert status == 403, (status, body)
    assert body["success"] is False and "PermissionError" in body["detail"]


@pytest.mark.parametrize("op", OPS)
def test_owner_can_do_everything(setups, alice, op):
    setup = setups("n")
    if op == "delete":
        status, body = alice.call("delete", artifact_id=setup.bobs_child)
    elif op == "commit":
        status, body = alice.call("commit", artifact_id=setup.bobs_draft)
    else:
        status, body = setup.attempt(alice, op)
    assert status == 200, (op, status, body)


def test_grant_shapes(alice, bob):
    coll = collection(alice, "shapes", {bob.id: "rw+", "*": "r"})
    assert coll["config"]["permissions"] == {bob.id: "rw+", "*": "r", alice.id: "*"}
    assert coll["_permissions"][bob.id] == [
        "read", "get_file", "get_status", "get_vector", "search_vectors", "list_files", "list_vectors", "list",
        "edit", "commit", "put_file", "add_vectors", "remove_file", "remove_vectors", "discard_changes", "draft",
        "attach", "detach", "mutate"]
    # An explicit op list is stored and expanded as given.
    listed = collection(alice, "oplist", {bob.id: ["read", "list"]})
    assert listed["_permissions"][bob.id] == ["read", "list"]


@pytest.mark.parametrize("code, ops", [
    ("l+", ["list", "draft"]),
    ("lf+", ["list", "list_files", "draft", "attach", "put_file"]),
    ("lv", ["list", "list_vectors"]),
    ("rw", ["read", "get_file", "get_vector", "search_vectors", "list_files", "list_vectors", "list", "edit",
            "commit", "put_file", "add_vectors", "remove_file", "remove_vectors", "discard_changes", "detach",
            "mutate"]),
    ("rd+", ["read", "get_file", "get_status", "get_vector", "search_vectors", "list_files", "list_vectors", "list",
             "edit", "put_file", "add_vectors", "remove_file", "remove_vectors", "discard_changes", "draft"]),
    ("n", []),
])
def test_expanded_permissions(alice, code, ops):
    artifact = alice.ok("create", alias=alice.aid(unique("exp")), manifest={"name": "x"}, config={"permissions": {"x": code}})
    assert artifact["_permissions"]["x"] == ops


def test_unknown_permission_code_is_rejected(alice, bob):
    status, body = alice.call("create", alias=alice.aid("badcode"), type="collection", manifest={"name": "x"},
                              config={"permissions": {bob.id: "admin"}})
    detail = assert_error(status, body, 400, "ValueError", f"Invalid permission code 'admin' for '{bob.id}'.")
    assert "Valid codes are: *, l, l+, lf, lf+, lv, lv+, n, r, r+, rd+, rw, rw+" in detail


def test_everyone_and_signed_in_keys(alice, bob, anonymous):
    public = collection(alice, "pub", {"*": "r"})
    committed(alice, "pub-child", files={"f.txt": b"public"}, parent_id=public["id"])
    signed = collection(alice, "signed", {"@": "r"})
    committed(alice, "signed-child", files={"f.txt": b"signed"}, parent_id=signed["id"])
    for caller in (bob, anonymous):
        assert caller.call("read", artifact_id=alice.aid("pub-child"))[0] == 200
        assert caller.call("list", parent_id=public["id"])[0] == 200
        url = caller.call("get_file", artifact_id=alice.aid("pub-child"), file_path="f.txt")[1]
        assert requests.get(url).content == b"public"
    assert bob.call("read", artifact_id=alice.aid("signed-child"))[0] == 200
    status, body = anonymous.call("read", artifact_id=alice.aid("signed-child"))
    assert_error(status, body, 403, "PermissionError", "User does not have permission 'read' on the artifact.")
    status, body = anonymous.call("list", parent_id=signed["id"])
    assert status == 403
    # "*": "r" does not let anyone write.
    status, body = bob.call("create", parent_id=public["id"], alias=alice.aid("nope"), manifest={"name": "x"}, stage=True)
    assert_error(status, body, 403, "PermissionError", "User does not have permission to create a draft in the collection 'pub'.")


def test_contributors_workflow_from_the_seed(alice, bob):
    """Moderated contribution: "@": "l+" drafts, a reviewer with "rw+" commits."""
    reviewer = bob
    contributor_token = reviewer.server.token(unique("contrib"))
    coll = collection(alice, "moderated", {"@": "l+", reviewer.id: "rw+"})
    draft_id = alice.aid("contribution-1")
    status, draft = reviewer.server.call("create", contributor_token, parent_id=coll["id"], alias=draft_id,
                                         manifest={"name": "New Dataset", "author": "contributor"}, stage=True)
    assert status == 200, draft
    # The contributor cannot commit (no attach), the reviewer can.
    status, body = reviewer.server.call("commit", contributor_token, artifact_id=draft_id)
    assert_error(status, body, 403, "PermissionError", "User does not have permission to attach artifact to the collection 'moderated'.")
    drafts = reviewer.ok("list", parent_id=coll["id"], stage=True)
    assert [d["id"] for d in drafts] == [draft_id]
    assert reviewer.ok("read", artifact_id=draft_id)["manifest"]["author"] == "contributor"
    # The reviewer's commit needs "commit" on the draft itself: a rw+ grant on the parent does not
    # reach write operations of a child, so the reviewer cannot commit either.
    status, body = reviewer.call("commit", artifact_id=draft_id)
    assert_error(status, body, 403, "PermissionError", "User does not have permission 'commit' on the artifact.")
    assert alice.ok("commit", artifact_id=draft_id)["versions"][0]["version"] == "v0"


def test_write_operations_are_not_inherited(alice, bob):
    coll = collection(alice, "noinherit", {bob.id: "rw+"})
    committed(alice, "noinherit-child", files={"f.txt": b"x"}, parent_id=coll["id"])
    child = alice.aid("noinherit-child")
    assert bob.call("read", artifact_id=child)[0] == 200
    status, body = bob.call("edit", artifact_id=child, manifest={"name": "bob was here"}, stage=True)
    assert_error(status, body, 403, "PermissionError", "User does not have permission 'edit' on the artifact.")
    status, body = bob.call("delete", artifact_id=child)
    assert_error(status, body, 403, "PermissionError", "User does not have permission 'delete' on the artifact.")


def test_direct_edit_of_a_committed_child_needs_mutate(alice, bob):
    coll = collection(alice, "mutate", {bob.id: "r"})
    alice.ok("create", alias=alice.aid("mutate-child"), parent_id=coll["id"], manifest={"name": "x"},
             config={"permissions": {bob.id: "*"}})
    status, body = bob.call("edit", artifact_id=alice.aid("mutate-child"), manifest={"name": "y"})
    assert_error(status, body, 403, "PermissionError",
                 "Collection 'mutate' does not allow modification of committed versions (no mutate permission).")
    # A staged edit + commit of the same child is fine: it is not a direct edit.
    bob.ok("edit", artifact_id=alice.aid("mutate-child"), manifest={"name": "y"}, stage=True)
    assert bob.ok("commit", artifact_id=alice.aid("mutate-child"))["manifest"] == {"name": "y"}


def test_private_artifact(alice, bob, anonymous):
    artifact_id = alice.aid("private")
    committed(alice, "private", files={"s.txt": b"secret"})
    for caller in (bob, anonymous):
        for fn, kwargs in (("read", {}), ("list_files", {}), ("get_file", {"file_path": "s.txt"}),
                           ("read_file", {"file_path": "s.txt"})):
            status, body = caller.call(fn, artifact_id=artifact_id, **kwargs)
            assert status == 403, (fn, status, body)
            assert body["success"] is False and "PermissionError" in body["detail"]
        response = caller.http("GET", f"/{alice.ws}/artifacts/private")
        assert response.status_code == 403 and response.json() == {"detail": "Permission denied"}
    status, body = bob.call("edit", artifact_id=artifact_id, manifest={"name": "x"})
    assert status == 403
    status, body = bob.call("delete", artifact_id=artifact_id)
    assert_error(status, body, 403, "PermissionError", "User does not have permission 'delete' on the artifact.")


def test_email_key(alice, make_user):
    friend = make_user("friend", email=f"{unique('mail')}@example.org")
    committed(alice, "by-email", manifest={"name": "x"}, config={"permissions": {friend.email: "r"}})
    assert friend.call("read", artifact_id=alice.aid("by-email"))[0] == 200


def test_workspace_scoped_keys(alice, bob, carol):
    """"{ws}/*" matches callers whose current workspace is {ws}."""
    committed(alice, "ws-scoped", config={"permissions": {f"{bob.ws}/*": "r"}})
    assert bob.call("read", artifact_id=alice.aid("ws-scoped"))[0] == 200
    assert carol.call("read", artifact_id=alice.aid("ws-scoped"))[0] == 403


def test_per_user_none_does_not_override_everyone(alice, bob):
    """The seed promises {"*": "r", "alice": "n"} locks alice out; Hypha 0.21.137 checks keys in
    order user → "@" → "*" and grants on the first key that allows the operation, so "n" for a
    user denies nothing that "@" or "*" allow. Recorded as the server behaves."""
    committed(alice, "deny-one", config={"permissions": {"*": "r", bob.id: "n"}})
    assert bob.call("read", artifact_id=alice.aid("deny-one"))[0] == 200


def test_workspace_permission_fallback(server, alice, bob):
    """Anyone with a workspace permission passes where the artifact's own grants do not."""
    committed(alice, "ws-fallback", files={"f.txt": b"x"})
    artifact_id = alice.aid("ws-fallback")
    reader = server.token(bob.id, workspace=alice.ws, permission="read")
    writer = server.token(bob.id, workspace=alice.ws, permission="read_write")
    admin = server.token(bob.id, workspace=alice.ws, permission="admin")
    assert server.call("read", reader, artifact_id=artifact_id)[0] == 200
    assert server.call("get_file", reader, artifact_id=artifact_id, file_path="f.txt")[0] == 200
    status, body = server.call("edit", reader, artifact_id=artifact_id, manifest={"name": "r"}, stage=True)
    assert_error(status, body, 403, "PermissionError")
    assert server.call("edit", writer, artifact_id=artifact_id, manifest={"name": "w"}, stage=True)[0] == 200
    assert server.call("commit", writer, artifact_id=artifact_id)[0] == 200
    # set_download_weight and delete need the workspace permission (rw / admin) itself.
    assert server.call("set_download_weight", writer, artifact_id=artifact_id, file_path="f.txt", download_weight=1)[0] == 200
    status, body = server.call("delete", writer, artifact_id=artifact_id)
    assert_error(status, body, 403, "PermissionError", "User does not have permission 'delete' on the artifact.")
    assert server.call("delete", admin, artifact_id=artifact_id)[0] == 200


def test_set_download_weight_needs_workspace_write(alice, bob):
    """No permission code contains set_download_weight: an artifact-level "*" is not enough."""
    committed(alice, "weight-grant", files={"f.txt": b"x"}, config={"permissions": {bob.id: "*"}})
    status, body = bob.call("set_download_weight", artifact_id=alice.aid("weight-grant"), file_path="f.txt",
                            download_weight=1)
    assert_error(status, body, 403, "PermissionError")


def test_anonymous_cannot_create_orphans_in_its_own_context(anonymous):
    status, body = anonymous.call("create", alias="anon", manifest={"name": "x"})
    assert_error(status, body, 403, "PermissionError",
                 "User does not have permission to create an orphan artifact in the workspace 'ws-anonymous'.")


@pytest.mark.quirk
def test_anonymous_cannot_create_in_a_named_workspace(alice, anonymous):
    """Hypha 0.21.137 lets anonymous callers create root artifacts in any workspace given as
    "ws/alias" (created_by "anonymouz-http", which then holds "*" for every anonymous caller)."""
    status, body = anonymous.call("create", alias=alice.aid("anon"), manifest={"name": "x"})
    assert status in (401, 403) and body["success"] is False


def test_uploads_through_a_draft_grant(alice, bob):
    """An "@": "r+" gallery: a signed-in user drafts, uploads and commits their own dataset."""
    coll = collection(alice, "open", {"*": "r", "@": "r+"})
    draft = bob.ok("create", parent_id=coll["id"], alias="bobs-dataset", manifest={"name": "bob's"}, stage=True)
    # The child lands in the parent's workspace; its creator is bob.
    assert draft["id"] == alice.aid("bobs-dataset") and draft["created_by"] == bob.id
    assert draft["config"]["permissions"] == {bob.id: "*"}
    upload(bob, draft["id"], "data.csv", b"1,2")
    done = bob.ok("commit", artifact_id=draft["id"])
    assert done["file_count"] == 1
    assert [a["id"] for a in alice.ok("list", parent_id=coll["id"])] == [draft["id"]]


def test_private_root_artifacts_in_an_owner_listing(make_user):
    owner = make_user("rootlist")
    committed(owner, "hidden")
    committed(owner, "shown", config={"permissions": {"*": "r"}})
    response = owner.http("GET", f"/{owner.ws}/artifacts/", params={"no_cache": "true"})
    assert [a["alias"] for a in response.json()] == ["hidden", "shown"]


@pytest.mark.quirk
def test_anonymous_root_listing_hides_private_artifacts(make_user, anonymous):
    """Hypha lists every root artifact of a workspace to anyone, and caches the answer for 60 s
    under a key without the caller, so one user's listing is served to the next."""
    owner = make_user("rootlist")
    committed(owner, "hidden")
    committed(owner, "shown", config={"permissions": {"*": "r"}})
    response = owner.http("GET", f"/{owner.ws}/artifacts/")  # may fill a cache
    assert [a["alias"] for a in response.json()] == ["hidden", "shown"]
    for params in ({}, {"no_cache": "true"}):
        response = anonymous.http("GET", f"/{owner.ws}/artifacts/", params=params)
        assert response.status_code == 200
        assert [a["alias"] for a in response.json()] == ["shown"]


@pytest.mark.quirk
def test_editing_the_config_of_a_standalone_artifact_keeps_the_editor(alice, bob):
    """Hypha stores edit(config=…) of a root artifact as given, dropping the editor's own "*"."""
    committed(alice, "keep-me")
    edited = alice.ok("edit", artifact_id=alice.aid("keep-me"), config={"permissions": {bob.id: "r"}})
    assert edited["config"]["permissions"] == {bob.id: "r", alice.id: "*"}


def test_editing_the_config_of_a_child_keeps_the_editor(alice, bob):
    coll = collection(alice, "keep-coll")
    alice.ok("create", parent_id=coll["id"], alias=alice.aid("keep-kid"), manifest={"name": "k"})
    edited = alice.ok("edit", artifact_id=alice.aid("keep-kid"), config={"permissions": {bob.id: "r"}})
    assert edited["config"]["permissions"] == {bob.id: "r", alice.id: "*"}
