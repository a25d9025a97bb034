"""Django is configured here, lazily, for tests/django only (other test dirs never see it).

Every test talks to one Onyx Local over real HTTP, with the example project's schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

SCHEMA = Path(__file__).resolve().parents[2] / "example_projects" / "onyx.schema.json"

TEMPLATES = {
    "onyx/profile_list.html": (
        "{% for p in profile_list %}{{ p.id }},{% endfor %}"
        "|page={{ page_obj.number }}/{{ paginator.num_pages }}"
    ),
}


def _configure_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="onyx-django-tests",
            ALLOWED_HOSTS=["testserver"],
            INSTALLED_APPS=["django.contrib.contenttypes", "onyx_django"],
            DATABASES={},
            ROOT_URLCONF="onyx_django_testapp",
            MIDDLEWARE=[],
            USE_TZ=True,
            TEMPLATES=[
                {
                    "BACKEND": "django.template.backends.django.DjangoTemplates",
                    "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
                }
            ],
        )
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
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """Onyx Local with the example project's schema, for the whole session."""
    from onyx_database.local import LocalServer

    data_dir = tmp_path_factory.mktemp("django-onyx-local")
    with LocalServer(data_dir, schema=SCHEMA, test_hooks=True) as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
def django_settings(local_server: LocalServer) -> Iterator[None]:
    """Configure Django once (``settings.configure`` is once per process) and point
    ``settings.ONYX`` at the session's Onyx Local."""
    _configure_django()
    from django.conf import settings

    from onyx_django import connections

    settings.ONYX = onyx_settings(local_server)
    connections.close_all()
    yield
    connections.close_all()


NOW = datetime(2026, 1, 1, tzinfo=UTC)

PROFILES: list[dict[str, Any]] = [
    {"id": "p1", "firstName": "Ada", "lastName": "Lovelace", "age": 36, "bio": "Mathematician"},
    {"id": "p2", "firstName": "Alan", "lastName": "Turing", "age": 41, "bio": "Computer scientist"},
    {"id": "p3", "firstName": "Grace", "lastName": "Hopper", "age": 85, "bio": "Rear admiral"},
    {"id": "p4", "firstName": "ada", "lastName": "Byron", "age": 20, "bio": None},
    {"id": "p5", "firstName": "Edsger", "lastName": "Dijkstra", "age": None, "bio": "Paths"},
]


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    """The session's server holding exactly ``PROFILES``, with zeroed request counters."""
    from onyx_django import connections

    local_server.reset_data()
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
def anyio_backend() -> str:
    return "asyncio"
