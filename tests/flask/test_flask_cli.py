"""``flask onyx gen`` / ``flask onyx schema ...`` through ``app.test_cli_runner()``."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from onyx_flask import Onyx


def test_schema_info_uses_the_app_config(app_and_onyx: tuple[Flask, Onyx]):
    app, onyx = app_and_onyx
    result = app.test_cli_runner().invoke(args=["onyx", "schema", "info"])
    assert result.exit_code == 0, result.output
    assert onyx.config(app).database_id in result.output
    assert "ok" in result.output
    assert onyx.config(app).api_secret not in result.output


def test_schema_get_prints_the_server_schema(app_and_onyx: tuple[Flask, Onyx]):
    app, _ = app_and_onyx
    result = app.test_cli_runner().invoke(args=["onyx", "schema", "get", "--print"])
    assert result.exit_code == 0, result.output
    names = {entity["name"] for entity in json.loads(result.stdout)["entities"]}
    assert {"User", "Role", "UserRole"} <= names


def test_gen_writes_models_from_the_api(app_and_onyx: tuple[Flask, Onyx], tmp_path: Path):
    app, _ = app_and_onyx
    out = tmp_path / "models"
    result = app.test_cli_runner().invoke(
        args=["onyx", "gen", "--source", "api", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    generated = "".join(path.read_text() for path in out.rglob("*.py"))
    assert "class User(" in generated


def test_exit_codes_and_usage_pass_through(app_and_onyx: tuple[Flask, Onyx]):
    app, _ = app_and_onyx
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["onyx", "schema", "diff", "no-such-file.json"])
    assert missing.exit_code == 2
    assert "no-such-file.json" in missing.output
    usage = runner.invoke(args=["onyx", "schema"])
    assert usage.exit_code == 2
    helped = runner.invoke(args=["onyx", "gen", "--help"])
    assert helped.exit_code == 0
    assert "--out" in helped.output


def test_group_is_registered_only_when_asked(make_app: object, onyx_options: dict[str, object]):
    app = Flask(__name__)
    app.config["ONYX"] = onyx_options
    onyx = Onyx(add_cli=False)
    onyx.init_app(app)
    try:
        assert "onyx" not in app.cli.commands
    finally:
        onyx.close(app)


def test_app_settings_win_over_the_environment_in_commands(
    app_and_onyx: tuple[Flask, Onyx], monkeypatch: object
) -> None:
    import pytest

    app, onyx = app_and_onyx
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    # A stale key in the environment for the same database must not replace the app's key.
    monkeypatch.setenv("ONYX_DATABASE_ID", onyx.config(app).database_id)
    monkeypatch.setenv("ONYX_DATABASE_API_KEY", "stale-key")
    monkeypatch.setenv("ONYX_DATABASE_API_SECRET", "stale-secret")
    result = app.test_cli_runner().invoke(args=["onyx", "schema", "get", "--print"])
    assert result.exit_code == 0, result.output
    assert "User" in {entity["name"] for entity in json.loads(result.stdout)["entities"]}
