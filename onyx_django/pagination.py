"""Keyset ("cursor") pagination over Onyx's own ``nextPage`` tokens: deep pages cost what the
first one does, with no offset and no skipped records transferred.

::

    from onyx_django.pagination import OnyxCursorPaginator

    paginator = OnyxCursorPaginator(Profile.onyx.order_by("lastName"), 25)
    first = paginator.page()                  # one request
    list(first), first.has_next()
    second = paginator.page(first.next_cursor)   # one request, wherever it is in the table

In a ``ListView``, add :class:`~onyx_django.views.OnyxCursorPaginationMixin` (it reads the
cursor from ``?cursor=``). The cursor is the server's opaque token: Onyx binds it to the query
that issued it (Onyx Local signs it), and an invalid or expired one is ``InvalidPage`` (a 404
in the mixin). Pages go forward only, as the tokens do; a page has no number and the paginator
no page count (``count`` is one count request, when you want it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

from django.core.paginator import InvalidPage

from onyx_database import OnyxNotFoundError

from ._ops import Flow, PageOp, arun, run

__all__ = ["CursorPage", "OnyxCursorPaginator"]

T = TypeVar("T")

MAX_PER_PAGE = 1000


class CursorPage(Sequence[T]):
    """One page: ``object_list``, the ``cursor`` it was read at (``None`` for the first page)
    and the ``next_cursor`` (``None`` on the last page)."""

    def __init__(
        self,
        object_list: list[T],
        cursor: str | None,
        next_cursor: str | None,
        paginator: OnyxCursorPaginator[T],
    ) -> None:
        self.object_list = object_list
        self.cursor = cursor
        self.next_cursor = next_cursor
        self.paginator = paginator

    def __repr__(self) -> str:
        return f"<CursorPage of {len(self.object_list)} (more: {self.has_next()})>"

    def __len__(self) -> int:
        return len(self.object_list)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.object_list[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self.object_list)

    def has_next(self) -> bool:
        return self.next_cursor is not None

    def has_previous(self) -> bool:
        """Whether this is not the first page (tokens lead forward only: link back to the
        first page, or keep the cursors you came through)."""
        return self.cursor is not None

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()


class OnyxCursorPaginator(Generic[T]):
    """Pages of ``queryset`` (an :class:`~onyx_django.OnyxQuerySet`), ``per_page`` records
    each (1..1000), walked with Onyx's ``nextPage`` tokens.

    The queryset's order is kept; without one (and without ``Meta.ordering``) pages follow the
    primary key, so every record appears exactly once. Slices, ``values()`` shapes and
    ``only()`` / ``defer()`` work as on the queryset; ``distinct()`` and ``annotate()`` are
    not supported (``NotSupportedError``).
    """

    def __init__(
        self,
        queryset: Any,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> None:
        from ._errors import NotSupportedError

        if not 1 <= int(per_page) <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
        if queryset._shape.annotations or queryset._spec.distinct or queryset._shape.low:
            raise NotSupportedError(
                "cursor pagination needs a plain queryset (no annotate(), distinct() or "
                "slice start): use django.core.paginator.Paginator for those"
            )
        self.queryset = queryset if queryset.ordered else queryset._ordered_by_pk()
        self.per_page = int(per_page)
        self.allow_empty_first_page = allow_empty_first_page

    def _page_flow(self, cursor: str | None) -> Flow[CursorPage[T]]:
        queryset = self.queryset
        if queryset._empty():
            return CursorPage([], cursor, None, self)
        spec = queryset._final_spec()
        spec = dataclasses.replace(spec, page_size=min(self.per_page, spec.limit or MAX_PER_PAGE))
        try:
            page = yield PageOp(spec, queryset.db, cursor or None)
        except OnyxNotFoundError as exc:
            if cursor is None:
                raise
            raise InvalidPage("That page cursor is invalid or has expired.") from exc
        rows: list[T] = queryset._shaped(list(page.records))
        if not rows and cursor is None and not self.allow_empty_first_page:
            raise InvalidPage("That page contains no results")
        return CursorPage(rows, cursor, page.next_page, self)

    def page(self, cursor: str | None = None) -> CursorPage[T]:
        """The first page, or the one ``cursor`` (a page's ``next_cursor``) names: one
        request. ``InvalidPage`` for a cursor Onyx does not accept."""
        return run(self._page_flow(cursor))

    async def apage(self, cursor: str | None = None) -> CursorPage[T]:
        """Async :meth:`page`."""
        return await arun(self._page_flow(cursor))

    def get_page(self, cursor: str | None = None) -> CursorPage[T]:
        """:meth:`page`, with the first page for an invalid cursor (as ``Paginator.get_page``)."""
        try:
            return self.page(cursor)
        except InvalidPage:
            return self.page(None)

    @property
    def count(self) -> int:
        """How many records the queryset matches (one count request)."""
        return int(self.queryset.count())
