"""hypha-rpc clients (the unmodified `hypha-rpc` package from PyPI) against spore's `/ws`: the seed
documents' `connect_to_server` examples for files and artifacts, errors, anonymous connections,
bytes, large messages (chunked both ways), many concurrent connections, and a client killed in the
middle of a call."""

import asyncio
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import httpx
import pytest
import requests
from hypha_rpc import connect_to_server

MiB = 1024 * 1024


def mint(daemon, user):
    return daemon.cli("token", "create", "--user", user).stdout.strip()


def run(coroutine, timeout=120):
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


async def connect(spore, token=None, **config):
    settings = {"server_url": spore.http, "method_timeout": 30}
    if token:
        settings["token"] = token
    settings.update(config)
    return await connect_to_server(settings)


def test_s3_storage_example_from_the_documentation(spore, tmp_path):
    """The seed's 'Using Recommended S3 Service Functions', unchanged but for the URL and a token."""
    token = mint(spore, "rpc-user-1")
    local = tmp_path / "local_file.txt"
    local.write_bytes(b"hello over hypha-rpc\n" * 100)

    async def example():
        api = await connect(spore, token)
        workspace = api.config["workspace"]
        assert workspace == "ws-user-rpc-user-1"
        s3controller = await api.get_service("public/s3-storage")
        upload_url = await s3controller.put_file("data/myfile.txt")
        with open(local, "rb") as f:
            async with httpx.AsyncClient() as client:
                response = await client.put(upload_url, content=f.read())
                assert response.status_code == 200
        download_url = await s3controller.get_file("data/myfile.txt")
        async with httpx.AsyncClient() as client:
            response = await client.get(download_url)
            assert response.content == local.read_bytes()
        files = await s3controller.list_files("data/")
        assert [(f["name"], f["size"]) for f in files] == [("myfile.txt", 2100)]
        # Positional and keyword arguments mix as in Python.
        url = await s3controller.put_file("data/other.txt", expires_in=60)
        assert "X-Amz-Expires=60" in url
        result = await s3controller.remove_file("data/myfile.txt")
        assert "message" in result
        result = await s3controller.remove_file("data/")
        assert "message" in result
        assert await s3controller.list_files("data/") == []
        await api.disconnect()

    run(example())


def test_multipart_with_parallel_parts_over_rpc(spore, tmp_path):
    token = mint(spore, "rpc-user-2")
    file_path = tmp_path / "large.bin"
    file_path.write_bytes(os.urandom(11 * MiB))
    file_size, chunk_size = file_path.stat().st_size, 5 * MiB

    async def example():
        api = await connect(spore, token)
        s3 = await api.get_service("public/s3-storage")
        info = await s3.put_file_start_multipart(file_path="uploads/large.bin", part_count=3, expires_in=3600)
        semaphore = asyncio.Semaphore(10)

        async def upload_part(part):
            async with semaphore:
                start = (part["part_number"] - 1) * chunk_size
                with open(file_path, "rb") as f:
                    f.seek(start)
                    chunk = f.read(min(chunk_size, file_size - start))
                async with httpx.AsyncClient(timeout=120) as client:
                    response = await client.put(part["url"], content=chunk)
                    assert response.status_code == 200
                    return {"part_number": part["part_number"], "etag": response.headers["ETag"].strip('"')}

        parts = await asyncio.gather(*[upload_part(p) for p in info["parts"]])
        result = await s3.put_file_complete_multipart(upload_id=info["upload_id"], parts=parts)
        assert result["success"] is True
        url = await s3.get_file("uploads/large.bin")
        await api.disconnect()
        return url

    url = run(example())
    assert hashlib.sha256(requests.get(url).content).digest() == hashlib.sha256(file_path.read_bytes()).digest()


