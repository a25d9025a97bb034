"""The async HTTP transport: a pooled, keep-alive :class:`httpx.AsyncClient` plus the retry loop.

Written by hand; ``_sync_transport.py`` is generated from it by ``scripts/unasync.py``. All the
logic without I/O (headers, logging, error mapping, deadlines) is in :mod:`._transport`; httpx
exceptions are turned into SDK errors outside the ``except`` block that caught them (see there).
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from typing import Any

import anyio
import httpx

from . import _recording
from ._config import ResolvedConfig
from ._errors import OnyxConnectionError, OnyxError, OnyxUsageError
from ._flows import Sleep, adrive, retry_flow
from ._request import RawResponse, Request
from ._transport import (
    _HTTPX_ERRORS,
    CallOptions,
    StreamConnectionBase,
    _Prepared,
    _TransportCore,
)

__all__ = ["AsyncStreamConnection", "AsyncTransport"]


class AsyncTransport(_TransportCore):
    """A pooled, keep-alive :class:`httpx.AsyncClient` plus the retry loop."""

    def __init__(
        self,
        config: ResolvedConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        if http_client is not None and transport is not None:
            raise OnyxUsageError("pass either transport= or http_client=, not both")
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise OnyxUsageError("http_client must be an httpx.AsyncClient (use init for sync)")
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise OnyxUsageError(
                "transport must be an httpx.AsyncBaseTransport such as httpx.AsyncHTTPTransport() "
                "or httpx.MockTransport(handler) (use init for a sync transport)"
            )
        super().__init__(config, owns_client=http_client is None)
        self.client = http_client or httpx.AsyncClient(
            transport=transport,
            timeout=config.request_timeout_seconds,
            follow_redirects=False,
        )

    async def send(self, request: Request, options: CallOptions) -> Any:
        """Send ``request`` (retrying when allowed, within the call's deadline) and return the
        decoded body."""
        prepared = self.prepare(request, options)
        deadline = self.deadline()

        async def perform(effect: Any) -> Any:
            if isinstance(effect, Sleep):
                self.log_sleep(prepared, effect)
                await anyio.sleep(effect.seconds)
                return None
            return await self._send_once(prepared, deadline)

        flow = retry_flow(
            request, self.policy, random.random, deadline=deadline, clock=time.monotonic
        )
        async with aclosing(adrive(flow, perform)) as answers:
            async for raw in answers:
                return self.decode(prepared, raw)
        raise AssertionError("retry_flow ended without an answer")  # pragma: no cover

    async def _send_once(self, prepared: _Prepared, deadline: float | None) -> RawResponse:
        timeout, cut = self.attempt_timeout(prepared, deadline)
        self.before_send(prepared)
        started = time.perf_counter()
        try:
            response = await self.client.send(prepared.build(self.client, timeout))
        except _HTTPX_ERRORS as exc:
            if _recording.listening():
                self.record(prepared, started, None)
            error = self.map_error(prepared, exc, deadline_cut=cut)
        else:
            return self.after_receive(prepared, response, started)
        raise error

    @asynccontextmanager
    async def open_lines(
        self, request: Request, options: CallOptions
    ) -> AsyncIterator[AsyncIterator[str]]:
        """Send ``request`` once (never retried) and give its body as text lines.

        A non-2xx status raises its typed error before any line is read; transport failures while
        reading become :class:`OnyxConnectionError`. The response is closed on exit.
        """
        prepared = self.prepare(request, options)
        response = await self._open(prepared, prepared.timeout)
        try:
            yield _mapped_lines(self, prepared, response.aiter_lines())
        finally:
            with contextlib.suppress(*_HTTPX_ERRORS, OSError):
                await response.aclose()

    async def _open(self, prepared: _Prepared, timeout: Any) -> httpx.Response:
        """Send ``prepared`` and return its open, successful streaming response."""
        self.before_send(prepared)
        started = time.perf_counter()
        try:
            response = await self.client.send(prepared.build(self.client, timeout), stream=True)
        except _HTTPX_ERRORS as exc:
            error: OnyxConnectionError | None = self.map_error(prepared, exc)
        else:
            error = None
        if error is not None:
            raise error
        failure: OnyxError | None = None
        try:
            if not 200 <= response.status_code < 300:
                await response.aread()
                self.stream_failed(prepared, response, started)
        except _HTTPX_ERRORS as exc:
            failure = self.map_error(prepared, exc)
        except BaseException:
            await response.aclose()
            raise
        if failure is not None:
            await response.aclose()
            raise failure
        self.stream_opened(prepared, response, started)
        return response

    async def open_stream(
        self, request: Request, options: CallOptions, *, read_timeout: float | None
    ) -> AsyncStreamConnection:
        """Send ``request`` once and return its open body (a live query stream).

        A non-2xx status raises its typed error; ``read_timeout`` bounds the silence between two
        chunks. The caller closes the connection; ``abort()`` unblocks a pending read at once.
        """
        prepared = self.prepare(request, options)
        timeout = httpx.Timeout(self.config.request_timeout_seconds, read=read_timeout)
        return AsyncStreamConnection(self, prepared, await self._open(prepared, timeout))

    async def aclose(self) -> None:
        """Stop every live stream opened through this pool, then close the pool (only if the
        SDK created it)."""
        if not self.closed:
            for stream in self.stop_streams():
                await stream.join(1.0)
            if self.owns_client:
                await self.client.aclose()


class AsyncStreamConnection(StreamConnectionBase):
    """An open streaming response of an :class:`AsyncTransport`."""

    def __init__(self, core: _TransportCore, prepared: _Prepared, response: httpx.Response) -> None:
        super().__init__(core, prepared, response)
        self._chunks = response.aiter_bytes()

    async def read(self) -> bytes:
        """The next chunk of the body, ``b""`` at its end."""
        try:
            return await anext(self._chunks, b"")
        except _HTTPX_ERRORS as exc:
            error = self._core.map_error(self._prepared, exc)
        raise error

    async def aclose(self) -> None:
        with contextlib.suppress(*_HTTPX_ERRORS, OSError):
            closer = getattr(self._chunks, "aclose", None)
            if closer is not None:
                await closer()
        with contextlib.suppress(*_HTTPX_ERRORS, OSError):
            await self._response.aclose()


async def _mapped_lines(
    core: _TransportCore, prepared: _Prepared, lines: AsyncIterator[str]
) -> AsyncIterator[str]:
    """``lines`` with transport failures turned into SDK errors (raised outside the handler)."""
    while True:
        try:
            line = await anext(lines)
        except StopAsyncIteration:
            return
        except _HTTPX_ERRORS as exc:
            error = core.map_error(prepared, exc)
        else:
            yield line
            continue
        raise error
