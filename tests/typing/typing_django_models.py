"""Static typing of ``OnyxModel`` instances and classes, checked by mypy in the gates (never run).

Each ``assert_type`` is a claim about what an editor and the type checker infer for user code.
"""

from __future__ import annotations

from typing import Any, assert_type

from django.db import models

from onyx_django import ObjectDoesNotExist, OnyxManager, OnyxQuerySet
from onyx_django._meta import OnyxOptions
from onyx_django.models import OnyxModel


class Profile(OnyxModel):
    id: str
    firstName: str
    age: int | None = None

    class Meta:
        db_table = "UserProfile"


def classes() -> None:
    assert_type(Profile.onyx, OnyxManager[Profile])
    assert_type(Profile.objects, OnyxManager[Profile])
    assert_type(Profile.onyx.filter(age__gte=18), OnyxQuerySet[Profile])
    assert_type(Profile._meta, OnyxOptions)
    assert_type(Profile._meta.get_field("age"), models.Field[Any, Any])
    assert_type(Profile.from_db("default", ["id"], ["p1"]), Profile)
    assert_type(Profile.from_record("default", {"id": "p1"}), Profile)
    try:
        Profile.onyx.get(pk="p1")
    except Profile.DoesNotExist as exc:
        assert_type(exc, ObjectDoesNotExist)


def instances(profile: Profile) -> None:
    assert_type(profile.save(), None)
    assert_type(profile.save(update_fields=["age"], using="analytics"), None)
    assert_type(profile.delete(), tuple[int, dict[str, int]])
    assert_type(profile.refresh_from_db(fields=["age"]), None)
    assert_type(profile.full_clean(exclude=["firstName"]), None)
    assert_type(profile.pk, Any)
    assert_type(profile.get_deferred_fields(), set[str])


async def async_instances(profile: Profile) -> None:
    assert_type(await profile.asave(force_insert=True), None)
    assert_type(await profile.adelete(), tuple[int, dict[str, int]])
    assert_type(await profile.arefresh_from_db(), None)
