"""Request recording: every HTTP exchange of every client, as data, for tests and tooling.

Recording is off unless something listens, and then costs one tuple check per request::

    from onyx_database import record_requests

    with record_requests() as recorded:
        db.from_table("User").limit(5).list()
    [(r.method, r.path, r.table, r.status) for r in recorded]
    # [('PUT', '/data/{db}/query/User', 'User', 200)]

A :class:`RecordedRequest` never holds credentials, bodies or query strings: the path is a template
(the database id becomes ``{db}``), redacted like the log lines. Framework adapters build on
:func:`add_request_listener` (Django's ``assertNumOnyxRequests``, Flask's request signals).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ._listeners import Listeners

__all__ = [
    "RecordedRequest",
    "RequestRecorder",
    "add_request_listener",
    "record_requests",
]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One HTTP exchange: ``method``, templated ``path`` (``/data/{db}/query/User``), the
    ``table`` it concerns (or ``None``), ``status`` (``None`` when no response came back),
    ``duration`` in seconds, the server's ``request_id`` header when it sends one, ``records``
    (how many records a query page carried, else ``None``), ``database_id`` and
    ``response_bytes`` (the size of the response body)."""

    method: str
    path: str
    table: str | None
    status: int | None
    duration: float
    request_id: str | None = None
    records: int | None = None
    database_id: str = ""
    response_bytes: int = 0

    @property
    def operation(self) -> str:
        """What the request did, named after the SDK call: ``query``, ``count``, ``update``,
        ``delete`` (by query), ``stream``, ``save`` (a cascade save too), ``insert``,
        ``find_by_id``, ``delete_by_id``, ``schema``, ``secret``, ``document``, else the
        method in lower case.

        >>> RecordedRequest("PUT", "/data/{db}/query/count/User", "User", 200, 0.01).operation
        'count'
        >>> RecordedRequest("DELETE", "/data/{db}/User/u1", "User", 200, 0.01).operation
        'delete_by_id'
        """
        return operation_of(self.method, self.path)


RequestListener = Callable[[RecordedRequest], None]

_listeners: Listeners[RequestListener] = Listeners()


def listening() -> bool:
    """Whether any listener is registered (the transport's fast path when none is)."""
    return bool(_listeners)


def add_request_listener(listener: RequestListener) -> Callable[[], None]:
    """Call ``listener(recorded)`` after every HTTP exchange of every client in this process
    (from the thread that made it); returns the function that removes it.

    >>> seen = []
    >>> remove = add_request_listener(seen.append)
    >>> remove()
    """
    return _listeners.add(listener)


def notify(recorded: RecordedRequest) -> None:
    """Hand ``recorded`` to every listener (called by the transports)."""
    for listener in _listeners.items:
        listener(recorded)


class RequestRecorder:
    """The requests recorded inside one :func:`record_requests` block (a thread-safe list).

    ``len(recorder)``, iteration and indexing give :class:`RecordedRequest` items;
    :meth:`count` filters them.
    """

    def __init__(self, database_id: str | None = None) -> None:
        self._database_id = database_id
        self._items: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def __call__(self, recorded: RecordedRequest) -> None:
        if self._database_id is None or recorded.database_id == self._database_id:
            with self._lock:
                self._items.append(recorded)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of what was recorded so far, in order."""
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.requests)

    def __getitem__(self, index: int) -> RecordedRequest:
        return self.requests[index]

    def clear(self) -> None:
        """Forget what was recorded so far."""
        with self._lock:
            self._items.clear()

    def count(self, *, method: str | None = None, table: str | None = None) -> int:
        """How many recorded requests have this ``method`` and/or ``table``."""
        return sum(
            1
            for item in self.requests
            if (method is None or item.method == method) and (table is None or item.table == table)
        )

    def summary(self) -> str:
        """One line per request (``PUT /data/{db}/query/User -> 200``), for assertion messages."""
        return "\n".join(
            f"{item.method} {item.path} -> {item.status if item.status is not None else 'failed'}"
            for item in self.requests
        )

    def __repr__(self) -> str:
        return f"<RequestRecorder {len(self)} requests>"


@contextmanager
def record_requests(*, database_id: str | None = None) -> Iterator[RequestRecorder]:
    """Record every request sent inside the block (by any client, or only those of
    ``database_id``).

    >>> with record_requests() as recorded:
    ...     pass
    >>> len(recorded)
    0
    """
    recorder = RequestRecorder(database_id)
    remove = add_request_listener(recorder)
    try:
        yield recorder
    finally:
        remove()


_QUERY_VERBS = frozenset({"count", "update", "delete", "stream"})


def describe_path(path: tuple[str, ...], database_id: str) -> tuple[str, str | None]:
    """The templated path and the table of a request path.

    >>> describe_path(("data", "db1", "query", "count", "User"), "db1")
    ('/data/{db}/query/count/User', 'User')
    >>> describe_path(("data", "db1", "User", "u1"), "db1")
    ('/data/{db}/User/u1', 'User')
    """
    segments = ["{db}" if database_id and segment == database_id else segment for segment in path]
    table: str | None = None
    if len(path) >= 3 and path[0] == "data":
        table = path[2]
        if table == "query" and len(path) >= 4:
            table = path[4] if path[3] in _QUERY_VERBS and len(path) >= 5 else path[3]
    return "/" + "/".join(segments), table


_ENTITY_OPERATIONS = {
    "PUT": "save",
    "POST": "insert",
    "GET": "find_by_id",
    "DELETE": "delete_by_id",
}


def operation_of(method: str, path: str) -> str:
    """The operation of a request from its method and templated path (see
    :attr:`RecordedRequest.operation`).

    >>> operation_of("PUT", "/data/{db}/query/User"), operation_of("POST", "/data/{db}/User")
    ('query', 'insert')
    >>> operation_of("DELETE", "/data/{db}/query/delete/User"), operation_of("GET", "/x")
    ('delete', 'get')
    """
    segments = path.strip("/").split("/")
    if segments[0] == "schemas":
        return "schema"
    if segments[0] == "database" and "secret" in segments:
        return "secret"
    if segments[0] != "data" or len(segments) < 3:
        return method.lower()
    if segments[2] == "query":
        return segments[3] if len(segments) >= 5 and segments[3] in _QUERY_VERBS else "query"
    if segments[2] == "document":
        return "document"
    if len(segments) == 4 and segments[3] == "fenced":
        return "insert"
    if len(segments) == 3 and method in ("PUT", "POST"):
        return _ENTITY_OPERATIONS[method]
    if len(segments) == 4 and method in ("GET", "DELETE"):
        return _ENTITY_OPERATIONS[method]
    return method.lower()


def page_records(body: Any) -> int | None:
    """How many records a decoded query page holds (``None`` when it is not a page)."""
    if isinstance(body, dict) and isinstance(body.get("records"), list):
        return len(body["records"])
    if isinstance(body, list):
        return len(body)
    return None
