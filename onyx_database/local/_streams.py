"""Live query streams: ``PUT /data/{db}/query/stream/{table}``.

A stream subscribes to the change bus *before* it reads the initial results, so no committed
write falls between the two. It then writes one line (NDJSON) or one value (MessagePack) per event:

- ``QUERY_RESPONSE`` for each current match when ``includeQueryResults=true``;
- with ``keepAlive=true``: ``CREATE`` / ``UPDATE`` / ``DELETE`` for changes that match the query's
  conditions and partition, and ``KEEP_ALIVE`` every ``keep_alive_interval`` seconds;
- a final ``ERROR`` line (``STREAM_OVERFLOW``) when the consumer is too slow to keep its bounded
  buffer from overflowing; the stream then ends and unsubscribes, so memory stays bounded.

Which change becomes which event (engine section 10): an insert that matches is a CREATE; an
update that matches now is an UPDATE; an update of a record that matched before and no longer does
is a DELETE; a delete of a matching record is a DELETE. Events keep the table's commit order.

Client disconnects (ASGI ``http.disconnect``), server shutdown and the test faults end streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import msgpack
import orjson

from ._budget import QueryBudget, run_within
from ._changes import ChangeBus, ChangeEvent, Subscription
from ._engine import Query, criteria, matches, partition_shortcut
from ._errors import ApiError
from ._executor import Executor
from ._handlers import Context
from ._schema import Entity
from ._storage import partition_of

__all__ = ["StreamHub", "serve_stream"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

NDJSON = "application/x-ndjson"
MSGPACK = "application/vnd.msgpack"


class _Open:
    """One open stream, poked from any thread through its event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.wake = asyncio.Event()
        self.ending = False  # end cleanly (shutdown, disconnect)
        self.cut = False  # abort the connection (fault injection)

    def poke(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self.loop.call_soon_threadsafe(self.wake.set)

    def end(self) -> None:
        self.ending = True
        self.poke()

    def abort(self) -> None:
        self.cut = True
        self.poke()


class StreamHub:
    """The open streams of one server and their settings.

    ``keep_alive_interval`` is the seconds between ``KEEP_ALIVE`` lines, ``buffer_size`` the
    events one subscriber may have pending before it is cut off as too slow.
    """

    def __init__(self, *, keep_alive_interval: float = 15.0, buffer_size: int = 10_000) -> None:
        if keep_alive_interval <= 0:
            raise ValueError("keep_alive_interval must be > 0")
        if buffer_size < 1:
            raise ValueError("buffer_size must be >= 1")
        self.keep_alive_interval = keep_alive_interval
        self.buffer_size = buffer_size
        self.close_immediately = False
        self._lock = threading.Lock()
        self._open: set[_Open] = set()
        self._closing = False
        self.connections = 0

    @property
    def open_count(self) -> int:
        """Streams currently open."""
        with self._lock:
            return len(self._open)

    def _add(self, stream: _Open) -> bool:
        with self._lock:
            self.connections += 1
            if self._closing:
                return False
            self._open.add(stream)
            return True

    def _remove(self, stream: _Open) -> None:
        with self._lock:
            self._open.discard(stream)

    def reopen(self) -> None:
        """Accept streams again (after :meth:`end_all` when the server restarts)."""
        with self._lock:
            self._closing = False

    def end_all(self) -> None:
        """End every open stream cleanly and refuse new ones (server shutdown)."""
        with self._lock:
            self._closing = True
            streams = list(self._open)
        for stream in streams:
            stream.end()

    def cut_all(self) -> int:
        """Abort every open stream's connection without a clean end; returns how many."""
        with self._lock:
            streams = list(self._open)
        for stream in streams:
            stream.abort()
        return len(streams)


@dataclass(frozen=True)
class _Filter:
    """Turns committed changes into the events one stream should see."""

    entity: Entity
    query: Query
    executor: Executor

    def _scope(self) -> str | None:
        if not self.entity.partition:
            return None
        if self.query.partition is not None:
            return self.query.partition
        return partition_shortcut(self.entity, self.query.conditions)

    def needs_reads(self) -> bool:
        """Whether matching reads the database (conditions on resolvers) or runs regular
        expressions (time-limited, but never on the event loop)."""
        return any(
            (c.path and c.path[0] in self.entity.resolvers) or c.operator.endswith("MATCHES")
            for c in criteria(self.query.conditions)
        )

    def _matches(self, record: dict[str, Any] | None, partition: str) -> bool:
        if record is None:
            return False
        scope = self._scope()
        if scope is not None and partition != scope:
            return False
        names = [
            c.path[0]
            for c in criteria(self.query.conditions)
            if c.path and c.path[0] in self.entity.resolvers
        ]
        if names:
            record = dict(record)
            for name in dict.fromkeys(names):
                record[name] = self.executor.resolve(self.entity, record, name)
        try:
            return matches(self.query.conditions)(record)
        except ApiError:  # incomparable values: not a match for this stream
            return False

    def events(self, changes: list[ChangeEvent]) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        for change in changes:
            if change.table != self.entity.name:
                continue
            now = self._matches(change.record, change.partition)
            if change.action == "CREATE":
                if now:
                    out.append(("CREATE", change.entity))
            elif change.action == "UPDATE":
                previous = change.previous_record
                before = previous is not None and self._matches(
                    previous, partition_of(self.entity, previous)
                )
                if now:
                    out.append(("UPDATE", change.entity))
                elif before:
                    out.append(("DELETE", change.entity))
            elif now:
                out.append(("DELETE", change.entity))
        return out


def _flag(query: dict[str, str], name: str) -> bool:
    return query.get(name, "").strip().lower() == "true"


class _Writer:
    """Encodes events in the negotiated format."""

    def __init__(self, packed: bool) -> None:
        self.packed = packed
        self.content_type = MSGPACK if packed else NDJSON

    def line(self, action: str, entity: Any, **extra: Any) -> bytes:
        value = {"action": action, "entity": entity, **extra}
        if self.packed:
            return bytes(msgpack.packb(value, use_bin_type=True))
        return orjson.dumps(value) + b"\n"


class _Initial:
    """The current matches of a stream's query, read a page at a time (keyset paging, so memory
    stays bounded and nothing that exists throughout is sent twice or skipped)."""

    CHUNK = 500

    def __init__(self, executor: Executor, entity: Entity, query: Query) -> None:
        self._executor = executor
        self._entity = entity
        self._query = query
        self._state: dict[str, Any] | None = None
        self._done = False
        self.pending: list[Any] = []

    def next(self) -> list[Any]:
        """The next chunk of records; empty when every match was returned."""
        if self._done:
            return []
        if not self._executor.keyset(self._entity, self._query):
            self._done = True  # a shape computed whole: one chunk
            return self._executor.select(self._entity, self._query, limited=True)
        rows, self._state, _ = self._executor.page(
            self._entity, self._query, self.CHUNK, self._state, total=False
        )
        self._done = self._state is None
        return rows


def _prepare(ctx: Context, include: bool) -> tuple[_Filter, _Initial | None]:
    entity = ctx.entity()
    storage = ctx.services.storage
    executor = Executor(storage.schema, storage)
    query = executor.parse(entity, ctx.body, ctx.query.get("partition"))
    initial = _Initial(executor, entity, query) if include else None
    if initial is not None:
        first = initial.next()  # errors surface as a status code, before any byte is sent
        initial.pending = first
    return _Filter(entity, query, executor), initial


async def serve_stream(
    ctx: Context,
    bus: ChangeBus,
    hub: StreamHub,
    receive: Receive,
    send: Send,
    *,
    packed: bool,
    abort: Callable[[Send], Awaitable[None]],
    budget: QueryBudget | None = None,
    request_id: bytes = b"",
) -> None:
    """Serve one stream; raises :class:`ApiError` (before any byte is sent) for a bad request.

    ``budget`` bounds the initial query (``includeQueryResults``) like any other query;
    ``request_id`` is answered as the ``x-request-id`` header."""
    include = _flag(ctx.query, "includeQueryResults")
    keep_alive = _flag(ctx.query, "keepAlive")
    ctx.entity()  # 404 before subscribing
    stream = _Open(asyncio.get_running_loop())
    subscription: Subscription | None = None

    def notify() -> None:
        if subscription is not None and subscription.overflowed:
            bus.unsubscribe(subscription)  # stop queueing at once: memory stays bounded
        stream.poke()

    if keep_alive:
        subscription = bus.subscribe(ctx.params["table"], maxsize=hub.buffer_size, notify=notify)
    try:
        try:
            budget = budget if budget is not None else QueryBudget(None)
            stream_filter, initial = await anyio.to_thread.run_sync(
                run_within, budget, _prepare, ctx, include
            )
        except BaseException:
            if subscription is not None:
                bus.unsubscribe(subscription)
            raise
        writer = _Writer(packed)
        headers = [(b"content-type", writer.content_type.encode()), (b"cache-control", b"no-cache")]
        if request_id:
            headers.append((b"x-request-id", request_id))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        accepted = hub._add(stream)
        if not accepted or hub.close_immediately:
            hub._remove(stream)
            await send({"type": "http.response.body", "body": b""})
            return
        watcher = asyncio.ensure_future(_watch_disconnect(receive, stream))
        try:
            matching = QueryBudget(None, budget.regex_seconds)  # per-match limit, no deadline
            await _pump(
                stream, stream_filter, subscription, initial, writer, hub, send, abort, matching
            )
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            hub._remove(stream)
    finally:
        if subscription is not None:
            bus.unsubscribe(subscription)


async def _watch_disconnect(receive: Receive, stream: _Open) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            stream.end()
            return


async def _pump(
    stream: _Open,
    stream_filter: _Filter,
    subscription: Subscription | None,
    initial: _Initial | None,
    writer: _Writer,
    hub: StreamHub,
    send: Send,
    abort: Callable[[Send], Awaitable[None]],
    matching: QueryBudget,
) -> None:
    async def body(chunk: bytes) -> None:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})

    if writer.packed:
        await body(msgpack.packb(None))  # the flush sentinel clients skip
    if initial is not None:
        chunk = initial.pending
        while chunk:
            for start in range(0, len(chunk), _Initial.CHUNK):
                piece = chunk[start : start + _Initial.CHUNK]
                await body(b"".join(writer.line("QUERY_RESPONSE", r) for r in piece))
            chunk = await anyio.to_thread.run_sync(initial.next)
    if subscription is None:
        await send({"type": "http.response.body", "body": b""})
        return
    interval = hub.keep_alive_interval
    next_beat = time.monotonic() + interval
    reads = stream_filter.needs_reads()
    while True:
        if stream.cut:
            await abort(send)
            return
        if stream.ending:
            break
        if subscription.overflowed:
            error = {
                "message": f"consumer too slow: more than {subscription.maxsize} events pending",
                "code": "STREAM_OVERFLOW",
            }
            await body(writer.line("ERROR", None, error=error))
            break
        changes = subscription.drain()
        if changes:
            if reads:
                events = await anyio.to_thread.run_sync(
                    run_within, matching, stream_filter.events, changes
                )
            else:
                events = stream_filter.events(changes)
            if events:
                await body(b"".join(writer.line(action, entity) for action, entity in events))
            continue
        now = time.monotonic()
        if now >= next_beat:
            await body(writer.line("KEEP_ALIVE", None))
            next_beat = now + interval
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stream.wake.wait(), next_beat - now)
        stream.wake.clear()
    await send({"type": "http.response.body", "body": b""})
