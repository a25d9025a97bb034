"""``Pagination``: Flask-SQLAlchemy's page object, over an Onyx query (which has no offset)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Generic, TypeVar

from flask import abort, request

from onyx_database import QueryBuilder, read_window

__all__ = ["Pagination", "paginate_query"]

T = TypeVar("T")

DEFAULT_PER_PAGE = 20


def _request_int(name: str, default: int, error_out: bool) -> int:
    if not request:
        return default
    try:
        return int(request.args.get(name, default))
    except (TypeError, ValueError):
        if error_out:
            abort(404)
        return default


def _page_args(
    page: int | None, per_page: int | None, max_per_page: int | None, error_out: bool
) -> tuple[int, int]:
    if page is None:
        page = _request_int("page", 1, error_out)
    if per_page is None:
        per_page = _request_int("per_page", DEFAULT_PER_PAGE, error_out)
    if max_per_page is not None:
        per_page = min(per_page, max_per_page)
    if page < 1:
        if error_out:
            abort(404)
        page = 1
    if per_page < 1:
        if error_out:
            abort(404)
        per_page = DEFAULT_PER_PAGE
    return page, per_page


def _fetch(query: QueryBuilder[T], page: int, per_page: int) -> tuple[list[T], bool]:
    """The records of ``page`` and whether any record follows them (the core's windowed read:
    cost grows with the page number, see docs/flask.md)."""
    return read_window(query, (page - 1) * per_page, per_page)


class Pagination(Generic[T]):
    """One page of a query: ``items`` plus Flask-SQLAlchemy's navigation attributes.

    Build it with :meth:`onyx_flask.Onyx.paginate`. ``total`` is ``None`` when counting was
    turned off; ``has_next`` then still works (one extra record is read).
    """

    def __init__(
        self,
        query: QueryBuilder[T],
        *,
        page: int,
        per_page: int,
        max_per_page: int | None,
        error_out: bool,
        count: bool,
    ) -> None:
        self._query = query
        self._count = count
        self.page = page
        self.per_page = per_page
        self.max_per_page = max_per_page
        items, self._more = _fetch(query, page, per_page)
        self.items: list[T] = items
        if not items and page != 1 and error_out:
            abort(404)
        self.total: int | None = query.count() if count else None

    @property
    def first(self) -> int:
        """1-based number of the first item on this page (0 when the page is empty)."""
        return 0 if not self.items else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        """1-based number of the last item on this page (0 when the page is empty)."""
        return 0 if not self.items else self.first + len(self.items) - 1

    @property
    def pages(self) -> int:
        """The number of pages (0 when ``total`` is 0 or unknown)."""
        if not self.total:
            return 0
        return math.ceil(self.total / self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        if self.total is None:
            return self._more
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def _other(self, page: int, error_out: bool) -> Pagination[T]:
        return Pagination(
            self._query,
            page=page,
            per_page=self.per_page,
            max_per_page=self.max_per_page,
            error_out=error_out,
            count=self._count,
        )

    def prev(self, *, error_out: bool = False) -> Pagination[T]:
        """The previous page (the same query, page - 1)."""
        return self._other(max(self.page - 1, 1), error_out)

    def next(self, *, error_out: bool = False) -> Pagination[T]:
        """The next page (the same query, page + 1)."""
        return self._other(self.page + 1, error_out)

    def iter_pages(
        self,
        *,
        left_edge: int = 2,
        left_current: int = 2,
        right_current: int = 4,
        right_edge: int = 2,
    ) -> Iterator[int | None]:
        """Page numbers for a pagination widget; ``None`` marks a gap (Flask-SQLAlchemy's
        algorithm and defaults)."""
        pages_end = self.pages + 1
        if pages_end == 1:
            return
        left_end = min(1 + left_edge, pages_end)
        yield from range(1, left_end)
        if left_end == pages_end:
            return
        mid_start = max(left_end, self.page - left_current)
        mid_end = min(self.page + right_current + 1, pages_end)
        if mid_start - left_end > 0:
            yield None
        yield from range(mid_start, mid_end)
        if mid_end == pages_end:
            return
        right_start = max(mid_end, pages_end - right_edge)
        if right_start - mid_end > 0:
            yield None
        yield from range(right_start, pages_end)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __repr__(self) -> str:
        return f"<Pagination page={self.page} per_page={self.per_page} total={self.total}>"


def paginate_query(
    query: QueryBuilder[T],
    *,
    page: int | None,
    per_page: int | None,
    max_per_page: int | None,
    error_out: bool,
    count: bool,
) -> Pagination[T]:
    page, per_page = _page_args(page, per_page, max_per_page, error_out)
    return Pagination(
        query,
        page=page,
        per_page=per_page,
        max_per_page=max_per_page,
        error_out=error_out,
        count=count,
    )
