"""``pk`` is the primary key's alias wherever Django accepts it, and reads back as Django returns
it: ``values("pk")`` gives ``{"pk": ...}``, ``values_list("pk", named=True)`` ``Row(pk=...)``."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import NOW
from django.db.models import Count
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.urls import path
from onyx_django_testapp import Profile

from onyx_django.models import OnyxModel

pytestmark = pytest.mark.usefixtures("server")


class Person(OnyxModel):
    id: str
    firstName: str
    lastName: str
    age: int | None = None
    bio: str | None = None
    userId: str = "u0"
    createdAt: datetime = NOW

    class Meta:
        db_table = "UserProfile"
        app_label = "pkalias"


def test_values_list_of_pk_reads_the_identifier() -> None:
    people = Person.onyx.order_by("pk")
    assert list(people.values_list("pk", flat=True)) == ["p1", "p2", "p3", "p4", "p5"]
    assert list(people.filter(age__gt=40).values_list("pk", "age")) == [("p2", 41), ("p3", 85)]
    rows = list(people.filter(pk="p1").values_list("pk", "id", named=True))
    assert rows == [("p1", "p1")] and rows[0]._fields == ("pk", "id")
    assert list(people.values_list("pk", flat=True).iterator()) == ["p1", "p2", "p3", "p4", "p5"]


def test_values_of_pk_are_keyed_pk_as_in_django() -> None:
    rows = list(Person.onyx.filter(pk__in=["p1", "p2"]).order_by("-pk").values("pk", "age"))
    assert rows == [{"pk": "p2", "age": 41}, {"pk": "p1", "age": 36}]
    assert list(Profile.onyx.filter(pk="p3").values("pk")) == [{"pk": "p3"}]
    distinct = Person.onyx.order_by("pk").values_list("pk", flat=True).distinct()
    assert list(distinct) == ["p1", "p2", "p3", "p4", "p5"]


def test_values_pk_groups_an_annotation() -> None:
    rows = Person.onyx.filter(pk__in=["p1", "p5"]).values("pk").annotate(n=Count("age"))
    assert sorted(rows, key=lambda row: row["pk"]) == [{"pk": "p1", "n": 1}, {"pk": "p5", "n": 0}]


def test_pk_in_lookups_ordering_and_deferral() -> None:
    assert [p.id for p in Person.onyx.order_by("-pk")[:2]] == ["p5", "p4"]
    assert [p.id for p in Person.onyx.filter(pk__gt="p3").order_by("pk")] == ["p4", "p5"]
    assert sorted(p.id for p in Person.onyx.exclude(pk__in=["p1", "p2", "p3"])) == ["p4", "p5"]
    only = Person.onyx.filter(pk="p2").only("pk").get()
    assert only.pk == "p2" and only.get_deferred_fields() >= {"firstName", "age"}
    assert Person.onyx.filter(pk="p2").defer("pk", "bio").get().firstName == "Alan"
    assert Person.onyx.latest("pk").pk == "p5"
    assert Person.onyx.aggregate(Count("pk")) == {"pk__count": 5}


def test_in_bulk_is_keyed_by_the_primary_key() -> None:
    found = Person.onyx.in_bulk(["p1", "p3", "nope"])
    assert sorted(found) == ["p1", "p3"] and found["p3"].lastName == "Hopper"
    assert sorted(Person.onyx.in_bulk(["p2"], field_name="pk")) == ["p2"]


def test_model_pk_keyword_and_pk_assignment_set_the_identifier() -> None:
    person = Person(pk="n1", firstName="Barbara", lastName="Liskov")
    assert person.id == "n1" and person.pk == "n1"
    assert Person(id="ignored", pk="n2", firstName="a", lastName="b").id == "n2"
    person.save()
    assert Person.onyx.get(pk="n1").firstName == "Barbara"
    copy = Person.onyx.get(pk="n1")
    copy.pk = "n3"
    assert copy.id == "n3"
    copy.save()
    assert list(
        Person.onyx.filter(pk__in=["n1", "n3"]).order_by("pk").values_list("pk", flat=True)
    ) == ["n1", "n3"]
    with pytest.raises(TypeError, match="unexpected keyword arguments: 'nope'"):
        Person(pk="n4", nope=1)


def test_writes_accept_pk() -> None:
    assert Person.onyx.create(pk="w1", firstName="a", lastName="b").id == "w1"
    made, created = Person.onyx.get_or_create(pk="w2", defaults={"firstName": "c", "lastName": "d"})
    assert created and made.id == "w2"
    updated, created = Person.onyx.update_or_create(pk="w2", defaults={"age": 3})
    assert not created and updated.age == 3
    assert Person.onyx.filter(pk="w1").update(age=9) == 1
    assert Person.onyx.values_list("age", flat=True).get(pk="w1") == 9


def test_update_of_pk_is_refused_as_in_django() -> None:
    from django.core.exceptions import FieldDoesNotExist

    with pytest.raises(FieldDoesNotExist, match="has no field named 'pk'"):
        Person.onyx.filter(pk="p1").update(pk="zz")
    assert Person.onyx.filter(pk="p1").exists()


def test_refresh_from_db_of_pk() -> None:
    person = Person.onyx.get(pk="p1")
    person.refresh_from_db(fields=["pk", "age"])
    assert person.pk == "p1" and person.age == 36


def pks(request: HttpRequest) -> JsonResponse:
    people = Person.onyx.filter(age__isnull=False).order_by("-pk")
    return JsonResponse(
        {"rows": list(people.values("pk", "age")), "ids": list(people.values_list("pk", flat=True))}
    )


urlpatterns = [path("people/pks/", pks)]


@pytest.mark.urls(__name__)
def test_a_view_serving_values_of_pk(client: Client) -> None:
    body = client.get("/people/pks/").json()
    assert body["ids"] == ["p4", "p3", "p2", "p1"]
    assert body["rows"][:2] == [{"pk": "p4", "age": 20}, {"pk": "p3", "age": 85}]
