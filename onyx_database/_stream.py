"""Live query streams: the sync and async drivers of :func:`~._stream_protocol.stream_flow`.

- Sync: :class:`EventIterator` (``for event in query.events()``) and :class:`StreamHandle`
  (``query.on_item_added(fn).stream()``: a background thread running the callbacks).
- Async: :class:`AsyncEventStream` (``async with query.stream() as events``) and
  :class:`AsyncStreamHandle` (``await query.stream_callbacks()``: a task, no threads).

Both drivers perform the same effects (connect, read a chunk, wait) for the same pure flow, so
the reconnect policy and the decoding exist once.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import threading
import time
from collections.abc import AsyncGenerator, Generator, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar

from ._async_transport import AsyncStreamConnection, AsyncTransport
from ._config import ResolvedConfig
from ._errors import OnyxDecodeError, OnyxUsageError
from ._flows import Emit
from ._query import BaseQueryBuilder, QuerySpec, decode_records
from ._request import Request
from ._stream_protocol import (
    DELETE,
    Connect,
    Read,
    ReconnectPolicy,
    StreamEvent,
    StreamListeners,
    Wait,
    stream_debug_enabled,
    stream_flow,
)
from ._sync_transport import StreamConnection, SyncTransport
from ._transport import CallOptions

__all__ = [
    "AsyncEventStream",
    "AsyncStreamHandle",
    "EventIterator",
    "StreamHandle",
    "StreamSetup",
]

T = TypeVar("T")

logger = logging.getLogger("onyx_database.stream")

DEFAULT_IDLE_TIMEOUT = 120.0
"""Seconds of silence (no line, no keep-alive) after which a stream reconnects."""


@dataclass(frozen=True, slots=True)
class StreamSetup:
    """Everything one stream needs, fixed when it starts."""

    request: Request
    spec: QuerySpec
    keep_alive: bool
    policy: ReconnectPolicy
    idle_timeout: float | None
    listeners: StreamListeners
    debug: bool

    @staticmethod
    def make(
        request: Request,
        spec: QuerySpec,
        *,
        keep_alive: bool,
        reconnect: ReconnectPolicy | None,
        idle_timeout: float | None,
        debug: bool,
    ) -> StreamSetup:
        if reconnect is not None and not isinstance(reconnect, ReconnectPolicy):
            raise OnyxUsageError("reconnect must be a ReconnectPolicy")
        if idle_timeout is not None and idle_timeout <= 0:
            raise OnyxUsageError("idle_timeout must be > 0 or None")
        return StreamSetup(
            request,
            spec,
            keep_alive,
            reconnect or ReconnectPolicy(),
            idle_timeout,
            spec.listeners or StreamListeners(),
            debug or stream_debug_enabled(),
        )

    @staticmethod
    def for_builder(
        builder: BaseQueryBuilder[Any],
        config: ResolvedConfig,
        include_query_results: bool,
        keep_alive: bool,
        reconnect: ReconnectPolicy | None,
        idle_timeout: float | None,
    ) -> StreamSetup:
        """The setup of a stream of ``builder``'s query (shared by the sync and async builders)."""
        request = builder._stream_request(
            include_query_results=include_query_results,
            keep_alive=keep_alive,
            msgpack=config.wire_format == "msgpack",
        )
        return StreamSetup.make(
            request,
            builder.spec,
            keep_alive=keep_alive,
            reconnect=reconnect,
            idle_timeout=idle_timeout,
            debug=config.debug,
        )

    def flow(self) -> Any:
        return stream_flow(
            self.policy, keep_alive=self.keep_alive, random=random.random, clock=time.monotonic
        )

    def log(self, message: str, *args: Any) -> None:
        logger.log(logging.INFO if self.debug else logging.DEBUG, message, *args)

    def typed(self, event: StreamEvent[Any]) -> StreamEvent[Any]:
        """The event with its entity as a model instance when the query is on a model class."""
        if not isinstance(event.entity, dict) or (
            self.spec.model is None and not self.spec.resolver_models
        ):
            return event
        try:
            entity = decode_records(self.spec, [event.entity])[0]
        except OnyxDecodeError:
            if event.action != DELETE:
                raise
            return event  # a DELETE may carry only the key: keep the dict
        return StreamEvent(event.action, entity)


