"""Static typing of the Django queryset API, checked by mypy in the gates (never run).

``python3 scripts/test.py`` runs ``mypy --strict`` on this directory: each ``assert_type`` is a
claim about what an editor and the type checker infer for user code.
"""

from __future__ import annotations

from typing import Any, ClassVar, assert_type

from pydantic import BaseModel

from onyx_django import OnyxManager, OnyxQuerySet, manager_for
from onyx_django.models import OnyxModel


class User(OnyxModel):
    id: str
    email: str | None = None
    age: int | None = None


class Plain(BaseModel):
    __onyx_table__: ClassVar[str] = "User"
    id: str

    onyx: ClassVar[OnyxManager[Plain]] = OnyxManager()


def managers() -> None:
    assert_type(User.onyx, OnyxManager[User])
    assert_type(Plain.onyx, OnyxManager[Plain])
    assert_type(manager_for(Plain), OnyxManager[Plain])
    assert_type(User.onyx.get_queryset(), OnyxQuerySet[User])


def chaining() -> None:
    qs = User.onyx.filter(email__icontains="ada").exclude(age__lt=18).order_by("-age")
    assert_type(qs, OnyxQuerySet[User])
    assert_type(qs.all().using("analytics").distinct().reverse(), OnyxQuerySet[User])
    assert_type(qs.only("email").defer("age").select_related("roles"), OnyxQuerySet[User])
    assert_type(qs[:10], OnyxQuerySet[User])
    assert_type(qs | User.onyx.none(), OnyxQuerySet[User])
    assert_type(qs & User.onyx.all(), OnyxQuerySet[User])
    assert_type(Plain.onyx.filter(id="p1"), OnyxQuerySet[Plain])


def terminals() -> None:
    qs = User.onyx.filter(age__gte=18)
    assert_type(qs.get(pk="u1"), User)
    assert_type(qs[0], User)
    assert_type(qs.first(), User | None)
    assert_type(qs.last(), User | None)
    assert_type(qs.latest("age"), User)
    assert_type(qs.earliest("age"), User)
    assert_type(qs.count(), int)
    assert_type(qs.exists(), bool)
    assert_type(qs.in_bulk(["u1"]), dict[Any, User])
    assert_type(qs.create(id="u2"), User)
    assert_type(qs.get_or_create(id="u2"), tuple[User, bool])
    assert_type(qs.update_or_create(id="u2", defaults={"age": 3}), tuple[User, bool])
    assert_type(qs.bulk_create([User(id="u3")]), list[User])
    assert_type(qs.update(age=3), int)
    assert_type(qs.delete(), tuple[int, dict[str, int]])
    assert_type(qs.aggregate(), dict[str, Any])
    for user in qs:
        assert_type(user, User)
    for user in qs.iterator(chunk_size=100):
        assert_type(user, User)


def shapes() -> None:
    rows = User.onyx.values("id", "age")
    assert_type(rows, OnyxQuerySet[dict[str, Any]])
    for row in rows:
        assert_type(row, dict[str, Any])
    assert_type(User.onyx.values_list("id", flat=True), OnyxQuerySet[Any])


async def async_api() -> None:
    assert_type(await User.onyx.aget(pk="u1"), User)
    assert_type(await User.onyx.afirst(), User | None)
    assert_type(await User.onyx.alast(), User | None)
    assert_type(await User.onyx.acount(), int)
    assert_type(await User.onyx.acreate(id="u4"), User)
    assert_type(await User.onyx.aget_or_create(id="u4"), tuple[User, bool])
    assert_type(await User.onyx.filter(age=3).adelete(), tuple[int, dict[str, int]])
    async for user in User.onyx.filter(age__gt=3):
        assert_type(user, User)
    async for user in User.onyx.aiterator():
        assert_type(user, User)
