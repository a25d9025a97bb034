"""``onyx_django.testing``: settings wired to Onyx Local, data reset per test, request counting
(pytest fixtures and the ``TestCase`` mixin), under pytest-django."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from conftest import NOW
from django.test import SimpleTestCase
from onyx_django_testapp import Profile

from onyx_django import connections
from onyx_django.testing import OnyxTestCaseMixin, capture_onyx_requests

if TYPE_CHECKING:
    from django.test import Client

    from onyx_database.local import LocalServer


def test_every_alias_points_at_the_session_server(
    settings: Any, onyx_server: LocalServer, django_onyx: LocalServer
) -> None:
    assert set(settings.ONYX) == {"default", "analytics"}
    for options in settings.ONYX.values():
        assert options["base_url"] == onyx_server.url
        assert options["database_id"] == onyx_server.database_id
    assert settings.ONYX["analytics"]["request_timeout_seconds"] == 7.0  # kept
    assert connections["analytics"].config.base_url == onyx_server.url


def test_tests_that_did_not_ask_for_onyx_cannot_reach_it() -> None:
    with pytest.raises(RuntimeError, match="use the django_onyx fixture"):
        Profile.onyx.count()
    with pytest.raises(RuntimeError, match="not allowed"):
        connections["default"]
    assert '"table": "UserProfile"' in str(Profile.onyx.filter(age=3).query)  # no client


@pytest.mark.django_onyx
def test_the_marker_is_the_fixture() -> None:
    assert Profile.onyx.count() == 0


def test_a_write_in_one_test(django_onyx: LocalServer) -> None:
    Profile.onyx.create(id="leak", firstName="L", lastName="L", createdAt=NOW, userId="u")
    assert Profile.onyx.filter(pk="leak").exists()


def test_is_gone_in_the_next(django_onyx: LocalServer) -> None:
    # runs after test_a_write_in_one_test (file order): django_onyx emptied every table
    assert Profile.onyx.count() == 0


def test_django_assert_num_onyx_requests(
    client: Client, server: LocalServer, django_assert_num_onyx_requests: Any
) -> None:
    with django_assert_num_onyx_requests(2) as recorded:  # Paginator count + the page
        assert client.get("/profiles/").status_code == 200
    assert [r.path for r in recorded] == [
        "/data/{db}/query/count/UserProfile",
        "/data/{db}/query/UserProfile",
    ]
    expected = r"Expected 1 Onyx requests, 2 were sent:\nPUT"
    with pytest.raises(AssertionError, match=expected), django_assert_num_onyx_requests(1):
        client.get("/profiles/")
    with django_assert_num_onyx_requests(0, alias="analytics"):
        pass


def test_django_assert_max_num_onyx_requests(
    server: LocalServer, django_assert_max_num_onyx_requests: Any
) -> None:
    with django_assert_max_num_onyx_requests(1):
        list(Profile.onyx.all())
    at_most_one = django_assert_max_num_onyx_requests(1)
    with pytest.raises(AssertionError, match="at most 1"), at_most_one:  # noqa: PT012
        Profile.onyx.count()
        Profile.onyx.exists()


def test_capture_onyx_requests_counts_per_alias(server: LocalServer) -> None:
    with capture_onyx_requests("default") as recorded:
        Profile.onyx.using("analytics").count()
        Profile.onyx.count()
    assert len(recorded) == 2  # both aliases name the same test database


@pytest.mark.usefixtures("server")
class ProfileTests(OnyxTestCaseMixin, SimpleTestCase):
    def test_context_manager(self) -> None:
        with self.assertNumOnyxRequests(1):
            assert Profile.onyx.filter(age__gt=40).count() == 2

    def test_callable_form_and_failure(self) -> None:
        self.assertNumOnyxRequests(1, Profile.onyx.exists)
        with pytest.raises(AssertionError, match="Expected 0 Onyx requests, 1 were sent"):
            self.assertNumOnyxRequests(0, Profile.onyx.count)

    def test_client_request(self) -> None:
        with self.assertNumOnyxRequests(2):
            assert self.client.get("/profiles/").status_code == 200
