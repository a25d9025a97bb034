"""The sync HTTP transport: a pooled, keep-alive :class:`httpx.Client` plus the retry loop.
Thread-safe.

Generated from ``_async_transport.py`` by ``scripts/unasync.py``: edit that file, not this.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import httpx

from . import _recording
from ._config import ResolvedConfig
from ._errors import OnyxConnectionError, OnyxError, OnyxUsageError
from ._flows import Sleep, drive, retry_flow
from ._request import RawResponse, Request
from ._transport import (
    _HTTPX_ERRORS,
    CallOptions,
    StreamConnectionBase,
    _Prepared,
    _TransportCore,
)

__all__ = ["StreamConnection", "SyncTransport"]


class SyncTransport(_TransportCore):
    """A pooled, keep-alive :class:`httpx.Client` plus the retry loop."""

    def __init__(
        self,
        config: ResolvedConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        if http_client is not None and transport is not None:
            raise OnyxUsageError("pass either transport= or http_client=, not both")
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise OnyxUsageError("http_client must be an httpx.Client (use init_async for async)")
        if transport is not None and not isinstance(transport, httpx.BaseTransport):
            raise OnyxUsageError(
                "transport must be an httpx.BaseTransport such as httpx.HTTPTransport() "
                "or httpx.MockTransport(handler) (use init_async for an async transport)"
            )
        super().__init__(config, owns_client=http_client is None)
        self.client = http_client or httpx.Client(
            transport=transport,
            timeout=config.request_timeout_seconds,
            follow_redirects=False,
        )

    def send(self, request: Request, options: CallOptions) -> Any:
        """Send ``request`` (retrying when allowed, within the call's deadline) and return the
        decoded body."""
        prepared = self.prepare(request, options)
        deadline = self.deadline()

        def perform(effect: Any) -> Any:
            if isinstance(effect, Sleep):
                self.log_sleep(prepared, effect)
                time.sleep(effect.seconds)
                return None
            return self._send_once(prepared, deadline)

        flow = retry_flow(
            request, self.policy, random.random, deadline=deadline, clock=time.monotonic
        )
        with closing(drive(flow, perform)) as answers:
            for raw in answers:
                return self.decode(prepared, raw)
        raise AssertionError("retry_flow ended without an answer")  # pragma: no cover

    def _send_once(self, prepared: _Prepared, deadline: float | None) -> RawResponse:
        timeout, cut = self.attempt_timeout(prepared, deadline)
        self.before_send(prepared)
        started = time.perf_counter()
        try:
            response = self.client.send(prepared.build(self.client, timeout))
        except _HTTPX_ERRORS as exc:
            if _recording.listening():
                self.record(prepared, started, None)
            error = self.map_error(prepared, exc, deadline_cut=cut)
        else:
            return self.after_receive(prepared, response, started)
        raise error

    @contextmanager
    def open_lines(self, request: Request, options: CallOptions) -> Iterator[Iterator[str]]:
        """Send ``request`` once (never retried) and give its body as text lines.

        A non-2xx status raises its typed error before any line is read; transport failures while
        reading become :class:`OnyxConnectionError`. The response is closed on exit.
        """
        prepared = self.prepare(request, options)
        response = self._open(prepared, prepared.timeout)
        try:
            yield _mapped_lines(self, prepared, response.iter_lines())
        finally:
            with contextlib.suppress(*_HTTPX_ERRORS, OSError):
                response.close()

    def _open(self, prepared: _Prepared, timeout: Any) -> httpx.Response:
        """Send ``prepared`` and return its open, successful streaming response."""
        self.before_send(prepared)
        started = time.perf_counter()
        try:
            response = self.client.send(prepared.build(self.client, timeout), stream=True)
        except _HTTPX_ERRORS as exc:
            error: OnyxConnectionError | None = self.map_error(prepared, exc)
        else:
            error = None
        if error is not None:
            raise error
        failure: OnyxError | None = None
        try:
            if not 200 <= response.status_code < 300:
                response.read()
                self.stream_failed(prepared, response, started)
        except _HTTPX_ERRORS as exc:
            failure = self.map_error(prepared, exc)
        except BaseException:
            response.close()
            raise
        if failure is not None:
            response.close()
            raise failure
        self.stream_opened(prepared, response, started)
        return response

    def open_stream(
        self, request: Request, options: CallOptions, *, read_timeout: float | None
    ) -> StreamConnection:
        """Send ``request`` once and return its open body (a live query stream).

        A non-2xx status raises its typed error; ``read_timeout`` bounds the silence between two
        chunks. The caller closes the connection; ``abort()`` unblocks a pending read at once.
        """
        prepared = self.prepare(request, options)
        timeout = httpx.Timeout(self.config.request_timeout_seconds, read=read_timeout)
        return StreamConnection(self, prepared, self._open(prepared, timeout))

    def close(self) -> None:
        """Stop every live stream opened through this pool, then close the pool (only if the
        SDK created it)."""
        if not self.closed:
            for stream in self.stop_streams():
                stream.join(1.0)
            if self.owns_client:
                self.client.close()


class StreamConnection(StreamConnectionBase):
    """An open streaming response of an :class:`SyncTransport`."""

    def __init__(self, core: _TransportCore, prepared: _Prepared, response: httpx.Response) -> None:
        super().__init__(core, prepared, response)
        self._chunks = response.iter_bytes()

    def read(self) -> bytes:
        """The next chunk of the body, ``b""`` at its end."""
        try:
            return next(self._chunks, b"")
        except _HTTPX_ERRORS as exc:
            error = self._core.map_error(self._prepared, exc)
        raise error

    def close(self) -> None:
        with contextlib.suppress(*_HTTPX_ERRORS, OSError):
            closer = getattr(self._chunks, "close", None)
            if closer is not None:
                closer()
        with contextlib.suppress(*_HTTPX_ERRORS, OSError):
            self._response.close()


def _mapped_lines(core: _TransportCore, prepared: _Prepared, lines: Iterator[str]) -> Iterator[str]:
    """``lines`` with transport failures turned into SDK errors (raised outside the handler)."""
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except _HTTPX_ERRORS as exc:
            error = core.map_error(prepared, exc)
        else:
            yield line
            continue
        raise error
