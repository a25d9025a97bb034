"""``connections.override(alias, **options)``: per-request client options (a user's own
credentials, a timeout), for this thread or task only, used by querysets too."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest
from onyx_django_testapp import Profile

from onyx_database import OnyxUnauthorizedError
from onyx_django import connections

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

pytestmark = pytest.mark.usefixtures("server")

WRONG = "not-the-secret-9f8e"


def test_querysets_inside_the_block_use_the_overridden_credentials(server: LocalServer) -> None:
    assert Profile.onyx.count() == 5
    with connections.override(api_secret=WRONG):
        with pytest.raises(OnyxUnauthorizedError) as denied:
            Profile.onyx.count()
        assert WRONG not in str(denied.value)
        assert connections["default"].config.request_timeout_seconds is not None
    assert Profile.onyx.count() == 5  # the block is over


def test_overrides_are_per_thread_and_nest() -> None:
    seen: list[float | None] = []
    with connections.override(request_timeout_seconds=3.0):
        worker = threading.Thread(
            target=lambda: seen.append(connections["default"].config.request_timeout_seconds)
        )
        worker.start()
        worker.join()
        assert connections["default"].config.request_timeout_seconds == 3.0
        with connections.override(request_timeout_seconds=4.0):
            assert connections["default"].config.request_timeout_seconds == 4.0
        assert connections["default"].config.request_timeout_seconds == 3.0
        assert connections["analytics"].config.request_timeout_seconds == 7.0  # other alias
    assert seen and seen[0] != 3.0


@pytest.mark.anyio
async def test_async_querysets_follow_the_override() -> None:
    assert await Profile.onyx.acount() == 5
    with connections.override(api_secret=WRONG), pytest.raises(OnyxUnauthorizedError):
        await Profile.onyx.acount()
    assert await Profile.onyx.acount() == 5
    await connections.aclose_all()
