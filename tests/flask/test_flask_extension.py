"""The extension: init_app, config precedence, fail-fast errors, the pool and per-context views."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, request

from onyx_database import OnyxConfigError, OnyxDatabase
from onyx_flask import Onyx

MakeApp = Callable[..., tuple[Flask, Onyx]]


def test_init_app_keeps_state_on_the_app_not_the_extension(app_and_onyx: tuple[Flask, Onyx]):
    app, onyx = app_and_onyx
    assert "onyx" in app.extensions
    assert not any(isinstance(value, Flask) for value in vars(onyx).values())
    assert app.config["ONYX"]["database_id"] == onyx.config(app).database_id


def test_constructor_with_app_registers_it(onyx_options: dict[str, Any]):
    app = Flask(__name__)
    app.config["ONYX"] = onyx_options
    onyx = Onyx(app)
    try:
        with app.app_context():
            assert onyx.db.database_id == onyx_options["database_id"]
    finally:
        onyx.close(app)


def test_app_factory_one_extension_many_apps(make_app: MakeApp, onyx_options: dict[str, Any]):
    onyx = Onyx()
    first, _ = make_app(onyx, ONYX=onyx_options)
    second, _ = make_app(onyx, ONYX={**onyx_options, "partition": "tenant-b"})
    assert onyx.get_client(first) is not onyx.get_client(second)
    assert onyx.get_client(first)._transport is not onyx.get_client(second)._transport
    with first.app_context():
        assert onyx.db.default_partition is None
    with second.app_context():
        assert onyx.db.default_partition == "tenant-b"


def test_registering_twice_raises(app_and_onyx: tuple[Flask, Onyx]):
    app, onyx = app_and_onyx
    with pytest.raises(RuntimeError, match="already has an 'onyx' extension"):
        onyx.init_app(app)


def test_unregistered_app_is_a_clear_error(app_and_onyx: tuple[Flask, Onyx]):
    _, onyx = app_and_onyx
    other = Flask("other")
    with (
        other.app_context(),
        pytest.raises(RuntimeError, match="Did you forget to call 'init_app'"),
    ):
        _ = onyx.db


# -- configuration ---------------------------------------------------------------------------------


def test_missing_config_fails_fast_at_init_app(make_app: MakeApp):
    with pytest.raises(OnyxConfigError) as caught:
        make_app()
    message = str(caught.value)
    assert "database_id" in message
    assert "app.config['ONYX']" in message
    assert "ONYX_DATABASE_ID" in message


def test_invalid_config_fails_fast_at_init_app(make_app: MakeApp, onyx_options: dict[str, Any]):
    with pytest.raises(OnyxConfigError, match="Did you mean 'api_key'"):
        make_app(ONYX={**onyx_options, "apikey": "x"})
    with pytest.raises(OnyxConfigError, match="must be an http"):
        make_app(ONYX={**onyx_options, "base_url": "localhost:1"})
    with pytest.raises(OnyxConfigError, match="must be a dict"):
        make_app(ONYX="db-id")


def test_onyx_dict_outranks_environment(
    make_app: MakeApp, onyx_options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ONYX_DATABASE_ID", "env-db")
    monkeypatch.setenv("ONYX_DATABASE_API_KEY", "env-key")
    monkeypatch.setenv("ONYX_PARTITION", "env-partition")
    app, onyx = make_app(ONYX=onyx_options)
    config = onyx.config(app)
    assert config.database_id == onyx_options["database_id"]
    assert config.api_key == onyx_options["api_key"]
    assert config.sources["api_key"] == "explicit"
    # Gaps are still filled from the environment.
    assert config.partition == "env-partition"


def test_environment_and_files_fill_the_gaps(
    make_app: MakeApp, onyx_options: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    # The environment lends its key only when it names the same database as app.config.
    monkeypatch.setenv("ONYX_DATABASE_ID", onyx_options["database_id"])
    monkeypatch.setenv("ONYX_DATABASE_API_KEY", onyx_options["api_key"])
    (Path.cwd() / "onyx-database.json").write_text(
        json.dumps({"databaseId": onyx_options["database_id"], "apiSecret": "file-secret"})
    )
    app, onyx = make_app(ONYX={"database_id": onyx_options["database_id"], "base_url": "http://x"})
    config = onyx.config(app)
    assert config.sources["api_key"] == "env ONYX_DATABASE_API_KEY"
    assert config.api_secret == "file-secret"
    assert config.sources["api_secret"].startswith("file ")


def test_flat_keys_outrank_the_onyx_dict(make_app: MakeApp, onyx_options: dict[str, Any]):
    options = {**onyx_options, "defaultPartition": "from-dict"}
    app, onyx = make_app(ONYX=options, ONYX_PARTITION="from-flat-key")
    assert onyx.config(app).partition == "from-flat-key"

    flat_only = {
        "ONYX_DATABASE_ID": onyx_options["database_id"],
        "ONYX_BASE_URL": onyx_options["base_url"],
        "ONYX_API_KEY": onyx_options["api_key"],
        "ONYX_API_SECRET": onyx_options["api_secret"],
    }
    app2, onyx2 = make_app(**flat_only)
    assert app2.config["ONYX"] == {}  # the default is written back
    with app2.app_context():
        assert onyx2.db.find_by_id("User", "nobody") is None  # a real round trip


# -- the pooled client and the per-context view ---------------------------------------------------


def test_db_is_one_view_per_request_sharing_one_pool(
    app_and_onyx: tuple[Flask, Onyx], user: Callable[..., dict[str, Any]]
):
    app, onyx = app_and_onyx
    seen: list[tuple[int, OnyxDatabase]] = []

    @app.get("/probe")
    def probe() -> dict[str, Any]:
        first = onyx.db
        first.save("User", user(1))
        assert onyx.db is first  # the same view for the whole request
        seen.append((id(first), first))
        return {"found": first.find_by_id("User", "u001") is not None}

    client = app.test_client()
    assert client.get("/probe").get_json() == {"found": True}
    assert client.get("/probe").get_json() == {"found": True}
    (_, one), (_, two) = seen
    assert one is not two
    pool = onyx.get_client(app)
    assert one._transport is pool._transport is two._transport
    assert repr(one).startswith("<OnyxDatabase view")


def test_view_options_loader_sets_a_per_request_partition(app_and_onyx: tuple[Flask, Onyx]):
    app, onyx = app_and_onyx

    @onyx.view_options
    def tenant() -> dict[str, Any] | None:
        name = request.headers.get("X-Tenant")
        return {"partition": name} if name else None

    @app.get("/partition")
    def partition() -> dict[str, Any]:
        return {"partition": onyx.db.default_partition}

    client = app.test_client()
    assert client.get("/partition", headers={"X-Tenant": "t1"}).get_json() == {"partition": "t1"}
    assert client.get("/partition").get_json() == {"partition": None}


def test_teardown_releases_the_view_but_not_the_pool(app_and_onyx: tuple[Flask, Onyx]):
    app, onyx = app_and_onyx
    ctx = app.app_context()
    ctx.push()
    view = onyx.db
    context_globals = g._get_current_object()
    assert context_globals.get("_onyx_views") == {None: view}
    ctx.pop()
    assert "_onyx_views" not in context_globals
    with app.app_context():
        assert onyx.db is not view
        assert onyx.db.find_by_id("User", "nobody") is None  # the pool still works


def test_nested_app_context_keeps_the_outer_view(app_and_onyx: tuple[Flask, Onyx]):
    app, onyx = app_and_onyx
    with app.app_context():
        outer = onyx.db
        with app.app_context():
            assert onyx.db is not outer
        assert onyx.db is outer


def test_close_closes_the_pool_and_next_use_reopens(app_and_onyx: tuple[Flask, Onyx]):
    app, onyx = app_and_onyx
    first = onyx.get_client(app)
    onyx.close(app)
    onyx.close(app)  # idempotent
    second = onyx.get_client(app)
    assert second is not first
    with app.app_context():
        assert onyx.db._transport is second._transport
        assert onyx.db.find_by_id("User", "nobody") is None


def test_shell_context_has_onyx(app_and_onyx: tuple[Flask, Onyx]):
    app, onyx = app_and_onyx
    with app.app_context():
        assert app.make_shell_context()["onyx"] is onyx
