"""Testing Django projects that use Onyx: pytest-django fixtures and a ``TestCase`` mixin.

Installed as a pytest plugin (entry point ``onyx_django``, loaded only when Django is installed).
Nothing here imports Django until a fixture runs, so projects without Django are unaffected.

Fixtures (with pytest-django configuring Django as usual, ``DJANGO_SETTINGS_MODULE``):

- ``onyx_django_settings`` (session): starts nothing itself; it points every alias of
  ``settings.ONYX`` at the session's Onyx Local (``onyx_server``, whose schema comes from the
  ``onyx_schema`` ini option), keeping each alias's non-connection options (timeouts, retries).
  Restored at the end of the session.
- ``django_onyx``: use it in every test that touches Onyx (as pytest-django's ``db``). Every
  table is emptied before the test and the per-request clients are released, so tests never
  see each other's data and a test's writes never reach the developer's database.
- ``django_assert_num_onyx_requests(n, alias=None)`` / ``django_assert_max_num_onyx_requests``:
  context managers failing when the block sends another number of requests (as
  ``django_assert_num_queries``); the message lists the requests.

::

    # pyproject.toml
    [tool.pytest.ini_options]
    DJANGO_SETTINGS_MODULE = "mysite.settings"
    onyx_schema = "onyx.schema.json"

    def test_profile_list(client, django_onyx, django_assert_num_onyx_requests):
        Profile.onyx.create(id="p1", firstName="Ada")
        with django_assert_num_onyx_requests(2):        # count + page
            assert client.get("/profiles/").status_code == 200

For ``unittest``-style tests, mix :class:`OnyxTestCaseMixin` into a Django ``SimpleTestCase``:
``with self.assertNumOnyxRequests(1): ...``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from onyx_database import RequestRecorder, record_requests

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

__all__ = [
    "CONNECTION_OPTIONS",
    "OnyxTestCaseMixin",
    "capture_onyx_requests",
    "django_assert_max_num_onyx_requests",
    "django_assert_num_onyx_requests",
    "django_onyx",
    "onyx_django_settings",
]

CONNECTION_OPTIONS = frozenset(
    {"base_url", "database_id", "api_key", "api_secret", "config_path", "partition"}
)
"""Alias options replaced by the test server's; every other option of an alias is kept."""


def _database_id(alias: str | None) -> str | None:
    if alias is None:
        return None
    from ._connections import connections

    return connections.pool(alias).config.database_id


@contextmanager
def capture_onyx_requests(alias: str | None = None) -> Iterator[RequestRecorder]:
    """Record the Onyx requests sent inside the block (of one ``settings.ONYX`` alias, or all).

    >>> with capture_onyx_requests() as recorded:
    ...     pass
    >>> len(recorded)
    0
    """
    with record_requests(database_id=_database_id(alias)) as recorded:
        yield recorded


def _failure(expected: str, recorded: RequestRecorder) -> str:
    listing = recorded.summary() or "(none)"
    return f"Expected {expected} Onyx requests, {len(recorded)} were sent:\n{listing}"


@contextmanager
def assert_num_onyx_requests(
    num: int, *, exact: bool = True, alias: str | None = None
) -> Iterator[RequestRecorder]:
    """Fail unless the block sends exactly ``num`` Onyx requests (at most, with
    ``exact=False``)."""
    with capture_onyx_requests(alias) as recorded:
        yield recorded
    sent = len(recorded)
    if (exact and sent != num) or (not exact and sent > num):
        raise AssertionError(_failure(str(num) if exact else f"at most {num}", recorded))


