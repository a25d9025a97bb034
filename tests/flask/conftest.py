"""Fixtures of the Flask adapter tests: one Onyx Local over real HTTP, isolated config."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask

from onyx_flask import Onyx

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

SCHEMA = Path(__file__).resolve().parents[2] / "example_projects" / "onyx.schema.json"


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """Onyx Local with the example project's schema, for the whole session."""
    from onyx_database.local import LocalServer

    data_dir = tmp_path_factory.mktemp("flask-onyx-local")
    with LocalServer(data_dir, schema=SCHEMA, test_hooks=True) as server:
        yield server


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    """The session's server with empty tables and zeroed request counters."""
    local_server.reset_data()
    local_server.reset_request_counts()
    return local_server


@pytest.fixture(autouse=True)
def isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ONYX_* variables and no config files from the developer's machine."""
    import os

    for name in list(os.environ):
        if name.startswith("ONYX_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def onyx_options(server: LocalServer) -> dict[str, Any]:
    """``app.config["ONYX"]`` for the test server."""
    return {
        "database_id": server.database_id,
        "base_url": server.url,
        "api_key": server.api_key,
        "api_secret": server.api_secret,
        "retry_backoff_seconds": 0.01,
    }


@pytest.fixture
def make_app() -> Iterator[Callable[..., tuple[Flask, Onyx]]]:
    """An app factory: ``make_app(ONYX={...})``; every pool it opened is closed afterwards."""
    made: list[tuple[Flask, Onyx]] = []

    def factory(onyx: Onyx | None = None, **config: Any) -> tuple[Flask, Onyx]:
        app = Flask(__name__)
        app.config.update(TESTING=True, **config)
        extension = onyx if onyx is not None else Onyx()
        extension.init_app(app)
        made.append((app, extension))
        return app, extension

    yield factory
    for app, extension in made:
        extension.close(app)


@pytest.fixture
def app_and_onyx(
    make_app: Callable[..., tuple[Flask, Onyx]], onyx_options: dict[str, Any]
) -> tuple[Flask, Onyx]:
    return make_app(ONYX=onyx_options)


def _user(number: int, **fields: Any) -> dict[str, Any]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    record: dict[str, Any] = {
        "id": f"u{number:03d}",
        "username": f"user{number}",
        "email": f"user{number}@example.com",
        "isActive": True,
        "createdAt": now,
        "updatedAt": now,
    }
    record.update(fields)
    return record


@pytest.fixture
def user() -> Callable[..., dict[str, Any]]:
    """``user(n, **fields)``: a valid ``User`` record of the example schema, id ``u00n``."""
    return _user


@pytest.fixture(scope="session")
def analytics_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A second Onyx Local (another database), for binds."""
    from onyx_database.local import LocalServer

    data_dir = tmp_path_factory.mktemp("flask-onyx-analytics")
    with LocalServer(data_dir, schema=SCHEMA) as server:
        yield server


@pytest.fixture
def analytics_options(analytics_local: LocalServer) -> dict[str, Any]:
    """Options of the second database (empty tables)."""
    analytics_local.reset_data()
    analytics_local.reset_request_counts()
    return {
        "database_id": analytics_local.database_id,
        "base_url": analytics_local.url,
        "api_key": analytics_local.api_key,
        "api_secret": analytics_local.api_secret,
        "retry_backoff_seconds": 0.01,
    }
