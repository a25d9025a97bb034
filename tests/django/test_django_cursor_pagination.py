"""``OnyxCursorPaginator`` and ``OnyxCursorPaginationMixin``: pages by Onyx's ``nextPage``
tokens, one request each however deep, against Onyx Local."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.core.paginator import InvalidPage

from onyx_database import record_requests
from onyx_django.pagination import OnyxCursorPaginator

if TYPE_CHECKING:
    from django.test import Client

    from onyx_database.local import LocalServer


def test_pages_follow_the_ordering_one_request_each(server: LocalServer) -> None:
    from onyx_django_modelapp import Profile

    paginator = OnyxCursorPaginator(Profile.onyx.order_by("-age"), 2)
    seen: list[list[str]] = []
    cursor = None
    with record_requests() as recorded:
        while True:
            page = paginator.page(cursor)
            seen.append([p.pk for p in page])
            if not page.has_next():
                break
            cursor = page.next_cursor
    assert seen == [["p3", "p2"], ["p1", "p4"], ["p5"]]  # a null age sorts last descending
    assert len(recorded) == 3 and all(r.records is not None for r in recorded)
    assert not paginator.page().has_previous() and page.has_previous()


def test_values_and_filters_and_the_default_pk_order(server: LocalServer) -> None:
    from onyx_django_modelapp import Profile

    paginator = OnyxCursorPaginator(Profile.onyx.filter(age__gte=30).values("id", "age"), 2)
    first = paginator.page()
    assert list(first) == [{"id": "p1", "age": 36}, {"id": "p2", "age": 41}]
    assert [row["id"] for row in paginator.page(first.next_cursor)] == ["p3"]
    assert paginator.count == 3


def test_an_invalid_cursor_is_invalid_page(server: LocalServer) -> None:
    from onyx_django_modelapp import Profile

    paginator = OnyxCursorPaginator(Profile.onyx.order_by("id"), 2)
    with pytest.raises(InvalidPage):
        paginator.page("not-a-token")
    assert [p.pk for p in paginator.get_page("not-a-token")] == ["p1", "p2"]
    with pytest.raises(ValueError, match="per_page"):
        OnyxCursorPaginator(Profile.onyx.all(), 5000)


async def _async_first_ids() -> list[str]:
    from onyx_django_modelapp import Profile

    page = await OnyxCursorPaginator(Profile.onyx.order_by("id"), 3).apage()
    return [p.pk for p in page]


@pytest.mark.anyio
async def test_apage(server: LocalServer) -> None:
    assert await _async_first_ids() == ["p1", "p2", "p3"]


def test_list_view_with_the_mixin_walks_every_page(server: LocalServer, app: Client) -> None:
    client = app
    body = client.get("/cursor/").content.decode()
    ids, cursor = re.fullmatch(r"(.*)\|next=(.*)", body).groups()  # type: ignore[union-attr]
    pages = [ids]
    while cursor:
        server.reset_request_counts()
        body = client.get(f"/cursor/?cursor={cursor}").content.decode()
        ids, cursor = re.fullmatch(r"(.*)\|next=(.*)", body).groups()  # type: ignore[union-attr]
        pages.append(ids)
        assert server.request_count("PUT", "/data/{db}/query/UserProfile") == 1
    assert pages == ["p1,p2,", "p3,p4,", "p5,"]  # Meta.ordering = ["id"]
    assert client.get("/cursor/?cursor=bogus").status_code == 404