class OnyxTestCaseMixin:
    """``assertNumOnyxRequests`` for ``unittest``/Django test cases, like ``assertNumQueries``::

    class ProfileTests(OnyxTestCaseMixin, SimpleTestCase):
        def test_list(self):
            with self.assertNumOnyxRequests(2):
                self.client.get("/profiles/")
            self.assertNumOnyxRequests(1, Profile.onyx.count)
    """

    def assertNumOnyxRequests(
        self,
        num: int,
        func: Callable[..., Any] | None = None,
        *args: Any,
        using: str | None = None,
        **kwargs: Any,
    ) -> AbstractContextManager[RequestRecorder] | None:
        """Fail unless exactly ``num`` Onyx requests are sent (by ``func(*args, **kwargs)``,
        or inside the ``with`` block when ``func`` is omitted)."""
        manager = assert_num_onyx_requests(num, alias=using)
        if func is None:
            return manager
        with manager:
            func(*args, **kwargs)
        return None


@pytest.fixture(scope="session")
def onyx_django_settings(onyx_server: LocalServer) -> Iterator[dict[str, dict[str, Any]]]:
    """``settings.ONYX`` with every alias pointed at the session's Onyx Local."""
    from django.conf import settings

    from ._connections import connections, onyx_settings

    if not settings.configured:
        pytest.skip("Django is not configured (set DJANGO_SETTINGS_MODULE)")
    previous = getattr(settings, "ONYX", None)
    server = {
        "base_url": onyx_server.url,
        "database_id": onyx_server.database_id,
        "api_key": onyx_server.api_key,
        "api_secret": onyx_server.api_secret,
    }
    wired = {
        alias: {**{k: v for k, v in options.items() if k not in CONNECTION_OPTIONS}, **server}
        for alias, options in onyx_settings().items()
    }
    settings.ONYX = wired
    connections.close_all()
    try:
        yield wired
    finally:
        connections.close_all()
        if previous is None:
            del settings.ONYX
        else:
            settings.ONYX = previous


@pytest.fixture
def django_onyx(
    onyx_server: LocalServer, onyx_django_settings: dict[str, dict[str, Any]]
) -> Iterator[LocalServer]:
    """Onyx access for one test: every table emptied first, fresh per-request clients."""
    from ._connections import connections

    onyx_server.reset_data()
    connections.release_views()
    yield onyx_server
    connections.release_views()


BLOCKED = (
    "Onyx access not allowed in this test: use the django_onyx fixture (or mark the test "
    "@pytest.mark.django_onyx), so that it runs against the test server, never your database"
)


def _django_configured() -> bool:
    if "django" not in sys.modules:
        return False
    from django.conf import settings

    return bool(settings.configured)


@pytest.fixture(autouse=True)
def _django_onyx_blocker(request: pytest.FixtureRequest) -> Iterator[None]:
    """Block Onyx in Django tests that did not ask for it (as pytest-django blocks the DB)."""
    wants = "django_onyx" in request.fixturenames or request.node.get_closest_marker("django_onyx")
    if wants or not _django_configured():
        if wants and "django_onyx" not in request.fixturenames:
            request.getfixturevalue("django_onyx")
        yield
        return
    from ._connections import connections

    connections.block(BLOCKED)
    try:
        yield
    finally:
        connections.unblock()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "django_onyx: the test uses Onyx (the django_onyx fixture, data reset)"
    )


@pytest.fixture
def django_assert_num_onyx_requests() -> Callable[..., AbstractContextManager[RequestRecorder]]:
    """``with django_assert_num_onyx_requests(2): ...`` (optionally ``alias="default"``)."""

    def assert_num(num: int, *, alias: str | None = None) -> AbstractContextManager[Any]:
        return assert_num_onyx_requests(num, alias=alias)

    return assert_num


@pytest.fixture
def django_assert_max_num_onyx_requests() -> Callable[..., AbstractContextManager[RequestRecorder]]:
    """``with django_assert_max_num_onyx_requests(3): ...``: at most that many requests."""

    def assert_max(num: int, *, alias: str | None = None) -> AbstractContextManager[Any]:
        return assert_num_onyx_requests(num, exact=False, alias=alias)

    return assert_max
