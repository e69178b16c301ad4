"""The CLI as a person and a script read it: human output by default (a share link's URL on its own
line, tables with a header for lists, one-line confirmations), --json for scripts (parseable, no
escaped slashes), and one clear line when no daemon serves the data directory."""

import fcntl
import json
import os
import re

import requests

from conftest import spore_cli

NO_DAEMON_COMMANDS = [
    ["share", "link", "team/report.pdf"],
    ["share", "list"],
    ["share", "revoke", "sometoken"],
    ["user", "list"],
    ["user", "add", "somebody"],
    ["key", "list"],
    ["key", "create", "--user", "somebody"],
    ["workspace", "list"],
    ["token", "revoke", "--user", "somebody"],
    ["gc"],
]


def lines(result):
    return result.stdout.splitlines()


CELL = re.compile(r"\S+(?: \S+)*")  # cells are two or more spaces apart; a cell may hold single spaces


def assert_table(output, titles, row_with):
    """`output` is a header row with `titles`, then rows whose cells line up under it (left- or
    right-aligned); returns the cells of the row holding `row_with`."""
    table = output.splitlines()
    header = [(match.group(), match.start(), match.end()) for match in CELL.finditer(table[0])]
    assert [title for title, _, _ in header] == titles, table[0]
    row = next(line for line in table[1:] if row_with in line)
    cells = [(match.group(), match.start(), match.end()) for match in CELL.finditer(row)]
    assert len(cells) == len(header), f"{row!r} under {table[0]!r}"
    for (_, start, end), (_, title_start, title_end) in zip(cells, header):
        assert start == title_start or end == title_end, f"{row!r} is not aligned under {table[0]!r}"
    return [cell for cell, _, _ in cells]


def test_share_link_prints_the_url_alone_and_json_on_request(spore, bucket):
    body = os.urandom(5000)
    spore.client().put_object(Bucket=bucket, Key="docs/report 1.pdf", Body=body)
    result = spore.cli("share", "link", f"{bucket}/docs/report 1.pdf", "--expires", "1d")
    assert result.stderr == ""
    url = result.stdout.strip()
    assert lines(result) == [url]
    assert url.startswith(f"{spore.http}/share/")
    fetched = requests.get(url)
    assert fetched.status_code == 200 and fetched.content == body

    scripted = spore.cli("share", "link", f"{bucket}/docs/report 1.pdf", "--json")
    assert "\\/" not in scripted.stdout and len(lines(scripted)) == 1
    link = json.loads(scripted.stdout)
    assert link["url"] == f"{spore.http}/share/{link['token']}" and link["url"].startswith("http://")
    assert requests.get(link["url"]).content == body


def test_lists_are_tables_with_a_header(spore, bucket):
    spore.client().put_object(Bucket=bucket, Key="table.txt", Body=b"rows")
    assert lines(spore.cli("user", "add", "cli-ursula")) == ["created user cli-ursula"]
    users = assert_table(spore.cli("user", "list").stdout, ["NAME", "STATUS", "CREATED"], "cli-ursula")
    assert users[:2] == ["cli-ursula", "enabled"] and users[2].endswith(" UTC")

    created = spore.cli("key", "create", "--user", "cli-ursula", "--bucket", bucket, "--read-only", "--label", "dashboard")
    fields = dict(line.split(": ", 1) for line in lines(created))
    assert fields["user"] == "cli-ursula" and fields["scope"] == bucket and fields["rights"] == "read-only"
    assert len(fields["access key"]) == 20 and len(fields["secret key"]) == 40
    assert "only this once" in created.stderr
    keys = assert_table(
        spore.cli("key", "list", "--user", "cli-ursula").stdout,
        ["ACCESS KEY", "USER", "SCOPE", "RIGHTS", "STATUS", "EXPIRES", "LABEL"], fields["access key"],
    )
    assert keys == [fields["access key"], "cli-ursula", bucket, "read-only", "enabled", "-", "dashboard"]
    assert fields["secret key"] not in spore.cli("key", "list").stdout

    token = spore.cli("share", "link", f"{bucket}/table.txt", "--max-downloads", "5").stdout.strip().rsplit("/", 1)[1]
    shares = assert_table(
        spore.cli("share", "list").stdout, ["TOKEN", "OBJECT", "DOWNLOADS", "EXPIRES", "PASSWORD", "STATUS"], token
    )
    assert shares == [token, f"{bucket}/table.txt", "0/5", "-", "no", "active"]

    spore.cli("workspace", "create", "cli-lab", "--owners", "u1,u2", "--description", "the lab")
    workspaces = assert_table(spore.cli("workspace", "list").stdout, ["NAME", "OWNERS", "ACCESS", "DESCRIPTION"], "cli-lab")
    assert workspaces == ["cli-lab", "u1,u2", "read-write", "the lab"]


