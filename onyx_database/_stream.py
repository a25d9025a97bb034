"""Live query streams: the sync and async drivers of :func:`~._stream_protocol.stream_flow`.

- Sync: :class:`EventIterator` (``for event in query.events()``) and :class:`StreamHandle`
  (``query.on_item_added(fn).stream()``: a background thread running the callbacks).
- Async: :class:`AsyncEventStream` (``async with query.events() as events``) and
  :class:`AsyncStreamHandle` (``await query.stream()``: an asyncio task, no threads).

The names mean the same in both clients: ``stream()`` runs the callbacks and returns a handle,
``events()`` is an iterator. Both drivers run the same pure flow with the loop of
:func:`~._flows.drive` / :func:`~._flows.adrive`, performing its effects (connect, read a chunk,
wait), so the reconnect policy and the decoding exist once.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import threading
import time
from collections.abc import AsyncGenerator, Generator, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    aclosing,
    closing,
    contextmanager,
)
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio

from ._async_transport import AsyncStreamConnection, AsyncTransport
from ._config import ResolvedConfig
from ._errors import OnyxDecodeError, OnyxUsageError
from ._flows import adrive, drive
from ._handle_dict import CancelDict
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
from ._transport import CallOptions, _TransportCore

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

    def log_step(self, step: Connect | Wait, transport: _TransportCore) -> None:
        if isinstance(step, Connect):
            self.log("onyx stream connect #%d %s", step.attempt, self.request.path[-1])
        else:
            reason = transport.redactor.text(step.reason)
            self.log("onyx stream reconnect in %.3f s after %s", step.seconds, reason)

    def typed(self, event: StreamEvent[Any]) -> StreamEvent[Any]:
        """The event with its entity as a model instance when the query is on a model class."""
        self.log("onyx stream event %s", event.action)
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
        return StreamEvent._decoded(event.action, entity)


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


class _Cancelled(BaseException):
    """The consumer cancelled a sync stream: unwinds the driver without reaching the flow."""


class _SyncLink:
    """Performs the effects of a sync stream's flow on one connection at a time."""

    def __init__(
        self, setup: StreamSetup, transport: SyncTransport, options: CallOptions, control: _Control
    ) -> None:
        self.setup, self.transport, self.options, self.control = setup, transport, options, control
        self.connection: StreamConnection | None = None

    def drop(self) -> None:
        if self.connection is not None:
            self.control.attach(None)
            self.connection.close()
            self.connection = None

    def perform(self, step: Any) -> Any:
        if self.control.cancelled.is_set():
            raise _Cancelled
        try:
            if isinstance(step, Read):
                assert self.connection is not None
                return self.connection.read()
            self.drop()
            self.setup.log_step(step, self.transport)
            if isinstance(step, Connect):
                self.connection = self.transport.open_stream(
                    self.setup.request, self.options, read_timeout=self.setup.idle_timeout
                )
                self.control.attach(self.connection)
                return self.connection.content_type
            if self.control.cancelled.wait(step.seconds):
                raise _Cancelled
            return None
        except Exception:
            if self.control.cancelled.is_set():
                raise _Cancelled from None
            raise


def _sync_events(
    setup: StreamSetup, transport: SyncTransport, options: CallOptions, control: _Control
) -> Generator[StreamEvent[Any], None, None]:
    link = _SyncLink(setup, transport, options, control)
    try:
        with closing(drive(setup.flow(), link.perform)) as values:
            for value in values:
                if control.cancelled.is_set():
                    return
                yield setup.typed(value)
    except _Cancelled:
        return
    finally:
        link.drop()


class EventIterator(AbstractContextManager["EventIterator[T]", None], Generic[T]):
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

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self._control.cancel()


class _Handle(CancelDict):
    """What both callback-stream handles share: the setup, why the stream stopped, its report;
    and the official SDK's handle dict (``handle["cancel"]()``)."""

    _setup: StreamSetup
    _error: BaseException | None = None

    @property
    def error(self) -> BaseException | None:
        """The error that stopped the stream, if one did."""
        return self._error

    @property
    def is_running(self) -> bool:
        raise NotImplementedError

    def _stopped(self, exc: Exception) -> Any:
        """Record ``exc`` as what stopped the stream and call ``on_error`` with it (log it when
        there is none); returns what ``on_error`` returned."""
        self._error = exc
        self._setup.log("onyx stream stopped by %s: %s", type(exc).__name__, exc)
        if self._setup.listeners.on_error is None:
            logger.error("onyx stream stopped: %s", exc)
            return None
        return self._setup.listeners.on_error(exc)

    def __repr__(self) -> str:
        state = "running" if self.is_running else "stopped"
        return f"<{type(self).__name__} {self._setup.request.path[-1]} {state}>"


