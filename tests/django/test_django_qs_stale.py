"""No stale rows: a queryset kept on a class or in a module never serves rows cached by an
earlier request (stock ``ListView``, a function view over a module constant, an async view),
while one request still evaluates it once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import onyx_django_qsapp
import pytest
from conftest import NOW, queries
from onyx_django_testapp import Profile

if TYPE_CHECKING:
    from django.test import AsyncClient, Client

    from onyx_database.local import LocalServer

pytestmark = [pytest.mark.urls("onyx_django_qsapp"), pytest.mark.usefixtures("server")]


def add_adult() -> None:
    Profile.onyx.create(
        id="p9", firstName="New", lastName="Adult", age=30, createdAt=NOW, userId="u9"
    )


def test_module_constant_sees_a_write_between_requests(client: Client, server: LocalServer) -> None:
    before = client.get("/adults/").json()
    assert before == {"count": 4, "ids": ["p1", "p2", "p3", "p4"]}
    assert queries(server) == 1  # len() then iteration: one query in one request
    add_adult()
    after = client.get("/adults/").json()
    assert after["ids"] == ["p1", "p2", "p3", "p4", "p9"] and after["count"] == 5
    assert queries(server) == 2


def test_stock_list_view_with_a_class_level_queryset(client: Client) -> None:
    assert client.get("/adult-list/").content == b"p1,p2,p3,p4"
    add_adult()
    assert client.get("/adult-list/").content == b"p1,p2,p3,p4,p9"


@pytest.mark.anyio
async def test_async_view_over_a_module_constant(async_client: AsyncClient) -> None:
    first = await async_client.get("/adults-async/")
    assert first.json()["ids"] == ["p1", "p2", "p3", "p4"]
    await Profile.onyx.acreate(
        id="p9", firstName="New", lastName="Adult", age=30, createdAt=NOW, userId="u9"
    )
    second = await async_client.get("/adults-async/")
    assert second.json()["ids"] == ["p1", "p2", "p3", "p4", "p9"]
    from onyx_django import connections

    await connections.aclose_all()


def test_outside_requests_the_cache_behaves_as_django(server: LocalServer) -> None:
    qs = onyx_django_qsapp.ADULTS.all()
    assert len(qs) == 4
    add_adult()
    assert len(qs) == 4  # the same evaluated queryset, as in Django
    assert len(qs.all()) == 5
