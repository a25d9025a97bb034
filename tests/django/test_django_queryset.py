"""Querysets over Onyx Local: lookups, Q, exclude, ordering, slicing, caching, get, writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from conftest import counts, queries
from django.core.exceptions import FieldError
from django.core.exceptions import MultipleObjectsReturned as DjangoMultiple
from django.core.exceptions import ObjectDoesNotExist as DjangoDoesNotExist
from django.db.models import Q
from onyx_django_testapp import Profile

import onyx_django
from onyx_database import OnyxConflictError, gt

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

pytestmark = pytest.mark.usefixtures("server")


def ids(qs: Any) -> list[str]:
    return sorted(p.id for p in qs)


@pytest.mark.parametrize(
    ("lookups", "expected"),
    [
        ({"firstName": "Ada"}, ["p1"]),
        ({"firstName__exact": "Ada"}, ["p1"]),
        ({"pk": "p3"}, ["p3"]),
        ({"age": None}, ["p5"]),
        ({"firstName__iexact": "ADA"}, ["p1", "p4"]),
        ({"lastName__contains": "ing"}, ["p2"]),
        ({"lastName__contains": "ING"}, []),
        ({"lastName__icontains": "ING"}, ["p2"]),
        ({"id__in": ["p1", "p3", "zz"]}, ["p1", "p3"]),
        ({"age__gt": 36}, ["p2", "p3"]),
        ({"age__gte": 36}, ["p1", "p2", "p3"]),
        ({"age__lt": 36}, ["p4"]),
        ({"age__lte": 36}, ["p1", "p4"]),
        ({"firstName__startswith": "A"}, ["p1", "p2"]),
        ({"firstName__istartswith": "a"}, ["p1", "p2", "p4"]),
        ({"lastName__endswith": "er"}, ["p3"]),
        ({"lastName__iendswith": "ER"}, ["p3"]),
        ({"age__range": (20, 41)}, ["p1", "p2", "p4"]),
        ({"bio__isnull": True}, ["p4"]),
        ({"bio__isnull": False}, ["p1", "p2", "p3", "p5"]),
        ({"bio__regex": "sci.nt"}, ["p2"]),
        ({"bio__regex": "^Rear"}, ["p3"]),
        ({"bio__iregex": "^rear"}, ["p3"]),
        ({"firstName__startswith": "A", "age__gt": 40}, ["p2"]),
    ],
)
def test_every_lookup_matches_the_expected_records(
    lookups: dict[str, Any], expected: list[str]
) -> None:
    assert ids(Profile.onyx.filter(**lookups)) == expected


def test_q_objects_compose_with_and_or_not() -> None:
    either = Profile.onyx.filter(Q(firstName="Ada") | Q(lastName="Hopper"))
    assert ids(either) == ["p1", "p3"]
    both = Profile.onyx.filter(Q(age__gte=20) & ~Q(firstName__iexact="ada"))
    assert ids(both) == ["p2", "p3"]
    nested = Profile.onyx.filter(Q(age__lt=30) | (Q(age__gt=30) & Q(bio__icontains="math")))
    assert ids(nested) == ["p1", "p4"]
    assert ids(Profile.onyx.filter(Q(), id="p2")) == ["p2"]


def test_onyx_conditions_are_accepted_as_filter_arguments() -> None:
    assert ids(Profile.onyx.filter(gt("age", 40))) == ["p2", "p3"]


def test_exclude_negates_all_lookups_together() -> None:
    assert ids(Profile.onyx.exclude(firstName__iexact="ada")) == ["p2", "p3", "p5"]
    assert ids(Profile.onyx.exclude(firstName__startswith="A", age__gt=40)) == [
        "p1",
        "p3",
        "p4",
        "p5",
    ]
    assert ids(Profile.onyx.filter(age__isnull=False).exclude(Q(age__gt=40))) == ["p1", "p4"]


def test_chained_filters_are_anded_and_querysets_are_immutable() -> None:
    base = Profile.onyx.filter(age__gte=20)
    narrower = base.filter(age__lte=40)
    assert ids(base) == ["p1", "p2", "p3", "p4"]
    assert ids(narrower) == ["p1", "p4"]


def test_order_by_and_reverse() -> None:
    ordered = Profile.onyx.filter(age__isnull=False).order_by("-age")
    assert [p.id for p in ordered] == ["p3", "p2", "p1", "p4"]
    assert [p.id for p in ordered.reverse()] == ["p4", "p1", "p2", "p3"]
    by_two = Profile.onyx.order_by("firstName", "-id")
    assert [p.firstName for p in by_two][:2] == ["Ada", "Alan"] or [p.firstName for p in by_two][
        :2
    ] == ["ada", "Ada"]
    assert ordered.ordered and not Profile.onyx.all().ordered
    assert not ordered.order_by().ordered


def test_slicing_limits_and_skips(server: LocalServer) -> None:
    qs = Profile.onyx.order_by("id")
    assert [p.id for p in qs[:2]] == ["p1", "p2"]
    assert [p.id for p in qs[1:3]] == ["p2", "p3"]
    assert [p.id for p in qs[3:]] == ["p4", "p5"]
    assert [p.id for p in qs[1:4][1:]] == ["p3", "p4"]
    assert [p.id for p in qs[10:20]] == []
    assert qs[2].id == "p3"
    with pytest.raises(IndexError):
        qs[9]
    with pytest.raises(ValueError, match="Negative"):
        qs[-1]
    with pytest.raises(TypeError, match="slice"):
        qs[:2].filter(id="p1")


def test_results_are_cached_like_django(server: LocalServer) -> None:
    qs = Profile.onyx.filter(age__gte=20)
    assert queries(server) == 0  # lazy
    assert len(qs) == 4
    assert bool(qs)
    assert [p.id for p in qs] == [p.id for p in qs]
    assert qs.count() == 4  # from the cache
    assert qs.exists()
    assert queries(server) == 1
    assert counts(server) == 0
    assert ids(qs.all()) == ids(qs)  # all() is a fresh queryset
    assert queries(server) == 2


def test_count_and_exists_send_one_small_request(server: LocalServer) -> None:
    assert Profile.onyx.filter(age__gt=30).count() == 3
    assert counts(server) == 1 and queries(server) == 0
    assert Profile.onyx.order_by("id")[1:3].count() == 2
    assert Profile.onyx.order_by("id")[3:].count() == 2
    assert Profile.onyx.filter(id="p1").exists()
    assert not Profile.onyx.filter(id="nope").exists()


def test_first_and_last() -> None:
    first, last = Profile.onyx.first(), Profile.onyx.last()
    assert first is not None and first.id == "p1"
    assert last is not None and last.id == "p5"
    oldest = Profile.onyx.filter(age__isnull=False).order_by("age").last()
    assert oldest is not None and oldest.id == "p3"
    assert Profile.onyx.filter(id="nope").first() is None


def test_get_returns_one_or_raises_django_style_errors() -> None:
    assert Profile.onyx.get(pk="p2").lastName == "Turing"
    assert isinstance(Profile.onyx.get(id="p2"), Profile)
    with pytest.raises(Profile.DoesNotExist) as missing:  # type: ignore[attr-defined]
        Profile.onyx.get(id="nope")
    assert isinstance(missing.value, onyx_django.ObjectDoesNotExist)
    assert isinstance(missing.value, DjangoDoesNotExist)
    with pytest.raises(Profile.MultipleObjectsReturned) as many:  # type: ignore[attr-defined]
        Profile.onyx.get(firstName__iexact="ada")
    assert isinstance(many.value, DjangoMultiple)
    assert Profile.onyx.DoesNotExist is Profile.DoesNotExist  # type: ignore[attr-defined]


def test_values_and_values_list_use_select() -> None:
    rows = list(Profile.onyx.filter(id__in=["p1", "p2"]).order_by("id").values("id", "age"))
    assert rows == [{"id": "p1", "age": 36}, {"id": "p2", "age": 41}]
    full = Profile.onyx.filter(id="p3").values()
    assert next(iter(full))["lastName"] == "Hopper"
    pairs = list(Profile.onyx.order_by("id").values_list("id", "lastName")[:2])
    assert pairs == [("p1", "Lovelace"), ("p2", "Turing")]
    flat = list(Profile.onyx.order_by("id").values_list("id", flat=True))
    assert flat == ["p1", "p2", "p3", "p4", "p5"]
    with pytest.raises(TypeError, match="flat"):
        Profile.onyx.values_list("id", "age", flat=True)


def test_in_bulk() -> None:
    found = Profile.onyx.in_bulk(["p1", "p4", "zz"])
    assert sorted(found) == ["p1", "p4"] and found["p4"].lastName == "Byron"
    assert Profile.onyx.in_bulk([]) == {}


def test_update_delete_create(server: LocalServer) -> None:
    assert Profile.onyx.filter(firstName__iexact="ada").update(bio="Countess") == 2
    assert ids(Profile.onyx.filter(bio="Countess")) == ["p1", "p4"]
    assert Profile.onyx.filter(age__gt=80).delete() == (1, {"onyx.Profile": 1})
    assert Profile.onyx.count() == 4
    fields = {"lastName": "Liskov", "userId": "u9", "createdAt": "2026-01-02T00:00:00Z"}
    created = Profile.onyx.create(id="p9", firstName="Barbara", age=50, **fields)
    assert isinstance(created, Profile) and created.firstName == "Barbara"
    assert Profile.onyx.get(pk="p9").age == 50
    with pytest.raises(OnyxConflictError):
        Profile.onyx.create(id="p9", firstName="Again", **fields)
    with pytest.raises(TypeError, match="slice"):
        Profile.onyx.order_by("id")[:1].delete()


def test_unknown_fields_and_lookups_fail_at_build_time(server: LocalServer) -> None:
    with pytest.raises(FieldError, match="Cannot resolve keyword 'nope'"):
        Profile.onyx.filter(nope=1)
    with pytest.raises(FieldError, match="Unsupported lookup 'bogus'"):
        Profile.onyx.filter(age__bogus=1)
    with pytest.raises(onyx_django.NotSupportedError, match="'year' lookup"):
        Profile.onyx.filter(createdAt__year=2020)
    with pytest.raises(onyx_django.NotSupportedError):
        Profile.onyx.order_by("?")
    with pytest.raises(FieldError):
        Profile.onyx.order_by("-nope")
    assert queries(server) == 0


def test_manager_for_and_plain_classes_with_onyx_table() -> None:
    class PlainProfile:
        __onyx_table__: ClassVar[str] = "UserProfile"

    profiles = onyx_django.manager_for(PlainProfile)
    row = profiles.get(pk="p2")
    assert isinstance(row, dict) and row["lastName"] == "Turing"
    assert profiles.filter(bio__isnull=True).count() == 1
    assert profiles.DoesNotExist is PlainProfile.DoesNotExist  # type: ignore[attr-defined]


def test_repr_shows_the_records() -> None:
    text = repr(Profile.onyx.filter(id="p1"))
    assert text.startswith("<OnyxQuerySet [Profile(") and "Lovelace" in text


def test_using_another_alias() -> None:
    assert Profile.onyx.using("analytics").filter(age__gt=40).count() == 2
    assert Profile.onyx.using("analytics").db == "analytics"