def test_json_on_every_answering_command_is_parseable_with_no_escaped_slashes(spore, bucket):
    spore.client().put_object(Bucket=bucket, Key="a/b/c.txt", Body=b"json")
    spore.cli("user", "add", "cli-jay")
    key = json.loads(spore.cli("key", "create", "--user", "cli-jay", "--bucket", bucket, "--prefix", "a/b/", "--json").stdout)
    assert key["scopes"] == [{"bucket": bucket, "prefix": "a/b/"}] and key["secret_key"]
    spore.cli("share", "link", f"{bucket}/a/b/c.txt")
    answers = {
        "users": spore.cli("user", "list", "--json").stdout,
        "keys": spore.cli("key", "list", "--user", "cli-jay", "--json").stdout,
        "shares": spore.cli("share", "list", "--json").stdout,
        "workspaces": spore.cli("workspace", "list", "--json").stdout,
    }
    for member, text in answers.items():
        assert "\\/" not in text, text
        assert len(text.splitlines()) == 1
        assert isinstance(json.loads(text)[member], list)
    shares = json.loads(answers["shares"])["shares"]
    assert any(share["url"].startswith("http://") and share["key"] == "a/b/c.txt" for share in shares)
    assert [k["access_key"] for k in json.loads(answers["keys"])["keys"]] == [key["access_key"]]
    assert set(json.loads(spore.cli("gc", "--grace", "3600", "--json").stdout)) == {
        "collected", "adopted_orphans", "segments_rewritten", "segments_deleted", "segment_bytes_freed"}
    stats = json.loads(spore.cli("stats", "--json").stdout)
    assert any(b["name"] == bucket and b["versions"] == 1 for b in stats["buckets"])


def test_single_record_commands_answer_in_one_line(spore, bucket):
    spore.client().put_object(Bucket=bucket, Key="k", Body=b"v")
    spore.cli("user", "add", "cli-ola")
    access_key = json.loads(spore.cli("key", "create", "--user", "cli-ola", "--json").stdout)["access_key"]
    token = json.loads(spore.cli("share", "link", f"{bucket}/k", "--json").stdout)["token"]
    assert lines(spore.cli("key", "disable", access_key)) == [f"disabled key {access_key}"]
    assert lines(spore.cli("key", "enable", access_key)) == [f"enabled key {access_key}"]
    assert lines(spore.cli("key", "delete", access_key)) == [f"deleted key {access_key}"]
    assert lines(spore.cli("user", "disable", "cli-ola")) == ["disabled user cli-ola"]
    assert lines(spore.cli("user", "enable", "cli-ola")) == ["enabled user cli-ola"]
    assert lines(spore.cli("user", "delete", "cli-ola")) == ["deleted user cli-ola (their buckets stay)"]
    assert lines(spore.cli("share", "revoke", token)) == [f"revoked share link {token}"]
    assert requests.get(f"{spore.http}/share/{token}").status_code == 410
    assert lines(spore.cli("workspace", "create", "cli-ws", "--read-only")) == ["created workspace cli-ws (owners: none; read-only)"]
    assert lines(spore.cli("workspace", "delete", "cli-ws")) == ["deleted workspace cli-ws (its files stay in the bucket)"]
    assert lines(spore.cli("token", "revoke", "--user", "cli-nobody"))[0].startswith("revoked every token of cli-nobody issued until ")
    assert re.fullmatch(r"collected \d+ blobs?( \(.*\))?", spore.cli("gc", "--grace", "3600").stdout.strip())


