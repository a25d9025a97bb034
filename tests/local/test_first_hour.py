"""What ``onyx-py local`` tells a newcomer: one line per request, what to do when the port is
taken, and how to point an app at the credentials it wrote."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from onyx_database.local import LocalServer, serve

from .conftest import schema


class _Collect(logging.Handler):
    """Keeps access-log lines; ``arrived`` is set when ``wanted`` lines are in."""

    def __init__(self, wanted: int) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.wanted = wanted
        self.arrived = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        if len(self.lines) >= self.wanted:
            self.arrived.set()


def test_access_log_has_method_path_status_and_time_never_query_values(tmp_path: Path) -> None:
    access = logging.getLogger("onyx_database.local.access")
    collect = _Collect(wanted=3)
    access.addHandler(collect)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        with LocalServer(tmp_path, schema=schema(), access_log=True) as server:
            headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
            with httpx.Client(base_url=server.url, headers=headers) as client:
                base = f"/data/{server.database_id}"
                assert client.put(f"{base}/Item", json={"id": "a1"}).status_code == 200
                missing = client.get(f"{base}/Item/nope", params={"partition": "hush-123"})
                assert missing.status_code == 404
                assert httpx.get(f"{server.url}{base}/Item/a1").status_code == 401
            assert collect.arrived.wait(10)
    finally:
        access.removeHandler(collect)
        access.setLevel(level)
    put, get, unauthorized = collect.lines[:3]
    assert put.startswith(f"PUT /data/{server.database_id}/Item 200 ")
    assert get.startswith(f"GET /data/{server.database_id}/Item/nope 404 ")
    assert unauthorized.startswith(f"GET /data/{server.database_id}/Item/a1 401 ")
    assert all(line.endswith(" ms") for line in collect.lines)
    text = "\n".join(collect.lines)
    assert "hush-123" not in text
    assert server.api_secret not in text


def test_no_access_log_unless_asked(tmp_path: Path) -> None:
    access = logging.getLogger("onyx_database.local.access")
    collect = _Collect(wanted=1)
    access.addHandler(collect)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        with LocalServer(tmp_path) as server:
            response = httpx.get(f"{server.url}/data/{server.database_id}/Item/x")
            assert response.status_code == 401
    finally:
        access.removeHandler(collect)
        access.setLevel(level)
    assert collect.lines == []


def _run_cli(cwd: Path, *args: str) -> tuple[str, str, dict[str, str]]:
    """Start ``onyx-py local`` in ``cwd``, GET one missing record, stop it; (stdout, stderr,
    the credentials it wrote)."""
    command = [sys.executable, "-m", "onyx_database.local", "--port", "0", *args]
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(5)]
        url = banner[0].rsplit(" ", 1)[1].strip()
        config_path = Path(banner[2].split(": ", 1)[1].strip())
        config = json.loads(config_path.read_text())
        headers = {"x-onyx-key": config["apiKey"], "x-onyx-secret": config["apiSecret"]}
        response = httpx.get(
            f"{url}/data/{config['databaseId']}/Nope/1?partition=hush", headers=headers
        )
        assert response.status_code == 404
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        out = "".join(banner) + process.stdout.read()
        assert process.stderr is not None
        err = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    return out, err, config


def test_cli_logs_requests_and_says_how_apps_find_the_credentials(tmp_path: Path) -> None:
    out, err, config = _run_cli(tmp_path)  # the default data dir: ./.onyx-local
    credentials = (tmp_path / ".onyx-local" / "onyx-database.json").resolve()
    assert (
        "apps started from this directory find it automatically;"
        f" elsewhere set ONYX_CONFIG_PATH={credentials}"
    ) in out
    assert f"GET /data/{config['databaseId']}/Nope/1 404 " in out
    assert "hush" not in out + err
    assert config["apiSecret"] not in out + err


def test_cli_quiet_logs_no_requests_and_names_the_path_elsewhere(tmp_path: Path) -> None:
    out, _, _ = _run_cli(tmp_path, "--quiet", "--data", "elsewhere")
    credentials = (tmp_path / "elsewhere" / "onyx-database.json").resolve()
    assert f"point an app at it: set ONYX_CONFIG_PATH={credentials}" in out
    assert "/Nope/1" not in out
    assert "Onyx Local stopped" in out


def test_a_taken_port_says_to_choose_another_or_port_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert serve(tmp_path, port=port) == 1
    err = capsys.readouterr().err
    assert f"port {port} is already in use" in err
    assert "--port 0" in err


def test_a_data_dir_in_use_names_the_other_onyx_local(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LocalServer(tmp_path) as first:
        assert serve(tmp_path, port=0) == 1
        err = capsys.readouterr().err
        assert f"pid {os.getpid()}, {first.url}" in err
        assert "--data" in err
