"""Django's Paginator and a real ListView (through the test client) on Onyx querysets."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from conftest import counts, queries
from django.core.paginator import Paginator, UnorderedObjectListWarning
from django.test import Client
from onyx_django_testapp import Profile

if TYPE_CHECKING:
    from onyx_database.local import LocalServer


def test_paginator_counts_once_and_slices_each_page(server: LocalServer) -> None:
    paginator = Paginator(Profile.onyx.order_by("id"), 2)
    assert paginator.count == 5 and paginator.num_pages == 3
    assert counts(server) == 1
    assert [p.id for p in paginator.page(2)] == ["p3", "p4"]
    last = paginator.page(3)
    assert [p.id for p in last] == ["p5"] and not last.has_next()
    assert queries(server) == 2


def test_paginator_warns_on_an_unordered_queryset(server: LocalServer) -> None:
    with pytest.warns(UnorderedObjectListWarning, match="Profile"):
        Paginator(Profile.onyx.all(), 2)


def test_list_view_paginates_through_the_test_client(server: LocalServer) -> None:
    client = Client()
    first = client.get("/profiles/")
    assert first.status_code == 200
    assert first.content.decode() == "p1,p2,|page=1/3"
    third = client.get("/profiles/?page=3")
    assert third.content.decode() == "p5,|page=3/3"
    assert client.get("/profiles/?page=9").status_code == 404


def test_get_object_or_404_uses_the_onyx_manager(server: LocalServer) -> None:
    client = Client()
    assert client.get("/profiles/p3/").content == b"Grace"
    assert client.get("/profiles/nope/").status_code == 404
