"""OpenTelemetry spans for Onyx requests: one ``CLIENT`` span per HTTP exchange of every client.

Needs the ``otel`` extra (``pip install 'onyx-py[otel]'``, which brings ``opentelemetry-api``);
export the spans with whatever OpenTelemetry SDK setup the application already has::

    import onyx_database.otel

    onyx_database.otel.instrument()          # the global tracer provider
    db.from_table("User").limit(5).list()    # span "query User"
    onyx_database.otel.uninstrument()

A span is named ``"{operation} {table}"`` and carries only ``db.system.name`` (``onyx``),
``db.collection.name`` (the table), ``db.operation.name`` (``query``, ``count``, ``save``,
``insert``, ``find_by_id``, ``delete_by_id``, ``update``, ``delete`` ...; see
:attr:`~onyx_database.RecordedRequest.operation`), ``http.request.method``,
``http.response.status_code``, ``onyx.request_id`` (the server's ``x-request-id``),
``onyx.records`` (records on a query page) and ``http.response.body.size``. Never a path, a record
id, a query value, a body, a header, the database id or a credential. A failed exchange (no answer,
or a status of 400 and above, except the 404 of a ``find_by_id`` that finds nothing, which the SDK
answers with ``None``) sets the span's status to ``ERROR`` and ``error.type``.

Spans are built from the request listeners (:func:`~onyx_database.add_request_listener`), called
in the thread (or task) that sent the request right after the answer: the span's parent is the
span current there (a Flask or Django request span, for instance), its start is the answer's time
minus the exchange's duration. Works the same for the sync and the async client, and for Flask
and Django alike (see ``docs/observability.md``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from ._recording import RecordedRequest, add_request_listener

__all__ = ["instrument", "is_instrumented", "uninstrument"]

_lock = threading.Lock()
_remove: Callable[[], None] | None = None


def _trace_api() -> Any:
    try:
        from opentelemetry import trace
    except ImportError as exc:  # the optional extra is not installed
        raise ImportError(
            "onyx_database.otel needs opentelemetry-api: pip install 'onyx-py[otel]'"
        ) from exc
    return trace


def instrument(tracer_provider: Any = None) -> None:
    """Start emitting one span per Onyx request, through ``tracer_provider`` (default: the
    global one). Calling it again replaces the provider; :func:`uninstrument` stops it.

    >>> instrument(); is_instrumented()
    True
    >>> uninstrument(); is_instrumented()
    False
    """
    global _remove
    trace = _trace_api()
    from . import __version__

    tracer = trace.get_tracer("onyx_database", __version__, tracer_provider=tracer_provider)
    listener = _SpanListener(tracer, trace)
    with _lock:
        if _remove is not None:
            _remove()
        _remove = add_request_listener(listener)


def uninstrument() -> None:
    """Stop emitting spans (idempotent)."""
    global _remove
    with _lock:
        remove, _remove = _remove, None
    if remove is not None:
        remove()


def is_instrumented() -> bool:
    """Whether :func:`instrument` is in effect."""
    return _remove is not None


class _SpanListener:
    """Turns a :class:`~onyx_database.RecordedRequest` into a finished span."""

    def __init__(self, tracer: Any, trace: Any) -> None:
        self._tracer = tracer
        self._kind = trace.SpanKind.CLIENT
        self._error = trace.Status(trace.StatusCode.ERROR)

    def __call__(self, recorded: RecordedRequest) -> None:
        end = time.time_ns()
        start = end - int(recorded.duration * 1_000_000_000)
        operation = recorded.operation
        name = (
            f"{operation} {recorded.table}"
            if recorded.table not in (None, operation)
            else operation
        )
        span = self._tracer.start_span(
            name, kind=self._kind, start_time=start, attributes=span_attributes(recorded)
        )
        if _failed(recorded, operation):
            span.set_attribute(
                "error.type", "no_response" if recorded.status is None else str(recorded.status)
            )
            span.set_status(self._error)
        span.end(end_time=end)


def _failed(recorded: RecordedRequest, operation: str) -> bool:
    if recorded.status is None:
        return True
    # find_by_id answers a missing record with 404 and the SDK returns None: not a failure
    return recorded.status >= 400 and not (recorded.status == 404 and operation == "find_by_id")


def span_attributes(recorded: RecordedRequest) -> dict[str, str | int]:
    """The attributes of the span of ``recorded`` (nothing secret, no path, no value).

    >>> span_attributes(RecordedRequest("PUT", "/data/{db}/query/User", "User", 200, 0.1,
    ...                                 request_id="r1", records=2, response_bytes=90))
    ... # doctest: +NORMALIZE_WHITESPACE
    {'db.system.name': 'onyx', 'db.operation.name': 'query', 'http.request.method': 'PUT',
     'http.response.body.size': 90, 'db.collection.name': 'User',
     'http.response.status_code': 200, 'onyx.request_id': 'r1', 'onyx.records': 2}
    """
    attributes: dict[str, str | int] = {
        "db.system.name": "onyx",
        "db.operation.name": recorded.operation,
        "http.request.method": recorded.method,
        "http.response.body.size": recorded.response_bytes,
    }
    if recorded.table:
        attributes["db.collection.name"] = recorded.table
    if recorded.status is not None:
        attributes["http.response.status_code"] = recorded.status
    if recorded.request_id:
        attributes["onyx.request_id"] = recorded.request_id
    if recorded.records is not None:
        attributes["onyx.records"] = recorded.records
    return attributes
