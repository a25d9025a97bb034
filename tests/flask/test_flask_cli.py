"""``flask onyx gen`` / ``flask onyx schema ...`` through ``app.test_cli_runner()``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def test_export_and_import_use_the_app_config(
    app_and_onyx: tuple[Flask, Onyx], server: object, user: Callable[..., dict[str, Any]]
) -> None:
    app, onyx = app_and_onyx
    db = onyx.get_client(app)
    db.save("User", [user(n) for n in range(1, 6)])
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["onyx", "export", "User", "--out", "users.csv"])
    assert exported.exit_code == 0, exported.output
    assert "Exported 5 records of User to users.csv (csv)." in exported.output
    db.from_table("User").delete()
    imported = runner.invoke(args=["onyx", "import", "User", "users.csv", "--batch-size", "2"])
    assert imported.exit_code == 0, imported.output
    assert "5 written, 0 failed, 0 skipped" in imported.output
    assert sorted(r["id"] for r in db.from_table("User").list()) == [
        f"u{n:03d}" for n in range(1, 6)
    ]


def test_flask_onyx_local_serves_the_schema_where_the_settings_point(tmp_path: Path) -> None:
    import shutil
    import signal
    import socket
    import subprocess
    import sys
    import threading

    from conftest import SCHEMA

    import onyx_database

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(SCHEMA, project / "onyx.schema.json")
    (project / "app.py").write_text(
        "from flask import Flask\n"
        "from onyx_flask import Onyx\n"
        "app = Flask(__name__)\n"
        'app.config["ONYX"] = {"config_path": "data/onyx-database.json",\n'
        f'                      "base_url": "http://127.0.0.1:{port}"}}\n'
        "Onyx(app)\n",
        encoding="utf-8",
    )
    # A fresh directory: the credentials file the settings name does not exist yet.
    assert not (project / "data").exists()
    flask = Path(sys.executable).with_name("flask")
    process = subprocess.Popen(
        [str(flask), "--app", "app", "onyx", "local"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        lines = []
        while not lines or lines[-1] != "press Ctrl+C to stop":
            line = process.stdout.readline()
            assert line, (lines, process.stderr.read() if process.stderr else "")
            lines.append(line.rstrip("\n"))
        assert f"Onyx Local listening on http://127.0.0.1:{port}" in lines
        assert "schema: onyx.schema.json" in lines
        with onyx_database.init(
            config_path=str(project / "data" / "onyx-database.json"),
            base_url=f"http://127.0.0.1:{port}",
        ) as db:
            assert "UserProfile" in {e["name"] for e in db.get_schema()["entities"]}
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert out.rstrip().endswith("Onyx Local stopped")


def test_the_example_app_starts_onyx_local_on_a_fresh_machine(tmp_path: Path) -> None:
    """``flask --app teamdir_flask onyx local`` before any credentials exist: the example's
    settings (``ONYX_CONFIG_PATH``) name a file Onyx Local has not written yet."""
    import os
    import signal
    import subprocess
    import sys
    import threading

    import httpx
    from conftest import SCHEMA

    credentials = tmp_path / "fresh" / "onyx-database.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("ONYX_")}
    env["ONYX_CONFIG_PATH"] = str(credentials)
    flask = Path(sys.executable).with_name("flask")
    command = [str(flask), "--app", "teamdir_flask", "onyx", "local", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--schema", str(SCHEMA), "--quiet"],
        cwd=SCHEMA.parent / "flask_app",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or lines[-1] != "press Ctrl+C to stop":
            line = process.stdout.readline()
            assert line, (lines, process.stderr.read() if process.stderr else "")
            lines.append(line.rstrip("\n"))
        assert f"credentials: {credentials.resolve()}" in lines
        config = json.loads(credentials.read_text())
        headers = {"x-onyx-key": config["apiKey"], "x-onyx-secret": config["apiSecret"]}
        schema = httpx.get(f"{config['baseUrl']}/schemas/{config['databaseId']}", headers=headers)
        assert "UserProfile" in {entity["name"] for entity in schema.json()["entities"]}
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert out.strip() == "Onyx Local stopped"


def test_flask_onyx_local_has_every_flag_of_onyx_py_local(
    make_app: Callable[..., tuple[Flask, Onyx]], tmp_path: Path
) -> None:
    app, _ = make_app(ONYX={"config_path": str(tmp_path / "none" / "onyx-database.json")})
    helped = app.test_cli_runner().invoke(args=["onyx", "local", "--help"])
    assert helped.exit_code == 0, helped.output
    for flag in ("--quiet", "--latency", "--keep-alive", "--max-body", "--tls-cert", "--data"):
        assert flag in helped.output
    assert "the settings' base_url" in helped.output
    usage = app.test_cli_runner().invoke(args=["onyx", "local", "--tls-key", "k.pem"])
    assert usage.exit_code == 2
    assert "--tls-cert and --tls-key go together" in usage.output
