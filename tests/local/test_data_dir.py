"""The data directory: private modes, one server at a time, credentials never replaced,
secret values encrypted at rest and never logged."""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from onyx_database.local import LocalServer, serve

SECRET_VALUE = "hunter2-at-rest-CANARY-7f3a"


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _client(server: LocalServer) -> httpx.Client:
    headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
    return httpx.Client(base_url=server.url, headers=headers, timeout=10)


def _put_secret(server: LocalServer, key: str, value: str) -> None:
    with _client(server) as client:
        response = client.put(
            f"/database/{server.database_id}/secret/{key}", json={"value": value, "purpose": "t"}
        )
        assert response.status_code == 200, response.text


def _get_secret(server: LocalServer, key: str) -> str:
    with _client(server) as client:
        response = client.get(f"/database/{server.database_id}/secret/{key}")
        assert response.status_code == 200, response.text
        value: str = response.json()["value"]
        return value


def test_directory_is_0700_and_every_file_0600(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with LocalServer(data) as server:
        _put_secret(server, "api-token", SECRET_VALUE)
        files = sorted(p.name for p in data.iterdir())
        assert {"onyx.sqlite3", "onyx.sqlite3-wal", "onyx.sqlite3-shm"} <= set(files)
        assert {"onyx-database.json", "onyx-secrets.key", "onyx-local.lock"} <= set(files)
        assert _mode(data) == 0o700
        assert {name: _mode(data / name) for name in files} == dict.fromkeys(files, 0o600)


def test_an_existing_open_directory_and_database_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # noqa: S103  (the open mode under test)
    sqlite3.connect(data / "onyx.sqlite3").close()
    os.chmod(data / "onyx.sqlite3", 0o644)
    with LocalServer(data):
        assert _mode(data) == 0o700
        assert _mode(data / "onyx.sqlite3") == 0o600


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"databaseId": "d", "apiKey": "k", "apiSe', "not valid JSON"),
        ("", "not valid JSON"),
        ('["a list"]', "does not hold a JSON object"),
        ('{"databaseId": "d", "apiKey": "k"}', "lacks apiSecret"),
    ],
)
def test_a_corrupt_credentials_file_stops_the_server_and_is_left_untouched(
    tmp_path: Path, content: str, reason: str
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    credentials = data / "onyx-database.json"
    credentials.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=reason) as raised:
        LocalServer(data).start()
    assert str(credentials) in str(raised.value)
    assert "left untouched" in str(raised.value)
    assert credentials.read_text(encoding="utf-8") == content
    # the lock was released: once the file is fixed the server starts with the old identity
    credentials.write_text(
        json.dumps({"databaseId": "d", "apiKey": "k", "apiSecret": "s"}), encoding="utf-8"
    )
    with LocalServer(data) as server:
        assert (server.database_id, server.api_key, server.api_secret) == ("d", "k", "s")


def test_an_unreadable_credentials_file_stops_the_command_line_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    (data / "onyx-database.json").mkdir(parents=True)  # a directory where the file should be
    assert serve(data, port=0) == 1
    err = capsys.readouterr().err
    assert "cannot start" in err
    assert "cannot read credentials file" in err
    assert (data / "onyx-database.json").is_dir()


def test_a_second_server_on_the_directory_refuses_naming_the_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    command = [sys.executable, "-m", "onyx_database.local", "--port", "0", "--data", str(data)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None
        banner = first.stdout.readline()
        assert banner.startswith("Onyx Local listening on "), banner
        url = banner.rsplit(" ", 1)[1].strip()
        before = (data / "onyx-database.json").read_text()
        second = LocalServer(data)
        with pytest.raises(RuntimeError, match="in use by another Onyx Local") as raised:
            second.start()
        assert f"pid {first.pid}, {url}" in str(raised.value)
        assert (data / "onyx-database.json").read_text() == before  # baseUrl not rewritten
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=15)
        assert first.stdout is not None and first.stderr is not None
        first.stdout.close()
        first.stderr.close()
    with LocalServer(data) as third:  # the lock died with the first process
        assert third.database_id == json.loads(before)["databaseId"]


def test_in_process_servers_share_the_lock_rule(tmp_path: Path) -> None:
    with LocalServer(tmp_path) as first, pytest.raises(RuntimeError) as raised:
        LocalServer(tmp_path).start()
    assert f"pid {os.getpid()}, {first.url}" in str(raised.value)
    with LocalServer(tmp_path):
        pass


def test_secret_values_are_encrypted_at_rest_and_survive_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with LocalServer(data) as server:
        _put_secret(server, "api-token", SECRET_VALUE)
        assert _get_secret(server, "api-token") == SECRET_VALUE
        for path in data.iterdir():  # the database, its WAL and every other file
            assert SECRET_VALUE.encode() not in path.read_bytes(), path.name
    with LocalServer(data) as server:
        assert _get_secret(server, "api-token") == SECRET_VALUE


def test_plain_text_values_from_an_older_server_are_encrypted_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with LocalServer(data) as server:
        _put_secret(server, "old", "placeholder")
    with sqlite3.connect(data / "onyx.sqlite3") as conn:
        conn.execute("UPDATE _onyx_secret SET value = ? WHERE key = 'old'", (SECRET_VALUE,))
    with LocalServer(data) as server:
        assert _get_secret(server, "old") == SECRET_VALUE
        for path in data.iterdir():  # the old plain page is overwritten at once
            assert SECRET_VALUE.encode() not in path.read_bytes(), path.name


def test_a_foreign_key_file_stops_the_server(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with LocalServer(data) as server:
        _put_secret(server, "api-token", SECRET_VALUE)
    (data / "onyx-secrets.key").write_bytes(Fernet.generate_key())
    with pytest.raises(ValueError, match="do not decrypt with"):
        LocalServer(data).start()
    (data / "onyx-secrets.key").write_text("not a key", encoding="utf-8")
    with pytest.raises(ValueError, match=r"secrets key file .* is corrupt"):
        LocalServer(data).start()


def test_secret_values_never_reach_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with LocalServer(tmp_path) as server, _client(server) as client:
        base = f"/database/{server.database_id}/secret"
        client.put(f"{base}/a", json={"value": SECRET_VALUE})
        client.get(f"{base}/a")
        client.put(f"{base}/a", json={"value": SECRET_VALUE, "purpose": 7})  # 400
        client.post(base, json={"key": "", "value": SECRET_VALUE})  # 400
        client.put(f"{base}/a", content=b'{"value": "' + SECRET_VALUE.encode())  # bad JSON
        client.get(f"{base}/a").raise_for_status()
    assert caplog.records  # the capture works (httpx logs every request at DEBUG)
    assert SECRET_VALUE not in caplog.text