def test_stats_reads_in_binary_units(spore, bucket):
    spore.client().put_object(Bucket=bucket, Key="big", Body=os.urandom(3 * 1024 * 1024 + 512 * 1024))
    spore.client().put_object(Bucket=bucket, Key="small", Body=b"x" * 100)
    output = spore.cli("stats").stdout
    row = assert_table(output.split("\n\n")[0], ["BUCKET", "VERSIONS", "SIZE"], bucket)
    assert row == [bucket, "2", "3.5 MiB"]
    assert re.search(r"^total: \d+ versions?, [\d.]+ (B|KiB|MiB|GiB)$", output, re.M), output
    assert re.search(r"^saved by deduplication: [\d.]+ (B|KiB|MiB|GiB)$", output, re.M), output


def test_daemon_refusals_print_its_message(spore, bucket):
    missing_user = spore.cli("key", "create", "--user", "cli-nobody-here", check=False)
    assert missing_user.returncode != 0 and missing_user.stdout == ""
    assert missing_user.stderr.strip().lower() == "error: no user cli-nobody-here"
    missing_object = spore.cli("share", "link", f"{bucket}/not-there", check=False)
    assert missing_object.returncode != 0 and missing_object.stderr.strip().lower() == f"error: no object {bucket}/not-there"
    wrong_root = spore.cli("user", "list", env={"SPORE_ROOT_PASSWORD": "not-the-root-password"}, check=False)
    assert wrong_root.returncode != 0 and len(wrong_root.stderr.splitlines()) == 1
    assert "root credentials" in wrong_root.stderr and "<Error>" not in wrong_root.stderr


def assert_not_served(result, data_dir, tried=None):
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "NSURLErrorDomain" not in output and "Code=" not in output
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    message = result.stderr.strip()
    assert message.lower().startswith(f"error: no spore daemon is serving {data_dir}"), message
    assert message.endswith(f"start it with: spore serve --data-dir {data_dir}"), message
    if tried:
        assert f"(tried {tried}" in message, message


def test_no_daemon_on_a_fresh_data_directory_is_one_clear_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = tmp_path / "missing"
    for data_dir in (empty, missing):
        for command in NO_DAEMON_COMMANDS:
            result = spore_cli(*command, data_dir=data_dir, check=False)
            assert_not_served(result, data_dir)
    # Nothing was made in either: a mistyped --data-dir leaves no empty store behind.
    assert list(empty.iterdir()) == [] and not missing.exists()


def test_a_daemon_that_does_not_answer_is_one_clear_line(fresh_spore):
    daemon = fresh_spore()
    data = daemon.data_dir
    daemon.client().create_bucket(Bucket="team")
    # An explicit address that nothing serves, while the daemon runs elsewhere: the message says where.
    wrong = daemon.cli("user", "list", env={"SPORE_S3_ADDRESS": "127.0.0.1:1"}, check=False)
    assert wrong.returncode != 0 and "NSURLErrorDomain" not in wrong.stderr and len(wrong.stderr.splitlines()) == 1
    assert "http://127.0.0.1:1 (connection refused)" in wrong.stderr and f"http://127.0.0.1:{daemon.port}" in wrong.stderr
    # The daemon gone but its directory still held (a daemon starting, or hung before it listens):
    # every daemon-backed command names the directory and the address it tried.
    daemon.kill()
    with open(data / "spore.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        env = {key: value for key, value in os.environ.items() if not key.startswith("SPORE_S3_ADDRESS")}
        for command in NO_DAEMON_COMMANDS:
            result = spore_cli(*command, data_dir=data, env=env, check=False)
            assert_not_served(result, data, tried=f"http://127.0.0.1:{daemon.port}: connection refused")
    # Unlocked, the commands work on the stopped store directly again.
    assert "NAME" in spore_cli("user", "list", data_dir=data).stdout