@contextmanager
def _on_error_guard() -> Iterator[None]:
    """An ``on_error`` callback that raises is logged: it cannot stop what already stopped."""
    try:
        yield
    except Exception:
        logger.exception("the on_error callback of an onyx stream raised")


def _sync_result(result: object, message: str) -> None:
    """A sync stream cannot run a coroutine a callback returned: close it and say so."""
    if inspect.iscoroutine(result):
        result.close()
        raise OnyxUsageError(message)


async def _awaited(result: object) -> None:
    if inspect.isawaitable(result):
        await result


class StreamHandle(_Handle, AbstractContextManager["StreamHandle", None]):
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
        self._thread = threading.Thread(target=self._main, name="onyx-stream", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            for event in self._events:
                for callback, args in self._setup.listeners.calls(event):
                    _sync_result(callback(*args), "async callbacks need the async client")
        except Exception as exc:
            if not self._control.cancelled.is_set():
                with _on_error_guard():
                    _sync_result(self._stopped(exc), "on_error of a sync stream must not be async")
        finally:
            self._events.close()

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

    def __exit__(self, *exc_info: object) -> None:
        self.cancel()
        self.join(5)


# -- async -----------------------------------------------------------------------------------------


class _AsyncLink:
    """Performs the effects of an async stream's flow on one connection at a time."""

    def __init__(self, setup: StreamSetup, transport: AsyncTransport, options: CallOptions) -> None:
        self.setup, self.transport, self.options = setup, transport, options
        self.connection: AsyncStreamConnection | None = None

    async def drop(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            with anyio.CancelScope(shield=True):
                await connection.aclose()

    async def perform(self, step: Any) -> Any:
        if isinstance(step, Read):
            assert self.connection is not None
            return await self.connection.read()
        await self.drop()
        self.setup.log_step(step, self.transport)
        if isinstance(step, Connect):
            self.connection = await self.transport.open_stream(
                self.setup.request, self.options, read_timeout=self.setup.idle_timeout
            )
            return self.connection.content_type
        await anyio.sleep(step.seconds)
        return None


async def _async_events(
    setup: StreamSetup, transport: AsyncTransport, options: CallOptions
) -> AsyncGenerator[StreamEvent[Any], None]:
    link = _AsyncLink(setup, transport, options)
    try:
        async with aclosing(adrive(setup.flow(), link.perform)) as values:
            async for value in values:
                yield setup.typed(value)
    finally:
        await link.drop()


class AsyncEventStream(AbstractAsyncContextManager["AsyncEventStream[T]", None], Generic[T]):
    """``async with query.events() as events: async for event in events:`` — typed events,
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

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class AsyncStreamHandle(_Handle, AbstractAsyncContextManager["AsyncStreamHandle", None]):
    """A running callback stream on the event loop (a task; callbacks may be ``async def``).

    ``cancel()`` stops it at once; ``await handle.join()`` waits for the end; ``error`` holds
    what stopped it. A callback that raises stops the stream (``on_error``, ``error``; no
    reconnect). ``async with await query.stream() as handle:`` cancels on exit.
    """

    def __init__(self, setup: StreamSetup, transport: AsyncTransport, options: CallOptions) -> None:
        self._setup = setup
        self._events = _async_events(setup, transport, options)
        self._task = asyncio.get_running_loop().create_task(self._main(), name="onyx-stream")

    async def _main(self) -> None:
        try:
            async for event in self._events:
                for callback, args in self._setup.listeners.calls(event):
                    await _awaited(callback(*args))
        except Exception as exc:
            with _on_error_guard():
                await _awaited(self._stopped(exc))
        finally:
            await self._events.aclose()

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

    async def __aexit__(self, *exc_info: object) -> None:
        self.cancel()
        await self.join(5)
