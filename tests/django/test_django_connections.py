"""settings.ONYX aliases, the pooled client per alias, per-request views and their release."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from conftest import onyx_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from onyx_django_testapp import Profile

import onyx_django
from onyx_database import OnyxSettingsError
from onyx_django import connections, db

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


def test_one_pooled_client_per_alias_and_light_views(server: LocalServer) -> None:
    pool = connections.pool("default")
    assert connections.pool("default") is pool
    assert connections.pool("analytics") is not pool
    view = connections["default"]
    assert view is connections["default"]  # one view per thread until released
    assert view is not pool and view._transport is pool._transport
    assert connections["analytics"].config.request_timeout_seconds == 7.0
    assert set(connections) == {"default", "analytics"}
    assert "default" in connections.initialized()


def test_default_proxy_forwards_to_the_default_alias(server: LocalServer) -> None:
    assert db.database_id == server.database_id
    assert db.from_table("UserProfile").count() == 5
    assert "proxy" in repr(db)


@pytest.mark.django_onyx
def test_unknown_alias_is_a_clear_error() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"'nope' is not in settings\.ONYX"):
        connections.pool("nope")


def test_views_are_released_on_request_finished_and_the_pool_is_reused(
    server: LocalServer,
) -> None:
    pool_transport = connections.pool()._transport
    connections.release_views()
    client = Client()
    first = client.get("/connection/").json()
    assert first == {
        "same_view_twice": True,
        "shares_pool": True,
        "view_id": first["view_id"],
        "analytics_timeout": 7.0,
        "proxy_count": 5,
        "has_view": True,
    }
    assert not connections.has_view()  # released by request_finished
    client.get("/connection/")
    assert not connections.has_view()
    assert connections.pool()._transport is pool_transport  # same pool, no new client


def test_override_settings_reconnects(server: LocalServer) -> None:
    before = connections.pool()
    extra = {
        "other": {
            "database_id": server.database_id,
            "base_url": server.url,
            "api_key": server.api_key,
            "api_secret": server.api_secret,
        }
    }
    with override_settings(ONYX=onyx_settings(server, **extra)):
        assert connections.pool() is not before
        assert connections["other"].from_table("UserProfile").count() == 5
        assert onyx_django.manager_for(Profile).using("other").count() == 5
    assert "other" not in set(connections)


def test_each_thread_gets_its_own_view_of_the_same_pool(server: LocalServer) -> None:
    import threading

    mine = connections["default"]
    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(connections["default"]))
    worker.start()
    worker.join()
    assert seen[0] is not mine
    assert seen[0]._transport is mine._transport  # type: ignore[attr-defined]


def test_a_forked_process_makes_its_own_pool(server: LocalServer) -> None:
    before = connections.pool()
    connections._pid = -1  # what a child process sees after fork()
    after = connections.pool()
    assert after is not before
    assert before.from_table("UserProfile").count() == 5  # the parent's pool was not closed
    before.close()


def test_the_manager_is_not_reachable_from_records(server: LocalServer) -> None:
    profile = Profile.onyx.get(pk="p1")
    with pytest.raises(AttributeError, match=r"isn.t accessible via Profile instances"):
        profile.onyx  # noqa: B018


def test_a_stale_environment_never_lends_another_databases_key(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same rule as Flask's app.config (config_from_options): an alias that names a database
    # uses the ONYX_DATABASE_* variables only when ONYX_DATABASE_ID names that same database.
    monkeypatch.setenv("ONYX_DATABASE_ID", "some-other-database")
    monkeypatch.setenv("ONYX_DATABASE_API_KEY", "stale-key-from-env")
    options = {k: v for k, v in onyx_settings(server)["default"].items() if k != "api_key"}
    with (
        override_settings(ONYX={"default": options}),
        pytest.raises(OnyxSettingsError, match=r"settings\.ONYX\['default'\]") as caught,
    ):
        connections.pool("default")
    assert "stale-key-from-env" not in str(caught.value)

    monkeypatch.setenv("ONYX_DATABASE_ID", server.database_id)
    monkeypatch.setenv("ONYX_DATABASE_API_KEY", server.api_key)
    with override_settings(ONYX={"default": options}):
        pool = connections.pool("default")
        assert pool.config.sources["api_key"] == "env ONYX_DATABASE_API_KEY"
        assert pool.from_table("UserProfile").count() == 5


def test_the_settings_error_says_what_to_put_in_settings_onyx(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("ONYX_DATABASE_ID", "ONYX_DATABASE_API_KEY", "ONYX_DATABASE_API_SECRET"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("ONYX_CONFIG_PATH", "/nonexistent/onyx-database.json")
    options = {"database_id": "db1", "base_url": server.url}
    with (
        override_settings(ONYX={"default": {}, "reports": options}),
        pytest.raises(OnyxSettingsError) as caught,
    ):
        connections.pool("reports")
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("Onyx is not configured (settings.ONYX['reports']): ")
    assert lines[1] == "Set one of:"
    assert lines[2] == (
        """  settings.ONYX['reports'] = {"database_id": "...", "api_key": "...", """
        """"api_secret": "..."} in settings.py"""
    )
    assert "base_url" in lines[3] and "manage.py check" in lines[3]
    assert any("ONYX_DATABASE_API_KEY" in line for line in lines[4:])
    assert all(len(line) < 120 for line in lines[1:])  # short lines: what to set, one per line
