"""``onyx-py local`` and ``python -m onyx_database.local``: one click command calling
:func:`onyx_database.local.serve`, started as a real process, requested, stopped."""

from __future__ import annotations

import inspect
import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from onyx_database._cli import main
from onyx_database.cli import local_command

SCHEMA = Path(__file__).resolve().parents[1] / "onyx.test.schema.json"
READY = "press Ctrl+C to stop"


class Running:
    """A ``local`` process whose banner was read up to its readiness line."""

    def __init__(self, process: subprocess.Popen[str], banner: list[str]) -> None:
        self.process = process
        self.banner = banner
        self.url = banner[0].rsplit(" ", 1)[1]
        self.credentials = Path(banner[2].split(": ", 1)[1])

    def headers(self) -> dict[str, str]:
        config = json.loads(self.credentials.read_text())
        return {"x-onyx-key": config["apiKey"], "x-onyx-secret": config["apiSecret"]}

    def read_until(self, wanted: str) -> list[str]:
        """stdout lines up to the first containing ``wanted`` (blocking reads, no sleeps)."""
        assert self.process.stdout is not None
        lines: list[str] = []
        while not lines or wanted not in lines[-1]:
            line = self.process.stdout.readline()
            assert line, f"{wanted!r} never came: {lines}"
            lines.append(line.rstrip("\n"))
        return lines


@contextmanager
def running(command: list[str], cwd: Path) -> Iterator[Running]:
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watchdog = threading.Timer(120, process.kill)  # a hung server fails the test, never hangs it
    watchdog.start()
    try:
        assert process.stdout is not None
        banner: list[str] = []
        while not banner or banner[-1] != READY:
            line = process.stdout.readline()
            assert line, (banner, process.stderr.read() if process.stderr else "")
            banner.append(line.rstrip("\n"))
        yield Running(process, banner)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "onyx_database._cli", "local"],
        [sys.executable, "-m", "onyx_database.local"],
    ],
    ids=["onyx-py local", "python -m onyx_database.local"],
)
def test_local_serves_the_schema_logs_requests_and_stops_on_ctrl_c(
    tmp_path: Path, command: list[str]
) -> None:
    args = ["--port", "0", "--data", "store", "--schema", str(SCHEMA), "--latency", "1"]
    with running([*command, *args], tmp_path) as server:
        assert server.banner[0].startswith("Onyx Local listening on http://127.0.0.1:")
        assert server.credentials == (tmp_path / "store" / "onyx-database.json").resolve()
        assert f"schema: {SCHEMA}" in server.banner
        database_id = server.banner[1].split(": ", 1)[1]
        response = httpx.get(f"{server.url}/schemas/{database_id}", headers=server.headers())
        assert response.status_code == 200
        assert "UserProfile" in {entity["name"] for entity in response.json()["entities"]}
        logged = server.read_until(f"/schemas/{database_id}")
        assert logged[-1].endswith(" ms") and f"GET /schemas/{database_id} 200 " in logged[-1]
        server.process.send_signal(signal.SIGINT)
        out, err = server.process.communicate(timeout=60)
        assert server.process.returncode == 0, err
    assert out.rstrip().endswith("Onyx Local stopped")
    assert json.loads(server.credentials.read_text())["apiSecret"] not in out + err


def test_local_quiet_logs_no_requests(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "onyx_database._cli", "local", "--port", "0", "--quiet"]
    with running(command, tmp_path) as server:
        # the default data dir, found by apps started here
        assert "apps started from this directory find it automatically" in server.banner[3]
        database_id = server.banner[1].split(": ", 1)[1]
        missing = httpx.get(f"{server.url}/data/{database_id}/Nope/1", headers=server.headers())
        assert missing.status_code == 404
        server.process.send_signal(signal.SIGTERM)
        out, _ = server.process.communicate(timeout=60)
        assert server.process.returncode == 0
    assert "/Nope/1" not in out
    assert out.strip() == "Onyx Local stopped"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tls-cert", "cert.pem"], "--tls-cert and --tls-key go together"),
        (["--max-body", "lots"], "not a size: 'lots'"),
        (["--keep-alive", "0"], "--keep-alive"),
        (["--regex-timeout", "0"], "--regex-timeout"),
        (["--port", "eighty"], "--port"),
    ],
)
def test_bad_flags_are_usage_errors_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["local", "--data", str(tmp_path / "d"), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_a_taken_port_exits_1_with_the_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["local", "--port", str(port), "--data", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"port {port} is already in use" in err and "--port 0" in err


def test_help_names_every_flag_and_serves_defaults() -> None:
    from click.testing import CliRunner

    from onyx_database.local import serve

    helped = CliRunner().invoke(local_command(), ["--help"]).output
    flags = (
        "--host", "--port", "--data", "--schema", "--latency", "--keep-alive", "--test-hooks",
        "--quiet", "--tls-cert", "--tls-key", "--max-body", "--query-timeout", "--regex-timeout",
        "--header-timeout",
    )  # fmt: skip
    for flag in flags:
        assert flag in helped
    defaults = {name: p.default for name, p in inspect.signature(serve).parameters.items()}
    assert "(127.0.0.1)" in helped and defaults["host"] == "127.0.0.1"
    assert "(8787; 0 = any)" in helped and defaults["port"] == 8787
    assert "(./.onyx-local)" in helped and defaults["data"] == ".onyx-local"
    assert "(8MiB)" in helped and defaults["max_body"] == 8 * 1024 * 1024
    assert "(30; 0 = none)" in helped and defaults["query_timeout"] == 30
    assert "match (1)" in helped and defaults["regex_timeout"] == 1
    assert "with 408 (10)" in helped and defaults["header_timeout"] == 10
    assert "streams (15)" in helped and defaults["keep_alive"] == 15
