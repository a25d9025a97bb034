"""``settings.ONYX_ROUTERS``: like ``DATABASE_ROUTERS``, routers pick the alias of reads and
writes of querysets that were not given ``using()``."""

from __future__ import annotations

from typing import Any

import pytest
from test_django_qs_api import Member

from onyx_django import connections

pytestmark = pytest.mark.usefixtures("server")


class AnalyticsReads:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return "analytics" if model is Member else None

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return None


class Silent:
    """A router that never decides (the next one does)."""


def used_aliases() -> set[str]:
    return {alias for alias in ("default", "analytics") if connections.has_view(alias)}


def test_routers_pick_read_and_write_aliases(settings: Any) -> None:
    settings.ONYX_ROUTERS = [Silent(), f"{__name__}.AnalyticsReads"]
    assert Member.onyx.all().db == "analytics" and Member.onyx.db == "analytics"
    assert Member.onyx.using("default").db == "default"
    connections.release_views()
    assert Member.onyx.count() == 5
    assert used_aliases() == {"analytics"}
    connections.release_views()
    Member.onyx.filter(pk="p1").update(age=40)
    Member.onyx.create(id="r1", firstName="R", lastName="One")
    assert used_aliases() == {"default"}
    connections.release_views()
    Member.onyx.get_or_create(pk="r2", defaults={"firstName": "R", "lastName": "Two"})
    assert used_aliases() == {"default"}  # get_or_create reads from the write alias, as Django


def test_without_routers_everything_is_default(settings: Any) -> None:
    settings.ONYX_ROUTERS = []
    assert Member.onyx.all().db == "default"
    assert connections.route(Member, write=True) == "default"
