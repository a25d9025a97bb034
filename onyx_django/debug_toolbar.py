"""A django-debug-toolbar panel listing the Onyx requests of a page.

::

    # settings.py (with django-debug-toolbar installed and configured)
    DEBUG_TOOLBAR_PANELS = [
        *debug_toolbar.settings.PANELS_DEFAULTS,
        "onyx_django.debug_toolbar.OnyxPanel",
    ]

The panel listens to the SDK's request recording (:func:`onyx_database.add_request_listener`)
while the toolbar handles a request, keeping the requests sent by that request's thread: method,
templated path (``/data/{db}/query/User``), table, status, duration, records in a query page,
response size and the server's request id. Recorded requests never hold credentials, bodies or
query strings, so nothing secret reaches the toolbar. Sync views only (``is_async = False``: under
ASGI the toolbar disables the panel, as it does its SQL panel's async gaps).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from debug_toolbar.panels import Panel
from django.utils.html import format_html, format_html_join

from onyx_database import RecordedRequest, add_request_listener

__all__ = ["OnyxPanel"]

_COLUMNS = ("method", "path", "table", "status", "duration_ms", "records", "bytes", "request_id")


class OnyxPanel(Panel):
    """The Onyx requests of the page, in the order they were sent, with their total time."""

    title = "Onyx"
    is_async = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._recorded: list[RecordedRequest] = []
        self._remove: Callable[[], None] | None = None

    def enable_instrumentation(self) -> None:
        if self._remove is not None:
            return
        thread = threading.get_ident()
        recorded = self._recorded

        def listener(request: RecordedRequest) -> None:
            if threading.get_ident() == thread:  # this page's requests, not other threads'
                recorded.append(request)

        self._remove = add_request_listener(listener)

    def disable_instrumentation(self) -> None:
        if self._remove is not None:
            self._remove()
            self._remove = None

    def generate_stats(self, request: Any, response: Any) -> None:
        rows = [
            {
                "method": r.method,
                "path": r.path,
                "table": r.table or "",
                "status": "" if r.status is None else r.status,
                "duration_ms": round(r.duration * 1000, 2),
                "records": "" if r.records is None else r.records,
                "bytes": r.response_bytes,
                "request_id": r.request_id or "",
            }
            for r in self._recorded
        ]
        total = round(sum(float(row["duration_ms"]) for row in rows), 2)
        self.record_stats({"requests": rows, "total_ms": total})  # type: ignore[no-untyped-call]

    @property
    def nav_subtitle(self) -> str:
        stats: dict[str, Any] = self.get_stats()  # type: ignore[no-untyped-call]
        count = len(stats.get("requests", ()))
        return f"{count} request{'' if count == 1 else 's'} in {stats.get('total_ms', 0)} ms"

    @property
    def content(self) -> str:
        stats: dict[str, Any] = self.get_stats()  # type: ignore[no-untyped-call]
        rows = stats.get("requests", [])
        if not rows:
            return "<p>No Onyx requests.</p>"
        head = format_html_join("", "<th>{}</th>", ((name,) for name in _COLUMNS))
        body = format_html_join(
            "",
            "<tr>" + "<td>{}</td>" * len(_COLUMNS) + "</tr>",
            ([row[name] for name in _COLUMNS] for row in rows),
        )
        return str(
            format_html(
                "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
                "<p>{} requests, {} ms in all.</p>",
                head,
                body,
                len(rows),
                stats.get("total_ms", 0),
            )
        )
