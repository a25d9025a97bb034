"""The official SDK's lower-level client methods on :class:`OnyxDatabase` (a mixin).

Generated from ``_async_official.py`` by ``scripts/unasync.py``: edit that file, not this.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._core import count_of
from ._errors import OnyxUsageError
from ._fenced import fenced_delete_request, fenced_save_request, fenced_update_request
from ._query import ALL_TABLES, Page, spec_from_select
from ._request import (
    count_request,
    delete_query_request,
    parse_page,
    query_page_request,
    update_query_request,
)
from ._stream import StreamHandle

if TYPE_CHECKING:
    from ._client import OnyxDatabase

__all__ = ["OfficialClient"]

_HANDLERS = ("on_item_added", "on_item_updated", "on_item_deleted", "on_item")


def _select_body(select: Any, what: str) -> dict[str, Any]:
    if not isinstance(select, Mapping):
        raise OnyxUsageError(f"{what} expects a SelectQuery dict (builder.to_select_query())")
    return dict(select)


class OfficialClient:
    """The official SDK's executor methods, for code that calls them on the client."""

    __slots__ = ()

    def _partition_for(self, table: str, *candidates: Any) -> str | None:
        if table == ALL_TABLES:
            return None
        db: OnyxDatabase = self  # type: ignore[assignment]
        for candidate in candidates:
            if isinstance(candidate, str) and candidate:
                return candidate
        return db.default_partition

    def get_model_for_table(self, table: str) -> type[Any] | None:
        """The class ``init(schema=...)`` maps ``table`` to, or ``None``."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        return db.config.models.get(table)

    def query_page(
        self, table: str, select: Mapping[str, Any], options: Mapping[str, Any] | None = None
    ) -> Page[Any]:
        """One page of a SelectQuery body: ``options`` takes ``pageSize``, ``nextPage`` and
        ``partition``. The page reads as ``{"records", "nextPage"}`` too. Records are dicts."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        body = _select_body(select, "query_page")
        opts = dict(options or {})
        partition = self._partition_for(table, opts.get("partition"), body.get("partition"))
        request = query_page_request(
            db.database_id,
            table,
            body,
            page_size=opts.get("pageSize", opts.get("page_size")),
            next_page=opts.get("nextPage", opts.get("next_page")) or None,
            partition=partition,
        )
        page = parse_page(db._send(request))
        return Page._decoded(page.records, page.next_page)

    def count(self, table: str, select: Mapping[str, Any], partition: str | None = None) -> int:
        """How many records a SelectQuery body matches (``builder.count()`` is the usual way)."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        body = _select_body(select, "count")
        request = count_request(
            db.database_id, table, body, partition=self._partition_for(table, partition)
        )
        return count_of(db._send(request))

    def update(
        self, table: str, update_query: Mapping[str, Any], partition: str | None = None
    ) -> int:
        """Apply an UpdateQuery body; returns how many records changed. Never retried."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        body = _select_body(update_query, "update")
        partition = self._partition_for(table, partition, body.get("partition"))
        request = update_query_request(db.database_id, table, body, partition=partition)
        return count_of(db._send(request))

    def delete_by_query(
        self, table: str, select: Mapping[str, Any], partition: str | None = None
    ) -> int:
        """Delete what a SelectQuery body matches; returns how many. Never retried."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        body = _select_body(select, "delete_by_query")
        request = delete_query_request(
            db.database_id, table, body, partition=self._partition_for(table, partition)
        )
        return count_of(db._send(request))

    def stream(
        self,
        table: str,
        select: Mapping[str, Any],
        include_query_results: bool = True,
        keep_alive: bool = False,
        handlers: Mapping[str, Any] | None = None,
    ) -> StreamHandle:
        """A live stream of a SelectQuery body calling ``handlers`` (``on_item_added``,
        ``on_item_updated``, ``on_item_deleted``, ``on_item``); the handle's ``cancel()`` (or
        ``handle["cancel"]()``) stops it."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        spec = spec_from_select(table, _select_body(select, "stream"))
        builder = db.from_table(table)._with(
            fields=spec.fields,
            conditions=spec.conditions,
            sort=spec.sort,
            limit=spec.limit,
            distinct=spec.distinct,
            group_by=spec.group_by,
            partition=spec.partition,
            resolvers=spec.resolvers,
        )
        for name, callback in (handlers or {}).items():
            if name not in _HANDLERS:
                raise OnyxUsageError(f"unknown stream handler {name!r}; use {', '.join(_HANDLERS)}")
            if callback is not None:
                builder = builder._listen(name, callback)
        return builder.stream(include_query_results, keep_alive)

    def clear(self) -> None:
        """Cancel this client's live streams (the client stays open)."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        for stream in builtins.list(db._transport.live_streams):
            stream.cancel()

    # -- fenced mutations ------------------------------------------------------------------------

    def fenced_save(
        self, table: str, entity_or_entities: Any, *, guard: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Save 1..500 entities only while ``guard`` (``{table, id, partition?, expected}``)
        still matches; ``{"applied": True, "affected": n}``, or :class:`OnyxConflictError` (409)
        when the guard is stale. Never retried."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        answer: dict[str, Any] = db._send(
            fenced_save_request(db.database_id, table, entity_or_entities, guard)
        )
        return answer

    def fenced_delete_where(
        self,
        table: str,
        *,
        partition: str,
        filters: Any,
        guard: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Delete at most 500 rows of ``partition`` matching ``filters`` (a condition) only while
        ``guard`` still matches; call again while ``affected == 500``."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        answer: dict[str, Any] = db._send(
            fenced_delete_request(db.database_id, table, partition, filters, guard)
        )
        return answer

    def fenced_update_where(
        self,
        table: str,
        *,
        partition: str,
        filters: Any,
        updates: Mapping[str, Any],
        guard: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Update the one row ``filters`` pins by id (ANDed criteria, no OR/NOT) only while
        ``guard`` still matches; ``affected`` is 0 or 1."""
        db: OnyxDatabase = self  # type: ignore[assignment]
        answer: dict[str, Any] = db._send(
            fenced_update_request(db.database_id, table, partition, filters, updates, guard)
        )
        return answer
