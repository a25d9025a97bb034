"""Configuration: every documented spelling, unknown keys, environment isolation, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SCHEMA
from flask import Flask

from onyx_database import OnyxConfigError, OnyxSettingsError
from onyx_flask import Onyx

MakeApp = Callable[..., tuple[Flask, Onyx]]


def _flat(options: dict[str, Any], *, env_names: bool) -> dict[str, Any]:
    prefix = "ONYX_DATABASE_" if env_names else "ONYX_"
    return {
        "ONYX_DATABASE_ID": options["database_id"],
        f"{prefix}BASE_URL": options["base_url"],
        f"{prefix}API_KEY": options["api_key"],
        f"{prefix}API_SECRET": options["api_secret"],
    }


@pytest.mark.parametrize("env_names", [True, False])
def test_flat_keys_in_both_spellings_reach_the_database(
    make_app: MakeApp, onyx_options: dict[str, Any], env_names: bool, user: Callable[..., Any]
):
    app, onyx = make_app(**_flat(onyx_options, env_names=env_names), ONYX_PARTITION=None)

    @app.post("/users")
    def create() -> Any:
        return onyx.db.save("User", user(1))

    @app.get("/users/<user_id>")
    def show(user_id: str) -> Any:
        return onyx.get_or_404("User", user_id)

    client = app.test_client()
    assert client.post("/users").status_code == 200
    assert client.get("/users/u001").get_json()["email"] == "user1@example.com"
    assert onyx.config(app).sources["api_key"] == "explicit"


def test_stale_environment_never_lends_another_databases_key(
    make_app: MakeApp, onyx_options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ONYX_DATABASE_ID", "some-other-database")
    monkeypatch.setenv("ONYX_DATABASE_API_KEY", "stale-key-from-env")
    monkeypatch.setenv("ONYX_DATABASE_API_SECRET", "stale-secret-from-env")
    monkeypatch.setenv("ONYX_DATABASE_BASE_URL", "http://127.0.0.1:9")
    with pytest.raises(OnyxSettingsError) as caught:
        make_app(ONYX_DATABASE_ID=onyx_options["database_id"])
    message = str(caught.value)
    assert "api_key" in message and "api_secret" in message
    assert "stale" not in message


def test_environment_without_an_id_is_not_borrowed_either(
    make_app: MakeApp, onyx_options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ONYX_DATABASE_API_KEY", onyx_options["api_key"])
    monkeypatch.setenv("ONYX_DATABASE_API_SECRET", onyx_options["api_secret"])
    with pytest.raises(OnyxSettingsError, match="api_key"):
        make_app(ONYX={"database_id": onyx_options["database_id"]})
    # With nothing named in app.config, the environment is the whole config, as before.
    monkeypatch.setenv("ONYX_DATABASE_ID", onyx_options["database_id"])
    monkeypatch.setenv("ONYX_DATABASE_BASE_URL", onyx_options["base_url"])
    app, onyx = make_app()
    assert onyx.config(app).sources["api_key"] == "env ONYX_DATABASE_API_KEY"


def test_unknown_onyx_key_is_an_error_naming_the_valid_ones(
    make_app: MakeApp, onyx_options: dict[str, Any]
):
    with pytest.raises(OnyxSettingsError) as caught:
        make_app(ONYX=onyx_options, ONYX_DATABSE_API_KEY="typo")
    message = str(caught.value)
    assert isinstance(caught.value, RuntimeError)
    assert "ONYX_DATABSE_API_KEY" in message
    for valid in ("ONYX_DATABASE_API_KEY", "ONYX_API_KEY", "ONYX_BINDS", "ONYX_RECORD_REQUESTS"):
        assert f"  {valid}\n" in message
    assert "typo" not in message


def test_missing_config_is_a_short_multiline_runtime_error(make_app: MakeApp):
    with pytest.raises(RuntimeError) as caught:
        make_app()
    error = caught.value
    assert isinstance(error, OnyxConfigError) and isinstance(error, OnyxSettingsError)
    lines = str(error).splitlines()
    assert lines[0].startswith("Onyx is not configured (app.config): Missing required config:")
    assert 3 <= len(lines) <= 8
    assert all(len(line) <= 110 for line in lines), lines
    assert any("app.config['ONYX']" in line for line in lines)


def test_defaults_are_written_back(make_app: MakeApp, onyx_options: dict[str, Any]):
    app, _ = make_app(ONYX=onyx_options)
    assert app.config["ONYX_BINDS"] == {}
    assert app.config["ONYX_RECORD_REQUESTS"] is True  # TESTING is on
    assert app.config["ONYX_JSON_PROVIDER"] is True
    assert app.config["ONYX_JSON_ERRORS"] is False
    plain = Flask("plain")
    plain.config["ONYX"] = onyx_options
    onyx = Onyx(plain)
    try:
        assert plain.config["ONYX_RECORD_REQUESTS"] is False
    finally:
        onyx.close(plain)


def test_two_apps_from_one_factory_use_their_own_database(
    onyx_options: dict[str, Any], analytics_options: dict[str, Any], user: Callable[..., Any]
):
    onyx = Onyx()

    def create_app(config: dict[str, Any]) -> Flask:
        app = Flask(__name__)
        app.config.update(config)
        onyx.init_app(app)

        @app.put("/users/<user_id>")
        def save(user_id: str) -> Any:
            return onyx.db.save("User", user(int(user_id[1:])))

        @app.get("/users/<user_id>")
        def show(user_id: str) -> Any:
            return onyx.get_or_404("User", user_id)

        return app

    main = create_app({"ONYX": onyx_options})
    other = create_app(_flat(analytics_options, env_names=True))
    try:
        assert main.test_client().put("/users/u007").status_code == 200
        assert main.test_client().get("/users/u007").status_code == 200
        assert other.test_client().get("/users/u007").status_code == 404
        assert onyx.config(main).database_id != onyx.config(other).database_id
    finally:
        onyx.close(main)
        onyx.close(other)


@pytest.mark.parametrize("named_by", ["config_path", "ONYX_CONFIG_PATH"])
def test_a_credentials_file_not_written_yet_is_read_on_first_use(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named_by: str
) -> None:
    from onyx_database.local import LocalServer

    data = tmp_path / "fresh"
    credentials = data / "onyx-database.json"
    if named_by == "ONYX_CONFIG_PATH":
        monkeypatch.setenv("ONYX_CONFIG_PATH", str(credentials))
        app, onyx = make_app()
    else:
        app, onyx = make_app(ONYX={"config_path": str(credentials)})
    # The app loads (flask onyx local must be able to start Onyx Local), but using the bind
    # before the file exists is the settings error, naming the file.
    with app.app_context(), pytest.raises(OnyxSettingsError, match="does not exist"):
        onyx.db.from_table("User").count()
    with LocalServer(data, schema=SCHEMA) as server:
        with app.app_context():
            assert onyx.db.from_table("User").count() == 0
        assert onyx.config(app).database_id == server.database_id
        assert onyx.config(app).sources["api_key"].endswith(str(credentials))


def test_other_settings_errors_still_raise_when_the_app_loads(
    make_app: MakeApp, tmp_path: Path
) -> None:
    missing = str(tmp_path / "nowhere" / "onyx-database.json")
    with pytest.raises(OnyxSettingsError, match="databse_id"):
        make_app(ONYX={"config_path": missing, "databse_id": "typo"})
    with pytest.raises(OnyxSettingsError, match="base_url"):
        make_app(ONYX={"config_path": missing, "base_url": "not a url"})
    with pytest.raises(OnyxSettingsError, match="ONYX_BINDS"):
        make_app(ONYX={"config_path": missing}, ONYX_BINDS=["not", "a", "dict"])
