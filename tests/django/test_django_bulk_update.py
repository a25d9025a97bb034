"""``bulk_update()``: one update-by-query per distinct set of values (per batch), against Onyx
Local."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onyx_database import record_requests

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


def test_instances_with_the_same_values_share_one_request(server: LocalServer) -> None:
    from onyx_django_modelapp import Profile

    people = list(Profile.onyx.order_by("id"))
    for person in people:
        person.bio = "same"
    people[0].age = 99
    with record_requests() as recorded:
        # ages differ, so ("bio", "age") is one group per age; ("bio",) is one group in all
        assert Profile.onyx.bulk_update(people, ["bio"]) == 5
    assert [(r.method, r.records) for r in recorded] == [("PUT", None)]
    assert set(Profile.onyx.values_list("bio", flat=True)) == {"same"}
    with record_requests() as recorded:
        assert Profile.onyx.bulk_update(people, ["bio", "age"], batch_size=1) == 5
    assert len(recorded) == 5  # five distinct (bio, age) pairs (one null age)
    assert Profile.onyx.get(pk="p1").age == 99 and Profile.onyx.get(pk="p5").age is None
    for person in people:
        person.bio = "again"
    with record_requests() as recorded:
        assert Profile.onyx.bulk_update(people, ["bio"], batch_size=2) == 5
    assert len(recorded) == 3  # one group of five ids, in batches of two


def test_each_record_gets_its_own_values(server: LocalServer) -> None:
    from onyx_django_modelapp import Profile

    people = list(Profile.onyx.filter(pk__in=["p1", "p2", "p3"]).order_by("id"))
    for person, bio in zip(people, ["x", "y", "x"], strict=True):
        person.bio = bio
    with record_requests() as recorded:
        assert Profile.onyx.bulk_update(people, ["bio"]) == 3
    assert len(recorded) == 2
    assert dict(Profile.onyx.filter(pk__in=["p1", "p2", "p3"]).values_list("id", "bio")) == {
        "p1": "x",
        "p2": "y",
        "p3": "x",
    }
