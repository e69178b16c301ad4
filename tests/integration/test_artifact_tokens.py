"""Specialized tokens: a token minted with extra scopes (`get_file:{artifact}:{path}`,
`put_file:…`) reaches exactly the artifact files its scopes name, with no other permission, and
nothing else: no service call, no workspace file, no other file."""

import requests

WS = "ws-user-scoper"


def test_specialized_tokens_reach_only_their_files(spore):
    token = spore.cli("token", "create", "--user", "scoper").stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    base = f"{spore.http}/public/services/artifact-manager"

    def call(function, **kwargs):
        response = requests.post(f"{base}/{function}", json=kwargs, headers=headers)
        assert response.status_code == 200, (function, response.text)
        return response.json()

    call("create", alias=f"{WS}/scoped", manifest={"name": "s"}, stage=True)
    for path in ("a b.txt", "other.txt"):
        assert requests.put(call("put_file", artifact_id=f"{WS}/scoped", file_path=path), data=path.encode()).status_code == 200
    call("commit", artifact_id=f"{WS}/scoped")
    call("create", alias=f"{WS}/dropbox", manifest={"name": "d"}, stage=True)

    def mint(*scopes):
        response = requests.post(f"{spore.http}/{WS}/services/ws/generate_token", headers=headers,
                                 json={"config": {"permission": "read", "expires_in": 600, "extra_scopes": list(scopes)}})
        assert response.status_code == 200, response.text
        return response.json()

    reader = mint(f"get_file:{WS}/scoped:a%20b.txt")
    files = f"{spore.http}/{WS}/artifacts/scoped/files"
    allowed = requests.get(f"{files}/a%20b.txt", params={"token": reader}, allow_redirects=False)
    assert allowed.status_code == 307 and requests.get(allowed.headers["Location"]).content == b"a b.txt"
    refused = requests.get(f"{files}/other.txt", params={"token": reader}, allow_redirects=False)
    assert refused.status_code == 403 and "Token scope does not match requested file" in refused.json()["detail"]
    # Not a general token: no service call, no workspace file, no listing.
    assert requests.post(f"{base}/read", json={"artifact_id": f"{WS}/scoped"}, headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    assert requests.get(f"{spore.http}/{WS}/files/", params={"token": reader}).status_code == 403
    assert requests.get(f"{spore.http}/{WS}/artifacts/scoped", params={"token": reader}).status_code == 403

    # A wildcard scope covers every file of one artifact; the internal id works as the artifact.
    internal = call("read", artifact_id=f"{WS}/scoped", silent=True)["_id"]
    everything = mint(f"get_file:{internal}:*")
    assert requests.get(f"{files}/other.txt", params={"token": everything}, allow_redirects=False).status_code == 307

    # put_file scopes let a holder upload one file into a staged artifact, and nothing else.
    uploader = mint(f"put_file:{WS}/dropbox:drop.txt")
    dropped = requests.put(f"{spore.http}/{WS}/artifacts/dropbox/files/drop.txt", params={"token": uploader}, data=b"dropped")
    assert dropped.status_code == 200, dropped.text
    assert requests.put(f"{spore.http}/{WS}/artifacts/dropbox/files/else.txt", params={"token": uploader}, data=b"x").status_code == 403
    assert call("read_file", artifact_id=f"{WS}/dropbox", file_path="drop.txt", stage=True)["content"] == "dropped"

    # A tampered scope breaks the signature.
    header, payload, signature = reader.split(".")
    assert requests.get(f"{files}/other.txt", params={"token": f"{header}.{payload[:-2]}AA.{signature}"}).status_code == 401


def test_scopes_are_minted_only_for_files_the_caller_may_reach(spore):
    """A scope delegates the minting user's own right: nobody can mint a token for someone else's
    private files, and only get_file/put_file scopes exist."""
    owner = {"Authorization": f"Bearer {spore.cli('token', 'create', '--user', 'keeper').stdout.strip()}"}
    response = requests.post(f"{spore.http}/public/services/artifact-manager/create", headers=owner,
                             json={"alias": "ws-user-keeper/private", "manifest": {"name": "p"}})
    assert response.status_code == 200, response.text
    internal = response.json()["_id"]
    mallory = {"Authorization": f"Bearer {spore.cli('token', 'create', '--user', 'mallory').stdout.strip()}"}

    def mint(headers, workspace, *scopes):
        return requests.post(f"{spore.http}/{workspace}/services/ws/generate_token", headers=headers,
                             json={"config": {"extra_scopes": list(scopes)}})

    for scope in ("get_file:ws-user-keeper/private:*", f"put_file:{internal}:x.txt", "get_file:ws-user-keeper/missing:*"):
        refused = mint(mallory, "ws-user-mallory", scope)
        assert refused.status_code == 403 and "Cannot grant" in refused.json()["detail"], refused.text
    for scope in ("delete:ws-user-keeper/private:*", "get_file:ws-user-keeper/private", "get_file::*", "admin"):
        assert mint(owner, "ws-user-keeper", scope).status_code == 400
    assert mint(owner, "ws-user-keeper", "get_file:ws-user-keeper/private:*").status_code == 200
