"""The PyPI `hypha-artifact` 0.2.5 client against the server, with a workspace (wid) token as the
client requires: create, put, open/write, ls, cat, open/read(n), exists, info, rm, edit, commit,
discard, list_children."""

import asyncio

import pytest

hypha_artifact = pytest.importorskip("hypha_artifact", reason="pip install hypha-artifact==0.2.5")


def run(coroutine):
    return asyncio.run(coroutine)


def client(server, user, alias):
    return hypha_artifact.AsyncHyphaArtifact(user.aid(alias), workspace=user.ws, token=user.token, server_url=server.url)


def test_files_round_trip(server, alice, tmp_path):
    alice.ok("create", alias=alice.aid("cli"), manifest={"name": "cli"}, stage=True)
    local = tmp_path / "local.txt"
    local.write_text("hello client")

    async def scenario():
        artifact = client(server, alice, "cli")
        try:
            await artifact.put(str(local), "docs/hello.txt")
            async with artifact.open("notes.txt", "w") as f:
                await f.write("0123456789")
            assert sorted(await artifact.ls("/", detail=False)) == ["docs", "notes.txt"]
            [hello] = await artifact.ls("docs", detail=True)
            assert hello["type"] == "file" and hello["name"] == "hello.txt" and hello["size"] == 12
            await artifact.commit(comment="from client")

            assert await artifact.cat("docs/hello.txt") == "hello client"
            async with artifact.open("notes.txt", "r") as f:
                # Each read(n) is a ranged GET of the presigned URL.
                assert await f.read(4) == "0123"
                assert await f.read(3) == "456"
            # exists() of a file sends "Range: bytes=0--1", which must be ignored.
            assert await artifact.exists("notes.txt") is True
            assert await artifact.exists("nope.txt") is False
            assert await artifact.isdir("docs") is True
            assert await artifact.isfile("docs/hello.txt") is True
            info = await artifact.info("notes.txt")
            assert info["type"] == "file" and info["size"] == 10
            assert await artifact.size("notes.txt") == 10
        finally:
            await artifact.aclose()

    run(scenario())
    artifact = alice.ok("read", artifact_id=alice.aid("cli"), silent=True)
    assert [(v["version"], v["comment"]) for v in artifact["versions"]] == [("v0", "from client")]
    assert artifact["file_count"] == 2


def test_versions_and_removal(server, alice):
    alice.ok("create", alias=alice.aid("cliver"), manifest={"name": "cliver"}, stage=True)

    async def scenario():
        artifact = client(server, alice, "cliver")
        try:
            async with artifact.open("old.txt", "w") as f:
                await f.write("old")
            await artifact.commit()
            await artifact.edit(stage=True, version="new", manifest={"name": "cliver v1"})
            async with artifact.open("new.txt", "w") as f:
                await f.write("new")
            await artifact.commit(version="v1")
            # A new version starts empty; the old file stays readable at v0.
            assert await artifact.ls("/", detail=False) == ["new.txt"]
            assert await artifact.cat("old.txt", version="v0") == "old"
            with pytest.raises(OSError):
                await artifact.cat("old.txt")
            await artifact.edit(stage=True)
            await artifact.rm("new.txt")
            await artifact.commit()
            assert await artifact.ls("/", detail=False) == []
        finally:
            await artifact.aclose()

    run(scenario())
    artifact = alice.ok("read", artifact_id=alice.aid("cliver"), silent=True)
    assert [v["version"] for v in artifact["versions"]] == ["v0", "v1"]
    assert artifact["manifest"] == {"name": "cliver v1"}


def test_create_discard_delete_and_children(server, alice):
    alice.ok("create", alias=alice.aid("clicoll"), type="collection", manifest={"name": "coll"})

    async def scenario():
        child = client(server, alice, "clichild")
        try:
            await child.create(manifest={"name": "child"}, parent_id=alice.aid("clicoll"), stage=True)
            async with child.open("draft.txt", "w") as f:
                await f.write("draft")
            await child.discard()
            await child.edit(stage=True, manifest={"name": "child"})
            await child.commit()
            parent = client(server, alice, "clicoll")
            try:
                children = await parent.list_children()
                assert [c["id"] for c in children] == [alice.aid("clichild")]
            finally:
                await parent.aclose()
            await child.delete()
        finally:
            await child.aclose()

    run(scenario())
    status, body = alice.call("read", artifact_id=alice.aid("clichild"))
    assert status == 404


def test_client_create_stores_a_null_type(server, alice):
    """The client always sends "type": null; the server stores it as given."""
    async def scenario():
        artifact = client(server, alice, "clitype")
        try:
            await artifact.create(manifest={"name": "typed by the client"})
        finally:
            await artifact.aclose()

    run(scenario())
    assert alice.ok("read", artifact_id=alice.aid("clitype"), silent=True)["type"] is None


def test_client_errors(server, alice):
    committed_id = alice.aid("cliclosed")
    alice.ok("create", alias=committed_id, manifest={"name": "closed"})

    async def scenario():
        artifact = client(server, alice, "cliclosed")
        try:
            # Not staged: the presigned-URL request fails with a 400, which the client raises.
            with pytest.raises(Exception):
                async with artifact.open("x.txt", "w") as f:
                    await f.write("x")
            with pytest.raises(OSError):
                await artifact.cat("missing.txt")
            with pytest.raises(FileNotFoundError):
                await artifact.info("missing.txt")
        finally:
            await artifact.aclose()

    run(scenario())
