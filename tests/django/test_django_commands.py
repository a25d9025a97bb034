"""manage.py onyx_gen / onyx_schema, driven with call_command against Onyx Local."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import SCHEMA
from django.core.management import call_command
from django.core.management.base import CommandError

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_schema_get_prints_the_aliases_schema(server: LocalServer) -> None:
    printed = json.loads(run("onyx_schema", "get", "--print", "--database", "analytics"))
    assert "UserProfile" in {entity["name"] for entity in printed["entities"]}


def test_schema_info_shows_the_alias_config_without_the_secret(server: LocalServer) -> None:
    text = run("onyx_schema", "info", "--no-verify")
    assert server.database_id in text and server.url in text
    assert server.api_secret not in text


def test_schema_diff_exit_code(server: LocalServer, tmp_path: Path) -> None:
    run("onyx_schema", "diff", str(SCHEMA), "--exit-code")
    changed = json.loads(SCHEMA.read_text())
    changed["entities"] = [e for e in changed["entities"] if e["name"] != "AuditLog"]
    other = tmp_path / "changed.json"
    other.write_text(json.dumps(changed))
    with pytest.raises(CommandError) as failure:
        run("onyx_schema", "diff", str(other), "--exit-code")
    assert failure.value.returncode == 1
    with pytest.raises(CommandError, match="does not apply"):
        run("onyx_schema", "get", "--json")


def test_gen_writes_models_and_check_detects_drift(server: LocalServer, tmp_path: Path) -> None:
    out = tmp_path / "onyx_models"
    run("onyx_gen", "--source", "api", "--out", str(out))
    generated = sorted(p.name for p in out.glob("*.py"))
    assert generated and "UserProfile" in "".join(p.read_text() for p in out.glob("*.py"))
    run("onyx_gen", "--source", "api", "--out", str(out), "--check")
    victim = out / generated[-1]
    victim.write_text(victim.read_text() + "\n# edited\n")
    with pytest.raises(CommandError) as failure:
        run("onyx_gen", "--source", "api", "--out", str(out), "--check")
    assert failure.value.returncode == 1


def test_unknown_alias_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="nope"):
        run("onyx_gen", "--database", "nope")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class _Announcing(io.StringIO):
    """Output whose ``arrived`` event is set once ``wanted`` was written (or the command ends)."""

    def __init__(self, wanted: str) -> None:
        super().__init__()
        self.wanted = wanted
        self.arrived = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if self.wanted in self.getvalue():
            self.arrived.set()
        return written


def test_onyx_local_serves_the_project_schema_where_the_alias_points(
    settings: Any, tmp_path: Path
) -> None:
    import onyx_database
    from onyx_django import connections
    from onyx_django.management.commands.onyx_local import Command

    port = _free_port()
    data = tmp_path / "onyx-data"
    settings.ONYX = {
        **settings.ONYX,
        "devlocal": {
            "config_path": str(data / "onyx-database.json"),
            "base_url": f"http://127.0.0.1:{port}",
        },
    }
    assert not data.exists()  # a fresh machine: Onyx Local writes the credentials file
    command = Command()
    out = _Announcing("press Ctrl+C")
    codes: list[BaseException | None] = []

    def serve() -> None:
        try:
            call_command(command, "--database", "devlocal", "--schema", str(SCHEMA), stdout=out)
            codes.append(None)
        except BaseException as exc:  # reported by the assertion below
            codes.append(exc)
        finally:
            out.arrived.set()  # a failed start must not leave the test waiting

    runner = threading.Thread(target=serve, daemon=True)
    runner.start()
    assert out.arrived.wait(60), "Onyx Local never said it was ready"
    assert "press Ctrl+C" in out.getvalue(), (codes, out.getvalue())
    try:
        assert f"Onyx Local listening on http://127.0.0.1:{port}" in out.getvalue()
        # the alias's settings reach it as they are: credentials from the file it wrote
        with onyx_database.init(config=connections.config("devlocal")) as db:
            names = {entity["name"] for entity in db.get_schema()["entities"]}
        assert "UserProfile" in names
    finally:
        command.stop.set()
        runner.join(30)
    assert codes == [None]
    assert out.getvalue().rstrip().endswith("Onyx Local stopped")