def test_artifact_manager_example(spore):
    """A gallery, a staged dataset with files, commit, versions, permissions, read_file/write_file
    (bytes included) and the zip download, all through the artifact-manager service over RPC."""
    token = mint(spore, "rpc-user-3")

    async def example():
        api = await connect(spore, token)
        artifact_manager = await api.get_service("public/artifact-manager")
        gallery = await artifact_manager.create(
            type="collection", alias="dataset-gallery",
            manifest={"name": "Dataset Gallery", "description": "A collection for datasets"},
            config={"permissions": {"*": "r", "@": "r+"}},
        )
        dataset = await artifact_manager.create(
            parent_id=gallery.id, alias="example-dataset",
            manifest={"name": "Example Dataset", "description": "A dataset with example data"}, stage=True,
        )
        put_url = await artifact_manager.put_file(dataset.id, file_path="data.csv")
        async with httpx.AsyncClient() as client:
            assert (await client.put(put_url, content=b"a,b\n1,2\n")).status_code == 200
        assert (await artifact_manager.write_file(dataset.id, file_path="raw.bin", content=b"\x00\x01\xff", format="binary"))["success"]
        committed = await artifact_manager.commit(dataset.id, comment="first")
        assert committed["versions"][0]["version"] == "v0"
        children = await artifact_manager.list(gallery.id)
        assert [child["alias"] for child in children] == ["example-dataset"]
        text = await artifact_manager.read_file(dataset.id, file_path="data.csv")
        assert text["content"] == "a,b\n1,2\n"
        raw = await artifact_manager.read_file(dataset.id, file_path="raw.bin", format="binary")
        assert raw["content"] == b"\x00\x01\xff"
        files = await artifact_manager.list_files(dataset.id)
        assert sorted(f["name"] for f in files) == ["data.csv", "raw.bin"]
        get_url = await artifact_manager.get_file(dataset.id, file_path="data.csv")
        async with httpx.AsyncClient() as client:
            assert (await client.get(get_url)).content == b"a,b\n1,2\n"
        read = await artifact_manager.read(dataset.id)
        assert read["manifest"]["name"] == "Example Dataset"
        await artifact_manager.edit(dataset.id, manifest={"name": "Example Dataset", "description": "v1"}, stage=True, version="new")
        async with httpx.AsyncClient() as client:
            url = await artifact_manager.put_file(dataset.id, file_path="data.csv")
            assert (await client.put(url, content=b"a,b\n3,4\n")).status_code == 200
        await artifact_manager.commit(dataset.id)
        assert [v["version"] for v in (await artifact_manager.read(dataset.id))["versions"]] == ["v0", "v1"]
        old = await artifact_manager.read_file(dataset.id, file_path="data.csv", version="v0")
        assert old["content"] == "a,b\n1,2\n"
        await api.disconnect()
        return dataset.id

    artifact_id = run(example())
    workspace, alias = artifact_id.split("/")
    archive = requests.get(f"{spore.http}/{workspace}/artifacts/{alias}/create-zip-file", headers={"Authorization": f"Bearer {token}"})
    assert archive.status_code == 200 and archive.content[:2] == b"PK"


def test_errors_surface_as_exceptions_with_the_servers_message(spore):
    token = mint(spore, "rpc-user-4")

    async def example():
        api = await connect(spore, token)
        artifact_manager = await api.get_service("public/artifact-manager")
        with pytest.raises(Exception) as raised:
            await artifact_manager.read("no-such-artifact")
        assert "KeyError" in str(raised.value) and "does not exist" in str(raised.value)
        with pytest.raises(Exception) as raised:
            await api.get_service("public/no-such-service")
        assert "Service not found: public/*:no-such-service@*" in str(raised.value)
        s3 = await api.get_service("public/s3-storage")
        with pytest.raises(Exception) as raised:
            await s3.list_files("/")
        assert "PermissionError" in str(raised.value)
        with pytest.raises(Exception) as raised:
            await artifact_manager.create(alias="someone-else/alias", manifest={"name": "x"})
        assert "PermissionError" in str(raised.value) and "'someone-else'" in str(raised.value)
        # The connection still works after errors.
        assert (await api.echo("still here")) == "still here"
        await api.disconnect()

    run(example())


