"""Every ``a*`` twin gives what its sync method gives (the same flow, driven by the async
client), and async writes go through ``asave`` with the same signals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest
from django.db import IntegrityError
from django.db.models import Avg, Count
from test_django_qs_api import ALL_SIGNALS, Member, Recorder

from onyx_django import NotSupportedError, connections

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

pytestmark = pytest.mark.anyio


@pytest.fixture
async def aserver(server: LocalServer) -> AsyncIterator[LocalServer]:
    yield server
    await connections.aclose_all()


READS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("count", (), {}),
    ("exists", (), {}),
    ("first", (), {}),
    ("last", (), {}),
    ("latest", ("age",), {}),
    ("earliest", (), {}),
    ("get", (), {"pk": "p2"}),
    ("in_bulk", (["p1", "p3", "zz"],), {}),
    ("aggregate", (Avg("age"),), {"n": Count("id")}),
    ("explain", (), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), READS, ids=[r[0] for r in READS])
async def test_read_twins_match_sync(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], aserver: LocalServer
) -> None:
    qs = Member.onyx.filter(age__isnull=False).order_by("id")
    expected = getattr(qs, name)(*args, **kwargs)
    assert await getattr(qs, f"a{name}")(*args, **kwargs) == expected
    manager_result = await getattr(Member.onyx, f"a{name}")(*args, **kwargs)
    assert manager_result == getattr(Member.onyx, name)(*args, **kwargs)


async def test_async_iteration_contains_and_iterator(aserver: LocalServer) -> None:
    qs = Member.onyx.order_by("-id")
    assert [m.id async for m in qs] == ["p5", "p4", "p3", "p2", "p1"]
    assert [m.id async for m in qs.aiterator(chunk_size=2)] == ["p5", "p4", "p3", "p2", "p1"]
    assert [row async for row in qs.values_list("id", flat=True)[1:3]] == ["p4", "p3"]
    ada = await Member.onyx.aget(pk="p1")
    assert await qs.acontains(ada)
    assert not await qs.filter(age__gt=40).acontains(ada)


async def test_async_writes_go_through_asave_with_signals(aserver: LocalServer) -> None:
    with Recorder(*ALL_SIGNALS) as recorder:
        made = await Member.onyx.acreate(id="a1", firstName="A", lastName="One")
        assert made.pk == "a1" and recorder.names() == ["pre_save", "post_save"]
        recorder.events.clear()
        got, created = await Member.onyx.aget_or_create(pk="a1", defaults={"age": 5})
        assert (got.id, created) == ("a1", False) and recorder.names() == []
        changed, created = await Member.onyx.aupdate_or_create(pk="a1", defaults={"age": 6})
        assert (changed.age, created) == (6, False)
        assert recorder.names() == ["pre_save", "post_save"]
        recorder.events.clear()
        new = [Member(id=f"ab{n}", firstName="B", lastName=str(n)) for n in range(2)]
        assert await Member.onyx.abulk_create(new) == new
        for member in new:
            member.bio = "bulk"
        assert await Member.onyx.abulk_update(new, ["bio"]) == 2
        assert await Member.onyx.filter(bio="bulk").aupdate(age=9) == 2
        assert await Member.onyx.filter(age=9).adelete() == (2, {"members.Member": 2})
        assert recorder.names() == [
            "bulk_created",
            "bulk_updated",
            "queryset_updated",
            "pre_delete",
            "pre_delete",
            "post_delete",
            "post_delete",
            "queryset_deleted",
        ]
    with pytest.raises(IntegrityError):
        await Member.onyx.acreate(id="a1", firstName="A", lastName="Again")
    with pytest.raises(NotSupportedError):
        await Member.onyx.abulk_create(new, ignore_conflicts=True)
    assert await Member.onyx.acount() == 6
