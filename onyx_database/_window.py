"""Windowed reads: records ``offset .. offset + count`` of a query, for pagination on a server
that has no offset.

::

    from onyx_database import read_window

    records, more = read_window(db.from_table("User").order_by("id"), offset=40, count=20)

Up to ``inline_skip`` skipped records, one scan reads the first ``offset + count + 1`` records
and drops the first ``offset``. Past that, it reads only the keys up to the window's end, then
the window's records by key (``in``), so deep pages move keys, not whole records.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from ._conditions import in_op
from ._errors import OnyxUsageError
from ._query import MAX_PAGE_SIZE

if TYPE_CHECKING:
    from ._client import QueryBuilder

__all__ = ["read_window"]

T = TypeVar("T")

DEFAULT_INLINE_SKIP = 100


def _take(records: Iterable[Any], start: int, stop: int) -> list[Any]:
    iterator = iter(records)
    try:
        return list(itertools.islice(iterator, start, stop))
    finally:
        close = getattr(iterator, "close", None)
        if callable(close):  # stop the page walk early: no request for pages not needed
            close()


def read_window(
    query: QueryBuilder[T],
    offset: int,
    count: int,
    *,
    key: str = "id",
    inline_skip: int = DEFAULT_INLINE_SKIP,
) -> tuple[list[T], bool]:
    """Records ``offset .. offset + count`` of ``query`` (in its order) and whether any record
    follows them. ``key`` is the primary key attribute; a query with a projection, grouping or
    ``distinct`` is always read inline. A limit on ``query`` is respected.

    >>> read_window.__name__
    'read_window'
    """
    if offset < 0 or count < 1:
        raise OnyxUsageError("read_window needs offset >= 0 and count >= 1")
    spec = query.spec
    end = offset + count + 1
    if spec.limit is not None:
        end = min(end, spec.limit)
    if end <= offset:
        return [], False
    scan_size = min(end, MAX_PAGE_SIZE)
    inline = (
        offset <= inline_skip
        or spec.fields is not None
        or bool(spec.group_by)
        or spec.distinct
        or spec.table in (None, "ALL")
    )
    if inline:
        window = _take(query.limit(end).page_size(scan_size), offset, end)
        return window[:count], len(window) > count
    rows = _take(query.select(key).limit(end).page_size(scan_size), offset, end)
    keys = [row.get(key) for row in rows]
    more = len(keys) > count
    keys = keys[:count]
    if not keys:
        return [], False
    records = query.where(in_op(key, keys)).limit(len(keys)).page_size(min(len(keys), 1000))
    position = {value: index for index, value in enumerate(keys)}

    def place(record: Any) -> int:
        value = record.get(key) if isinstance(record, dict) else getattr(record, key, None)
        return position.get(value, len(position))

    return sorted(records, key=place), more
