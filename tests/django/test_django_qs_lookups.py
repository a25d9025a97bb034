"""Lookup values as Django's SQL treats them: nulls, empty strings, types checked when built."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from conftest import NOW, queries
from django.db.models import Q
from onyx_django_testapp import Profile

from onyx_django import NotSupportedError, connections

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

pytestmark = pytest.mark.usefixtures("server")


@pytest.fixture(autouse=True)
def empty_strings(server: LocalServer) -> None:
    """p6 has an empty first name and bio (p4's bio and p5's age are null)."""
    connections.pool().save(
        "UserProfile",
        {"id": "p6", "firstName": "", "lastName": "Empty", "bio": "", "age": 50,
         "createdAt": datetime(2026, 3, 1, tzinfo=UTC), "userId": "u6"},
    )  # fmt: skip
    server.reset_request_counts()


def ids(**lookups: Any) -> list[str]:
    return sorted(p.id for p in Profile.onyx.filter(**lookups))


def excluded(**lookups: Any) -> list[str]:
    return sorted(p.id for p in Profile.onyx.exclude(**lookups))


@pytest.mark.parametrize(
    ("lookups", "expected"),
    [
        ({"age__in": [36, None]}, ["p1"]),
        ({"age__in": [None]}, []),
        ({"age__in": []}, []),
        ({"bio__in": ["", "Paths"]}, ["p5", "p6"]),
        ({"bio__contains": ""}, ["p1", "p2", "p3", "p5", "p6"]),
        ({"bio__icontains": ""}, ["p1", "p2", "p3", "p5", "p6"]),
        ({"bio__startswith": ""}, ["p1", "p2", "p3", "p5", "p6"]),
        ({"bio__contains": "ul"}, []),  # a null bio is never the text "null"
        ({"bio__iexact": "NULL"}, []),
        ({"bio__regex": "n"}, ["p1", "p2"]),
        ({"bio": ""}, ["p6"]),
        ({"bio__exact": None}, ["p4"]),
        ({"bio": None}, ["p4"]),
        ({"bio__iexact": None}, ["p4"]),
        ({"age__lt": 40}, ["p1", "p4"]),
        ({"age__lte": 36}, ["p1", "p4"]),
        ({"age__gt": 40}, ["p2", "p3", "p6"]),
        ({"age__range": (0, 40)}, ["p1", "p4"]),
        ({"age__gt": "40"}, ["p2", "p3", "p6"]),  # converted as Django's get_prep_value does
        ({"createdAt__gt": "2026-02-01T00:00:00Z"}, ["p6"]),
        ({"createdAt__lte": NOW}, ["p1", "p2", "p3", "p4", "p5"]),
        ({"firstName": 5}, []),  # a number for a text field is its text
    ],
)
def test_filter_matches_django_on_sql(lookups: dict[str, Any], expected: list[str]) -> None:
    assert ids(**lookups) == expected


@pytest.mark.parametrize(
    ("lookups", "expected"),
    [
        ({"bio__contains": "a"}, ["p2", "p4", "p6"]),  # NOT (LIKE AND NOT NULL) keeps nulls
        ({"age__lt": 40}, ["p2", "p3", "p5", "p6"]),
        ({"age__in": [36, None]}, ["p2", "p3", "p4", "p5", "p6"]),
        ({"bio": ""}, ["p1", "p2", "p3", "p4", "p5"]),
    ],
)
def test_exclude_is_the_complement(lookups: dict[str, Any], expected: list[str]) -> None:
    assert excluded(**lookups) == expected


@pytest.mark.parametrize(
    ("lookups", "error", "match"),
    [
        ({"age__gt": "abc"}, ValueError, "Field 'age' expected a number but got 'abc'"),
        ({"age": "abc"}, ValueError, "expected a number"),
        ({"age__in": [1, "x"]}, ValueError, "expected a number"),
        ({"age__range": (1, None)}, ValueError, "Cannot use None"),
        ({"age__gt": None}, ValueError, "Cannot use None as a query value"),
        ({"bio__contains": None}, ValueError, "Cannot use None"),
        ({"createdAt__gt": "yesterday"}, ValueError, "expected a datetime"),
        ({"age__isnull": "yes"}, Exception, "True or False"),
        ({"age__in": 3}, Exception, "needs a list"),
        ({"age__contains": "3"}, NotSupportedError, "needs a text field"),
    ],
)
def test_bad_values_fail_when_built(
    lookups: dict[str, Any], error: type[Exception], match: str, server: LocalServer
) -> None:
    with pytest.raises(error, match=match):
        Profile.onyx.filter(**lookups)
    with pytest.raises(error, match=match):
        Profile.onyx.filter(Q(**lookups) | Q(pk="p1"))
    assert queries(server) == 0


def test_update_values_are_checked_too(server: LocalServer) -> None:
    with pytest.raises(ValueError, match="expected a number"):
        Profile.onyx.filter(pk="p1").update(age="old")
    assert Profile.onyx.filter(pk="p1").update(age="37") == 1
    assert Profile.onyx.get(pk="p1").age == 37
