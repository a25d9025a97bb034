"""The change-stream bridge: a live query whose changes reach a callback at least once, across
disconnects, server restarts and stream overflows.

A plain live stream (``query.stream()``) delivers what happens while it is connected: what is
written while it reconnects is lost. The bridge closes that gap without any resume support from
the server. Each time its stream (re)connects, it re-reads the query (after the new stream is
subscribed, so nothing falls between the two) and compares the records with what it has seen —
one 8-byte digest per record key — delivering ``CREATE`` for new keys, ``UPDATE`` for changed
records and ``DELETE`` for keys that are gone. The first connection only records the baseline.

So every change committed while the bridge runs reaches ``deliver`` at least once (a change
made during a reconnect may arrive twice: once from the re-read, once live). Intermediate
states during an outage are folded (a record created and updated while away arrives as one
``CREATE`` with its latest state; one created and deleted while away is not seen at all).
Memory is one digest per matching record, bounded by ``max_tracked``::

    from onyx_database import ChangeBridge

    bridge = ChangeBridge(db.from_table("User"), lambda action, record: print(action, record))
    bridge.start()
    ...
    bridge.cancel()

Framework adapters send their signals from ``deliver`` (``onyx_flask``'s ``Onyx.listen``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._errors import OnyxUsageError
from ._serialize import to_wire
from ._stream import DEFAULT_IDLE_TIMEOUT, StreamSetup, _Control, _sync_events
from ._stream_protocol import (
    CREATE,
    DELETE,
    UPDATE,
    OnyxStreamOverflowError,
    ReconnectPolicy,
    is_terminal,
)

if TYPE_CHECKING:
    from ._client import QueryBuilder
    from ._transport import CallOptions, StreamConnection, SyncTransport

__all__ = ["ChangeBridge", "Deliver"]

logger = logging.getLogger("onyx_database.bridge")

Deliver = Callable[[str, Any], None]
"""``deliver(action, record)``: ``action`` is ``"CREATE"``, ``"UPDATE"`` or ``"DELETE"``."""

DEFAULT_MAX_TRACKED = 1_000_000


def _digest(record: Any) -> bytes:
    wire = to_wire(record, "record")
    text = json.dumps(wire, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


class _ResyncingTransport:
    """The client's transport, but every stream it opens is followed by a re-read."""

    def __init__(self, transport: SyncTransport, after_open: Callable[[], None]) -> None:
        self._transport = transport
        self._after_open = after_open

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def open_stream(
        self, request: Any, options: CallOptions, *, read_timeout: float | None
    ) -> StreamConnection:
        connection = self._transport.open_stream(request, options, read_timeout=read_timeout)
        try:
            self._after_open()
        except BaseException:
            connection.close()
            raise
        return connection


