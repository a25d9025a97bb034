"""tests/django runs under pytest-django with ``onyx_django_test_settings``, set here only (so the
other test directories in the same pytest run never see Django), and the ``onyx_django`` plugin's
fixtures: ``onyx_django_settings`` points ``settings.ONYX`` at the session's Onyx Local.

Every test talks to one Onyx Local over real HTTP, with the example project's schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from onyx_database.local import LocalServer

SCHEMA = Path(__file__).resolve().parents[2] / "example_projects" / "onyx.schema.json"


def pytest_configure(config: pytest.Config) -> None:
    # Called when this conftest is collected, after pytest-django's own start-up: its fixtures
    # (client, rf, settings) see the settings module from here on.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onyx_django_test_settings")
    import django

    django.setup()


def onyx_settings(server: LocalServer, **extra: Any) -> dict[str, dict[str, Any]]:
    base = {
        "database_id": server.database_id,
        "api_key": server.api_key,
        "api_secret": server.api_secret,
        "base_url": server.url,
        "retry_backoff_seconds": 0.01,
    }
    return {
        "default": base,
        "analytics": {**base, "request_timeout_seconds": 7.0},
        **extra,
    }


@pytest.fixture(scope="session")
def onyx_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """Onyx Local with the example project's schema, for the whole session (overrides the
    ``onyx_database.testing`` fixture of the same name for tests/django)."""
    from onyx_database.local import LocalServer

    data_dir = tmp_path_factory.mktemp("django-onyx-local")
    with LocalServer(data_dir, schema=SCHEMA, test_hooks=True) as server:
        yield server


@pytest.fixture(scope="session")
def local_server(onyx_server: LocalServer) -> LocalServer:
    """The session's Onyx Local (older name of ``onyx_server``)."""
    return onyx_server


@pytest.fixture(scope="session", autouse=True)
def _onyx_wired(onyx_django_settings: dict[str, dict[str, Any]]) -> None:
    """Every tests/django test sees ``settings.ONYX`` pointed at the session's Onyx Local."""


NOW = datetime(2026, 1, 1, tzinfo=UTC)

PROFILES: list[dict[str, Any]] = [
    {"id": "p1", "firstName": "Ada", "lastName": "Lovelace", "age": 36, "bio": "Mathematician"},
    {"id": "p2", "firstName": "Alan", "lastName": "Turing", "age": 41, "bio": "Computer scientist"},
    {"id": "p3", "firstName": "Grace", "lastName": "Hopper", "age": 85, "bio": "Rear admiral"},
    {"id": "p4", "firstName": "ada", "lastName": "Byron", "age": 20, "bio": None},
    {"id": "p5", "firstName": "Edsger", "lastName": "Dijkstra", "age": None, "bio": "Paths"},
]


@pytest.fixture
def server(django_onyx: LocalServer) -> LocalServer:
    """The session's server holding exactly ``PROFILES``, with zeroed request counters."""
    from onyx_django import connections

    local_server = django_onyx
    rows = [{**row, "createdAt": NOW, "userId": f"u{row['id'][1:]}"} for row in PROFILES]
    connections.pool().batch_save("UserProfile", rows)
    connections.release_views()
    local_server.reset_request_counts()
    return local_server


def queries(server: LocalServer) -> int:
    """Select requests on ``UserProfile`` sent to ``server`` so far."""
    return server.request_count("PUT", "/data/{db}/query/UserProfile")


def counts(server: LocalServer) -> int:
    """Count requests on ``UserProfile`` sent to ``server`` so far."""
    return server.request_count("PUT", "/data/{db}/query/count/UserProfile")


@pytest.fixture
def app(server: LocalServer) -> Iterator[Client]:
    """The model app's URLs and templates, DRF without auth; a test client."""
    import onyx_django_modelapp as modelapp
    from django.test import Client, override_settings

    templates = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", modelapp.TEMPLATES)]},
        }
    ]
    rest = {"UNAUTHENTICATED_USER": None, "TEST_REQUEST_DEFAULT_FORMAT": "json"}
    with override_settings(
        ROOT_URLCONF="onyx_django_modelapp", TEMPLATES=templates, REST_FRAMEWORK=rest
    ):
        yield Client()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