def test_bad_tokens_are_refused_with_the_reason(spore):
    async def attempt(token):
        with pytest.raises(ConnectionAbortedError) as raised:
            await connect_to_server({"server_url": spore.http, "token": token})
        return str(raised.value)

    assert "Authentication error" in run(attempt("not-a-token"))
    tampered = mint(spore, "rpc-user-5")[:-2] + "xx"
    assert "Authentication error" in run(attempt(tampered))
    expired = spore.cli("token", "create", "--user", "rpc-user-5", "--expires", "1s").stdout.strip()
    time.sleep(2)
    assert "expired" in run(attempt(expired))


def test_anonymous_connections(spore):
    token = mint(spore, "rpc-user-6")

    async def example():
        owner = await connect(spore, token)
        am = await owner.get_service("public/artifact-manager")
        await am.create(alias="public-thing", manifest={"name": "public"}, config={"permissions": {"*": "r"}})
        await am.create(alias="private-thing", manifest={"name": "private"})
        anonymous = await connect_to_server({"server_url": spore.http})
        assert anonymous.config["workspace"].startswith("ws-user-anonymouz-")
        assert anonymous.config["user"]["is_anonymous"] is True
        public_am = await anonymous.get_service("public/artifact-manager")
        assert (await public_am.read("ws-user-rpc-user-6/public-thing"))["manifest"]["name"] == "public"
        with pytest.raises(Exception):
            await public_am.read("ws-user-rpc-user-6/private-thing")
        s3 = await anonymous.get_service("public/s3-storage")
        with pytest.raises(Exception):
            await s3.put_file("x.txt")
        await anonymous.disconnect()
        await owner.disconnect()

    run(example())


def test_large_arguments_and_answers_are_chunked(spore):
    token = mint(spore, "rpc-user-7")

    async def example():
        api = await connect(spore, token)
        for size in (300_000, 3_000_000):
            payload = os.urandom(size)
            assert await api.echo(payload) == payload
        am = await api.get_service("public/artifact-manager")
        await am.create(alias="big-manifest", manifest={"name": "big", "blob": "x" * 600_000})
        assert len((await am.read("big-manifest"))["manifest"]["blob"]) == 600_000
        await api.disconnect()

    run(example())


def test_two_hundred_concurrent_connections(spore):
    token = mint(spore, "rpc-user-8")

    async def one(index):
        api = await connect(spore, token)
        s3 = await api.get_service("public/s3-storage")
        url = await s3.put_file(f"many/{index}.txt")
        async with httpx.AsyncClient() as client:
            assert (await client.put(url, content=str(index).encode())).status_code == 200
        listed = await s3.list_files("many/")
        await api.disconnect()
        return len(listed)

    async def all_of_them():
        semaphore = asyncio.Semaphore(200)

        async def guarded(index):
            async with semaphore:
                return await one(index)

        return await asyncio.gather(*[guarded(i) for i in range(200)])

    counts = run(all_of_them(), timeout=300)
    assert len(counts) == 200 and max(counts) == 200


def test_a_client_killed_mid_call_leaves_the_server_serving(spore, tmp_path):
    """A client process killed while its calls run (here: commits and a large echo in flight)
    leaves nothing behind that hurts others: the daemon keeps answering, and the calls' effects
    are either whole or absent."""
    token = mint(spore, "rpc-user-9")
    script = tmp_path / "client.py"
    script.write_text(textwrap.dedent(f"""
        import asyncio, os
        from hypha_rpc import connect_to_server
        async def main():
            api = await connect_to_server({{"server_url": "{spore.http}", "token": "{token}"}})
            am = await api.get_service("public/artifact-manager")
            print("ready", flush=True)
            await asyncio.gather(*[am.create(alias=f"killed-{{i}}", manifest={{"name": str(i)}}) for i in range(50)],
                                 api.echo(os.urandom(5_000_000)))
        asyncio.run(main())
    """))
    client = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert client.stdout.readline().strip() == "ready"
    time.sleep(0.05)
    client.send_signal(signal.SIGKILL)
    client.wait()

    async def after():
        api = await connect(spore, token)
        am = await api.get_service("public/artifact-manager")
        created = await am.list(limit=1000)
        for item in created:
            assert item["manifest"]["name"] == item["alias"].split("-")[1]
        assert await api.echo("alive") == "alive"
        await api.disconnect()

    run(after())
    assert requests.get(f"{spore.http}/health/ready").status_code == 200


