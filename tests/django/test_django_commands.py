"""manage.py onyx_gen / onyx_schema, driven with call_command against Onyx Local."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

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