class _Control:
    """Cancellation shared between a sync stream and the thread that cancels it."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self._lock = threading.Lock()
        self._connection: StreamConnection | None = None

    def attach(self, connection: StreamConnection | None) -> None:
        with self._lock:
            self._connection = connection
        if connection is not None and self.cancelled.is_set():
            connection.abort()

    def cancel(self) -> None:
        self.cancelled.set()
        with self._lock:
            connection = self._connection
        if connection is not None:
            connection.abort()


def _sync_events(
    setup: StreamSetup, transport: SyncTransport, options: CallOptions, control: _Control
) -> Generator[StreamEvent[Any], None, None]:
    flow = setup.flow()
    connection: StreamConnection | None = None
    reply: Any = None
    error: Exception | None = None

    def drop() -> None:
        nonlocal connection
        if connection is not None:
            control.attach(None)
            connection.close()
            connection = None

    try:
        while not control.cancelled.is_set():
            try:
                step = flow.send(reply) if error is None else flow.throw(error)
            except StopIteration:
                return
            reply, error = None, None
            if isinstance(step, Emit):
                event = setup.typed(step.value)
                setup.log("onyx stream event %s", event.action)
                yield event
                continue
            try:
                if isinstance(step, Read):
                    assert connection is not None
                    reply = connection.read()
                elif isinstance(step, Connect):
                    drop()
                    setup.log("onyx stream connect #%d %s", step.attempt, setup.request.path[-1])
                    connection = transport.open_stream(
                        setup.request, options, read_timeout=setup.idle_timeout
                    )
                    control.attach(connection)
                    reply = connection.content_type
                elif isinstance(step, Wait):
                    drop()
                    setup.log(
                        "onyx stream reconnect in %.3f s after %s",
                        step.seconds,
                        transport.redactor.text(step.reason),
                    )
                    if control.cancelled.wait(step.seconds):
                        return
            except Exception as exc:
                if control.cancelled.is_set():
                    return
                error = exc
    finally:
        flow.close()
        drop()


class EventIterator(Generic[T]):
    """``for event in query.events():`` — typed :class:`StreamEvent` objects, reconnecting by the
    policy; a terminal error (401, 404, a bad query) is raised from the loop.

    Leaving the loop (``break``, an exception, ``close()``, the ``with`` block) closes the HTTP
    connection. ``cancel()`` may be called from another thread.
    """

    def __init__(self, setup: StreamSetup, transport: SyncTransport, options: CallOptions) -> None:
        self._control = _Control()
        self._events = _sync_events(setup, transport, options, self._control)

    def __iter__(self) -> Iterator[StreamEvent[T]]:
        return self

    def __next__(self) -> StreamEvent[T]:
        return next(self._events)

    def close(self) -> None:
        """Stop and close the connection (from the iterating thread)."""
        self._control.cancel()
        self._events.close()

    def cancel(self) -> None:
        """Stop from any thread: the pending read is unblocked at once and the loop ends."""
        self._control.cancel()

    def __enter__(self) -> EventIterator[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        self._control.cancel()


def _report(listeners: StreamListeners, error: BaseException) -> None:
    if listeners.on_error is None:
        logger.error("onyx stream stopped: %s", error)
        return
    try:
        result = listeners.on_error(error)
        if inspect.iscoroutine(result):
            result.close()
            raise OnyxUsageError("on_error of a sync stream must not be async")
    except Exception:
        logger.exception("the on_error callback of an onyx stream raised")


class StreamHandle:
    """A running callback stream (sync): a background thread reading the connection and calling
    the builder's ``on_item_*`` callbacks in order.

    ``cancel()`` returns within a fraction of a second even on a silent stream; ``join()`` waits
    for the end; ``error`` holds what stopped it (``None`` after a clean end or ``cancel()``).
    A callback that raises stops the stream: the exception goes to ``on_error`` and ``error``,
    and nothing reconnects. ``with query.stream() as handle:`` cancels on exit.
    """

    def __init__(self, setup: StreamSetup, transport: SyncTransport, options: CallOptions) -> None:
        self._setup = setup
        self._control = _Control()
        self._events = _sync_events(setup, transport, options, self._control)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="onyx-stream", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        listeners = self._setup.listeners
        try:
            for event in self._events:
                for callback, args in listeners.calls(event):
                    result = callback(*args)
                    if inspect.iscoroutine(result):
                        result.close()
                        raise OnyxUsageError(
                            "async callbacks need the async client (await query.stream_callbacks())"
                        )
        except Exception as exc:
            if not self._control.cancelled.is_set():
                self._error = exc
                self._setup.log("onyx stream stopped by %s: %s", type(exc).__name__, exc)
                _report(listeners, exc)
        finally:
            self._events.close()

    @property
    def error(self) -> BaseException | None:
        """The error that stopped the stream, if one did."""
        return self._error

    @property
    def is_running(self) -> bool:
        return self._thread.is_alive()

    def cancel(self) -> None:
        """Stop the stream; idempotent, safe from any thread (a callback included)."""
        self._control.cancel()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=0.4)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the stream to end; ``True`` when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __enter__(self) -> StreamHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cancel()
        self.join(5)

    def __repr__(self) -> str:
        state = "running" if self.is_running else "stopped"
        return f"<StreamHandle {self._setup.request.path[-1]} {state}>"


# -- async -----------------------------------------------------------------------------------------


async def _async_events(
    setup: StreamSetup, transport: AsyncTransport, options: CallOptions
) -> AsyncGenerator[StreamEvent[Any], None]:
    flow = setup.flow()
    connection: AsyncStreamConnection | None = None
    reply: Any = None
    error: Exception | None = None

    async def drop() -> None:
        nonlocal connection
        if connection is not None:
            closing, connection = connection, None
            await closing.aclose()

    try:
        while True:
            try:
                step = flow.send(reply) if error is None else flow.throw(error)
            except StopIteration:
                return
            reply, error = None, None
            if isinstance(step, Emit):
                event = setup.typed(step.value)
                setup.log("onyx stream event %s", event.action)
                yield event
                continue
            try:
                if isinstance(step, Read):
                    assert connection is not None
                    reply = await connection.read()
                elif isinstance(step, Connect):
                    await drop()
                    setup.log("onyx stream connect #%d %s", step.attempt, setup.request.path[-1])
                    connection = await transport.open_stream(
                        setup.request, options, read_timeout=setup.idle_timeout
                    )
                    reply = connection.content_type
                elif isinstance(step, Wait):
                    await drop()
                    setup.log(
                        "onyx stream reconnect in %.3f s after %s",
                        step.seconds,
                        transport.redactor.text(step.reason),
                    )
                    await asyncio.sleep(step.seconds)
            except Exception as exc:
                error = exc
    finally:
        flow.close()
        if connection is not None:
            await asyncio.shield(connection.aclose())


class AsyncEventStream(Generic[T]):
    """``async with query.stream() as events: async for event in events:`` — typed events,
    reconnecting by the policy; terminal errors are raised from the loop. Leaving the block (or
    ``await events.aclose()``) closes the connection."""

    def __init__(self, setup: StreamSetup, transport: AsyncTransport, options: CallOptions) -> None:
        self._events = _async_events(setup, transport, options)

    def __aiter__(self) -> AsyncEventStream[T]:
        return self

    async def __anext__(self) -> StreamEvent[T]:
        return await anext(self._events)

    async def aclose(self) -> None:
        await self._events.aclose()

    async def __aenter__(self) -> AsyncEventStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncStreamHandle:
    """A running callback stream on the event loop (a task; callbacks may be ``async def``).

    ``cancel()`` stops it at once; ``await handle.join()`` waits for the end; ``error`` holds
    what stopped it. A callback that raises stops the stream (``on_error``, ``error``; no
    reconnect). ``async with await query.stream_callbacks() as handle:`` cancels on exit.
    """

    def __init__(self, setup: StreamSetup, transport: AsyncTransport, options: CallOptions) -> None:
        self._setup = setup
        self._events = _async_events(setup, transport, options)
        self._error: BaseException | None = None
        self._task = asyncio.get_running_loop().create_task(self._main(), name="onyx-stream")

    async def _main(self) -> None:
        listeners = self._setup.listeners
        try:
            async for event in self._events:
                for callback, args in listeners.calls(event):
                    result = callback(*args)
                    if inspect.isawaitable(result):
                        await result
        except Exception as exc:
            self._error = exc
            self._setup.log("onyx stream stopped by %s: %s", type(exc).__name__, exc)
            await _areport(listeners, exc)
        finally:
            await self._events.aclose()

    @property
    def error(self) -> BaseException | None:
        return self._error

    @property
    def is_running(self) -> bool:
        return not self._task.done()

    def cancel(self) -> None:
        """Stop the stream now (the connection closes as the task unwinds)."""
        self._task.cancel()

    async def join(self, timeout: float | None = None) -> bool:
        """Wait for the stream to end (or ``timeout`` seconds); ``True`` when it has."""
        done, _ = await asyncio.wait({self._task}, timeout=timeout)
        return bool(done)

    async def __aenter__(self) -> AsyncStreamHandle:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cancel()
        await self.join(5)

    def __repr__(self) -> str:
        state = "running" if self.is_running else "stopped"
        return f"<AsyncStreamHandle {self._setup.request.path[-1]} {state}>"


async def _areport(listeners: StreamListeners, error: BaseException) -> None:
    if listeners.on_error is None:
        logger.error("onyx stream stopped: %s", error)
        return
    try:
        result = listeners.on_error(error)
        if inspect.isawaitable(result):
            await result
    except Exception:
        logger.exception("the on_error callback of an onyx stream raised")