def test_ttl_over_rpc_with_a_moved_clock(fresh_spore):
    """The seed's TTL uploads: the TTL starts when the upload completes; the file is gone after."""
    from conftest import admin_caller

    daemon = fresh_spore(extra_env={"SPORE_DEBUG_HOOKS": "1"})
    admin = admin_caller(daemon)
    token = daemon.cli("token", "create", "--user", "rpc-ttl", "--expires", "7d").stdout.strip()

    async def example():
        api = await connect(daemon, token)
        s3 = await api.get_service("public/s3-storage")
        url = await s3.put_file("temp/data.txt", ttl=3600)
        admin("POST", "debug/advance-clock", {"seconds": "600"})
        async with httpx.AsyncClient() as client:
            assert (await client.put(url, content=b"temporary")).status_code == 200
        admin("POST", "debug/advance-clock", {"seconds": "3000"})
        assert [f["name"] for f in await s3.list_files("temp/")] == ["data.txt"]
        admin("POST", "debug/advance-clock", {"seconds": "601"})
        assert await s3.list_files("temp/") == []
        await api.disconnect()

    run(example())


def test_the_seed_static_site_example_runs(spore):
    """The seed's "Static Site Hosting" Steps 1-4 (tests/integration/seeds/static_site_example.py,
    verbatim but for the URL and a login token): deploy over hypha-rpc, then the page answers.
    Hypha 0.21.137 itself fails its last step with a 500 (`'MANIFEST' is undefined`)."""
    token = mint(spore, "seed-user")
    script = os.path.join(os.path.dirname(__file__), "seeds", "static_site_example.py")
    result = subprocess.run([sys.executable, script, spore.http, token], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Site is working correctly!" in result.stdout
    page = requests.get(f"{spore.http}/ws-user-seed-user/view/my-portfolio/", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    assert "<title>My Portfolio</title>" in page.text and "Welcome, seed-user!" in page.text
    assert page.headers["cache-control"] == "max-age=3600"
    assert requests.get(f"{spore.http}/ws-user-seed-user/view/my-portfolio/style.css",
                        headers={"Authorization": f"Bearer {token}"}).headers["content-type"].startswith("text/css")


def test_protocol_errors_close_with_a_reason(spore):
    """Raw WebSocket clients: a first message that is not the login payload, and a binary frame
    that is not msgpack, are answered with a reason and a close; the daemon keeps serving."""
    import websockets

    async def attempt(first, then=None):
        async with websockets.connect(spore.http.replace("http://", "ws://") + "/ws") as socket:
            await socket.send(first)
            if then is not None:
                info = await socket.recv()
                assert '"connection_info"' in info
                await socket.send(then)
            messages = []
            try:
                while True:
                    messages.append(await asyncio.wait_for(socket.recv(), 10))
            except websockets.ConnectionClosed as closed:
                return messages, closed.rcvd.code if closed.rcvd else None

    messages, code = run(attempt("not json"))
    assert code == 1003 and "authentication payload" in messages[0]
    login = '{"client_id": "raw", "workspace": null, "token": null, "reconnection_token": null}'
    messages, code = run(attempt(login, b"\xc1\xc1\xc1"))
    assert code == 1003 and "Invalid RPC frame" in messages[-1]
    assert requests.get(f"{spore.http}/health/live").status_code == 200


def raw_session(spore, first, frames, wait=3):
    """A raw WebSocket client: sends the login `first`, then binary `frames`; returns what came back."""
    import websockets

    async def session():
        received = []
        async with websockets.connect(spore.http.replace("http://", "ws://") + "/ws") as socket:
            await socket.send(first)
            received.append(await socket.recv())
            for frame in frames:
                await socket.send(frame)
            try:
                while True:
                    received.append(await asyncio.wait_for(socket.recv(), wait))
            except (asyncio.TimeoutError, websockets.ConnectionClosed):
                pass
        return received

    return run(session())


def test_hostile_frames_do_not_crash_the_daemon(spore):
    import msgpack

    login = '{"client_id": "hostile", "workspace": null, "token": null, "reconnection_token": null}'
    call = {"type": "method", "to": "*/manager-spore", "method": "services.default.log", "session": "s1"}
    frames = [
        msgpack.packb(call) + msgpack.packb({"promise": "*", "t": float("nan")}),
        msgpack.packb(call) + msgpack.packb({"promise": {"interval": float("inf")}}),
        msgpack.packb({"type": "method", "to": "*/manager-spore", "method": "services.built-in.message_cache.create"})
        + msgpack.packb({"args": ["k", False]}),
    ] + [
        msgpack.packb({"type": "method", "to": "*/manager-spore", "method": "services.built-in.message_cache.set", "session": "s2"})
        + msgpack.packb({"args": ["k", index, b"x", False], "promise": "*"})
        for index in (float("inf"), float("nan"), 1e300, 2**63 - 1, 2**64 - 1, -5)
    ] + [
        msgpack.packb({"type": "method", "to": "public/spore", "method": "services.s3-storage.list_files", "session": "s3"})
        + msgpack.packb({"args": [{"max_length": "1e300"}], "with_kwargs": True, "promise": "*"}),
        msgpack.packb({"type": "method", "to": "*/manager-spore", "method": "services.default.echo", "session": "s4"})
        + msgpack.packb({"args": ["still alive"], "promise": "*"}),
    ]
    received = raw_session(spore, login, frames)
    answers = [msgpack.Unpacker(raw=False) for _ in received[1:]]
    decoded = []
    for unpacker, data in zip(answers, received[1:]):
        if isinstance(data, bytes):
            unpacker.feed(data)
            decoded.append([part for part in unpacker])
    assert any(parts[0]["method"] == "s4.resolve" and parts[1]["args"] == ["still alive"] for parts in decoded), decoded
    assert requests.get(f"{spore.http}/health/live").status_code == 200


def test_reconnection_tokens_are_only_for_reconnecting(spore):
    """A reconnection token resumes a session of its client id and opens nothing else; a token
    limited to scopes is not a reconnection token."""
    token = mint(spore, "rpc-recon")

    async def tokens():
        api = await connect(spore, token)
        reconnection = api.config["reconnection_token"]
        am = await api.get_service("public/artifact-manager")
        await am.create(alias="recon-art", manifest={"name": "r"})
        scoped = await api.generate_token({"extra_scopes": ["get_file:ws-user-rpc-recon/recon-art:*"]})
        await api.disconnect()
        anonymous = await connect_to_server({"server_url": spore.http})
        anonymous_reconnection = anonymous.config["reconnection_token"]
        await anonymous.disconnect()
        return reconnection, anonymous_reconnection, scoped

    reconnection, anonymous_reconnection, scoped = run(tokens())
    # A file-scoped token is neither a login nor a reconnection token.
    for field in ("token", "reconnection_token"):
        first = json.dumps({"client_id": "c", "workspace": None, "token": None, "reconnection_token": None} | {field: scoped})
        assert "Authentication error" in raw_session(spore, first, [], wait=1)[0]
    for bearer in (reconnection, anonymous_reconnection):
        answer = requests.post(f"{spore.http}/public/services/s3-storage/list_files", json={"path": ""},
                               headers={"Authorization": f"Bearer {bearer}"})
        assert answer.status_code in (401, 403), answer.text
    first = '{"client_id": "someone-else", "workspace": null, "token": null, "reconnection_token": "%s"}' % reconnection
    received = raw_session(spore, first, [], wait=1)
    assert "Client id mismatch" in received[0]
    first = '{"client_id": "x", "workspace": null, "token": "%s", "reconnection_token": null}' % reconnection
    assert "limited to its scopes" in raw_session(spore, first, [], wait=1)[0]


def test_a_reconnection_resumes_the_same_user_and_workspace(spore):
    token = mint(spore, "rpc-resume")
    first = json.dumps({"client_id": "resumer", "workspace": None, "token": token, "reconnection_token": None})
    info = json.loads(raw_session(spore, first, [], wait=0.5)[0])
    again = json.dumps({"client_id": "resumer", "workspace": None, "token": token, "reconnection_token": info["reconnection_token"]})
    resumed = json.loads(raw_session(spore, again, [], wait=0.5)[0])
    assert resumed["type"] == "connection_info"
    assert resumed["workspace"] == info["workspace"] == "ws-user-rpc-resume" and resumed["user"]["id"] == "rpc-resume"
    anonymous = json.loads(raw_session(spore, json.dumps({"client_id": "anon-r", "workspace": None, "token": None, "reconnection_token": None}), [], wait=0.5)[0])
    back = json.loads(raw_session(spore, json.dumps({"client_id": "anon-r", "workspace": None, "token": None,
                                                     "reconnection_token": anonymous["reconnection_token"]}), [], wait=0.5)[0])
    assert back["workspace"] == anonymous["workspace"] and back["user"]["is_anonymous"] is True


def test_client_ids_cannot_smuggle_scopes(spore):
    """A client id lands in addresses and in the reconnection token: only letters, digits, - and _."""
    for client_id in ("c:user ws:*#a cid:", "a b", "x/y", "é"):
        first = json.dumps({"client_id": client_id, "workspace": None, "token": None, "reconnection_token": None})
        assert "client_id may hold only" in raw_session(spore, first, [], wait=0.5)[0]
    first = json.dumps({"client_id": "ok", "workspace": "ws-user-x wid:public", "token": mint(spore, "rpc-ws"), "reconnection_token": None})
    assert "invalid workspace name" in raw_session(spore, first, [], wait=0.5)[0]


def test_revoked_tokens_are_refused_on_every_listener(spore):
    """`spore token revoke` ends a token at once: on HTTP, for new RPC connections, on open RPC
    connections and through their reconnection tokens; revoking a user ends all their tokens."""
    token = mint(spore, "rpc-revoke")
    other = spore.cli("token", "create", "--user", "rpc-revoke", "--expires", "2h").stdout.strip()
    assert other != token
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{spore.http}/ws-user-rpc-revoke/files/", headers=headers).status_code in (200, 404)

    async def session():
        api = await connect(spore, token)
        s3 = await api.get_service("public/s3-storage")
        await s3.list_files("")
        reconnection = (api.config["client_id"], api.config["reconnection_token"])
        spore.cli("token", "revoke", "--token", token)
        with pytest.raises(Exception) as raised:
            await s3.list_files("")
        assert "revoked" in str(raised.value)
        await api.disconnect()
        return reconnection

    reconnection = run(session())
    assert requests.get(f"{spore.http}/ws-user-rpc-revoke/files/", headers=headers).status_code == 401
    with pytest.raises(ConnectionAbortedError):
        run(connect_to_server({"server_url": spore.http, "token": token}))
    first = json.dumps({"client_id": reconnection[0], "workspace": None, "token": None, "reconnection_token": reconnection[1]})
    assert "revoked" in raw_session(spore, first, [], wait=0.5)[0]
    # The user's other token still works until the user is revoked.
    assert requests.get(f"{spore.http}/ws-user-rpc-revoke/files/", headers={"Authorization": f"Bearer {other}"}).status_code in (200, 404)
    spore.cli("token", "revoke", "--user", "rpc-revoke")
    assert requests.get(f"{spore.http}/ws-user-rpc-revoke/files/", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    time.sleep(1.1)
    fresh = mint(spore, "rpc-revoke")
    assert requests.get(f"{spore.http}/ws-user-rpc-revoke/files/", headers={"Authorization": f"Bearer {fresh}"}).status_code in (200, 404)