class ChangeBridge:
    """Deliver every change of ``query`` to ``deliver(action, record)`` at least once, in a
    background thread (see the module docstring for the guarantee).

    ``key`` is the primary key attribute of the records (``"id"``); ``on_error(error)`` is
    called once when the bridge stops on an error no reconnect can fix (401, an unknown table,
    a ``deliver`` that raised); ``reconnect`` and ``idle_timeout`` are the stream's. A stream
    overflow (``STREAM_OVERFLOW``: the server dropped events) is recovered by reconnecting
    and re-reading, not raised.

    >>> ChangeBridge.__name__
    'ChangeBridge'
    """

    def __init__(
        self,
        query: QueryBuilder[Any],
        deliver: Deliver,
        *,
        key: str = "id",
        on_error: Callable[[BaseException], None] | None = None,
        reconnect: ReconnectPolicy | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        max_tracked: int = DEFAULT_MAX_TRACKED,
        name: str | None = None,
    ) -> None:
        if max_tracked < 1:
            raise OnyxUsageError("max_tracked must be >= 1")
        self._query = query
        self._deliver = deliver
        self._key = key
        self._on_error = on_error
        self._reconnect = reconnect
        self._idle_timeout = idle_timeout
        self._max_tracked = max_tracked
        self._seen: dict[str, bytes] | None = None
        self._control = _Control()
        self._error: BaseException | None = None
        self._connections = 0
        self._replayed = 0
        self._connected = threading.Event()
        table = query.spec.table or "query"
        self._thread = threading.Thread(
            target=self._main, name=name or f"onyx-bridge-{table}", daemon=True
        )

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> ChangeBridge:
        """Start the background thread (once: later calls do nothing); returns ``self``."""
        if self._thread.ident is not None:
            return self
        database = self._query._database
        database._transport.track(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop promptly (closes the open connection). Idempotent; any thread."""
        self._control.cancel()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; ``True`` when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def wait_connected(self, timeout: float | None = None) -> bool:
        """Wait until the first stream is open and the baseline read (``True`` if so)."""
        return self._connected.wait(timeout)

    @property
    def error(self) -> BaseException | None:
        """The error that stopped the bridge, if any."""
        return self._error

    @property
    def is_running(self) -> bool:
        return self._thread.is_alive()

    @property
    def connections(self) -> int:
        """How many times the stream was opened (reconnects included)."""
        return self._connections

    @property
    def replayed(self) -> int:
        """How many changes the re-reads after reconnects delivered (missed while away)."""
        return self._replayed

    def __enter__(self) -> ChangeBridge:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cancel()
        self.join(5)

    def __repr__(self) -> str:
        state = "running" if self.is_running else "stopped"
        return f"<ChangeBridge {self._query.spec.table} {state} connections={self._connections}>"

    # -- the loop ------------------------------------------------------------------------------

    def _key_of(self, record: Any) -> str | None:
        value = (
            record.get(self._key) if isinstance(record, dict) else getattr(record, self._key, None)
        )
        return None if value is None else str(value)

    def _resync(self) -> None:
        """Re-read the query and deliver what changed since the last connection."""
        current: dict[str, tuple[bytes, Any]] = {}
        for record in self._query:
            key = self._key_of(record)
            if key is None:
                raise OnyxUsageError(
                    f"records of {self._query.spec.table} have no {self._key!r}; pass key=..."
                )
            current[key] = (_digest(record), record)
            if len(current) > self._max_tracked:
                raise OnyxUsageError(
                    f"the bridge tracks at most {self._max_tracked} records; narrow the query "
                    "with where() or raise max_tracked"
                )
        seen, first = self._seen, self._seen is None
        self._seen = {key: digest for key, (digest, _) in current.items()}
        self._connections += 1
        if first or seen is None:
            self._connected.set()
            return
        for key, (digest, record) in current.items():
            before = seen.get(key)
            if before is None:
                self._replayed += 1
                self._deliver(CREATE, record)
            elif before != digest:
                self._replayed += 1
                self._deliver(UPDATE, record)
        for key in seen.keys() - current.keys():
            self._replayed += 1
            self._deliver(DELETE, {self._key: key})
        self._connected.set()

    def _events(self) -> Iterator[Any]:
        database = self._query._database
        setup = StreamSetup.for_builder(
            self._query,
            database.config,
            include_query_results=False,
            keep_alive=True,
            reconnect=self._reconnect,
            idle_timeout=self._idle_timeout,
        )
        transport: Any = _ResyncingTransport(database._transport, self._resync)
        return _sync_events(setup, transport, database._call, self._control)

    def _live(self, action: str, record: Any) -> None:
        key = self._key_of(record)
        if self._seen is not None and key is not None:
            if action == DELETE:
                self._seen.pop(key, None)
            else:
                self._seen[key] = _digest(record)
        self._deliver(action, record)

    def _main(self) -> None:
        try:
            while not self._control.cancelled.is_set():
                try:
                    for event in self._events():
                        if event.action in (CREATE, UPDATE, DELETE):
                            self._live(event.action, event.entity)
                    return
                except OnyxStreamOverflowError as exc:
                    # Events were dropped: the next connection's re-read recovers them.
                    logger.warning("onyx bridge: %s; reconnecting and re-reading", exc)
        except BaseException as exc:
            if self._control.cancelled.is_set() and not is_terminal(exc):
                return
            self._error = exc
            logger.error("onyx bridge on %s stopped: %s", self._query.spec.table, exc)
            if self._on_error is not None:
                self._on_error(exc)
