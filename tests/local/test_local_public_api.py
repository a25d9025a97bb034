"""The public surface of onyx_database.local and of the pytest plugin (update them when you add
public names or fixtures)."""

from __future__ import annotations

import pytest

import onyx_database.local
import onyx_database.testing
from onyx_database.testing import plugin

LOCAL = {"Faults", "LocalServer", "QueryStats", "RemoteBindWarning", "serve"}
FIXTURES = {"onyx_server", "onyx_db", "onyx_async_db", "onyx_publish_schema"}


def test_local_surface_is_locked() -> None:
    assert set(onyx_database.local.__all__) == LOCAL
    for name in LOCAL:
        assert getattr(onyx_database.local, name) is not None


def test_testing_plugin_fixtures_are_locked(request: pytest.FixtureRequest) -> None:
    assert onyx_database.testing.__all__ == []
    fixture_type = type(plugin.onyx_server)  # pytest's wrapper of a fixture function
    public = {name for name, value in vars(plugin).items() if type(value) is fixture_type}
    assert public == FIXTURES
    for name in FIXTURES:
        assert request._fixturemanager.getfixturedefs(name, request.node) is not None
