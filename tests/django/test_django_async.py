"""Async queryset methods: one async client per alias per event loop, over Onyx Local."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
from conftest import queries
from onyx_django_testapp import Profile

from onyx_django import connections

if TYPE_CHECKING:
    from onyx_database.local import LocalServer

pytestmark = pytest.mark.anyio


@pytest.fixture
async def aserver(server: LocalServer) -> AsyncIterator[LocalServer]:
    yield server
    await connections.aclose_all()


async def test_async_terminals(aserver: LocalServer) -> None:
    assert await Profile.onyx.filter(age__gt=30).acount() == 3
    assert await Profile.onyx.order_by("id")[3:].acount() == 2
    assert await Profile.onyx.filter(id="p1").aexists()
    assert not await Profile.onyx.filter(id="zz").aexists()
    first, last = await Profile.onyx.afirst(), await Profile.onyx.alast()
    assert first is not None and first.id == "p1" and last is not None and last.id == "p5"
    assert (await Profile.onyx.aget(pk="p2")).lastName == "Turing"
    with pytest.raises(Profile.DoesNotExist):  # type: ignore[attr-defined]
        await Profile.onyx.aget(pk="zz")
    with pytest.raises(Profile.MultipleObjectsReturned):  # type: ignore[attr-defined]
        await Profile.onyx.aget(firstName__iexact="ada")


async def test_async_for_slices_and_caches(aserver: LocalServer) -> None:
    qs = Profile.onyx.order_by("-id")[1:3]
    assert [p.id async for p in qs] == ["p4", "p3"]
    assert [p.id async for p in qs] == ["p4", "p3"]
    assert queries(aserver) == 1
    assert [p.id for p in qs] == ["p4", "p3"]  # the sync side reads the same cache
    assert queries(aserver) == 1


async def test_one_async_client_per_alias_per_loop(aserver: LocalServer) -> None:
    client = connections.async_pool()
    assert connections.async_pool() is client
    assert connections.async_pool("analytics") is not client
    created = await Profile.onyx.acreate(
        id="p8",
        firstName="Frances",
        lastName="Allen",
        userId="u8",
        createdAt="2026-01-03T00:00:00Z",
    )
    assert isinstance(created, Profile)
    assert await Profile.onyx.acount() == 6
