"""The only module that touches httpx: one pooled client per database object, headers, body
encoding, logging with redaction, exception mapping, and the retry loop (driven from
:func:`~onyx_database._flows.retry_flow`) bounded by the call's total deadline.

httpx exceptions never leave this module, not even as ``__cause__`` or ``__context__``: their
``request.headers`` carry the API key and secret. They are described (redacted) in the message of
the :class:`~onyx_database.OnyxConnectionError` raised instead, always outside the ``except``
block that caught them.

Pass your own httpx transport to ``init(transport=...)`` (``httpx.MockTransport``,
``httpx.HTTPTransport(retries=..., verify=...)``, a proxy) or a whole preconfigured client with
``init(http_client=...)``; a client you pass in is never closed by the SDK.
"""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import aclosing, asynccontextmanager, closing, contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, TypeVar

import anyio
import httpx

from . import _recording
from ._codec import (
    JSON_CONTENT_TYPE,
    MSGPACK_CONTENT_TYPE,
    decode_body,
    encode_json,
    encode_msgpack,
)
from ._config import ResolvedConfig
from ._errors import (
    OnyxConnectionError,
    OnyxError,
    OnyxHTTPError,
    OnyxTimeoutError,
    OnyxUsageError,
)
from ._flows import Sleep, adrive, drive, retry_flow
from ._logging import Redactor, log_request, log_response, logger
from ._request import RawResponse, Request, build_url, decode_response
from ._retry import RetryPolicy

__all__ = [
    "USER_AGENT",
    "AsyncStreamConnection",
    "AsyncTransport",
    "CallOptions",
    "StreamConnection",
    "SyncTransport",
    "__version__",
]

try:
    __version__ = metadata.version("onyx-py")
except metadata.PackageNotFoundError:  # running from a source checkout
    __version__ = "0.1.0"

USER_AGENT = f"onyx-py/{__version__}"
_MSGPACK_ACCEPT = f"{MSGPACK_CONTENT_TYPE}, {JSON_CONTENT_TYPE};q=0.9"
_PROTECTED_HEADERS = frozenset({"x-onyx-key", "x-onyx-secret"})
# logged instead of the body of a secrets request or response
_SENSITIVE_BODY = b"<redacted: secrets body>"
# failures that prove the request never reached the server: nothing can have been applied
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.InvalidURL,
)
_GATEWAY_STATUSES = frozenset({502, 504})
_MAY_HAVE_APPLIED = (
    "; the request was sent and no answer came back, so the write may have been applied "
    "(outcome_unknown=True; see docs/reliability.md on safe retries)"
)


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True, slots=True)
class CallOptions:
    """Per-view request options: a timeout override and extra headers."""

    timeout: float | _Unset | None = UNSET
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Prepared:
    request: Request
    url: str
    # kept out of repr: the headers carry the credentials, the content may carry a secret
    headers: dict[str, str] = field(repr=False)
    content: bytes | None = field(repr=False)
    timeout: Any = None


_S = TypeVar("_S")


class _TransportCore:
    """Everything both transports share; no I/O."""

    def __init__(self, config: ResolvedConfig, *, owns_client: bool) -> None:
        self.config = config
        self.redactor = Redactor(config.api_key, config.api_secret)
        self.policy = RetryPolicy(
            max_retries=max(0, config.max_retries),
            backoff_seconds=max(0.0, config.retry_backoff_seconds),
        )
        self.log_requests = config.request_logging_enabled or config.debug
        self.log_responses = config.response_logging_enabled or config.debug
        self.owns_client = owns_client
        self.closed = False
        # Live streams opened through this pool; closing the client stops them.
        self.live_streams: weakref.WeakSet[Any] = weakref.WeakSet()

    def track(self, stream: _S) -> _S:
        """Remember a live stream (anything with ``cancel()``) so ``close`` can stop it."""
        self.live_streams.add(stream)
        return stream

    def prepare(self, request: Request, options: CallOptions) -> _Prepared:
        if self.closed:
            raise OnyxUsageError("this database client is closed; create a new one with init()")
        msgpack = request.negotiated and self.config.wire_format == "msgpack"
        headers: dict[str, str] = {"User-Agent": USER_AGENT}
        for name, value in options.headers:
            if name.lower() not in _PROTECTED_HEADERS:
                headers[name] = value
        headers["Accept"] = _MSGPACK_ACCEPT if msgpack else JSON_CONTENT_TYPE
        for name, value in request.headers:
            if name.lower() not in _PROTECTED_HEADERS:
                headers[name] = value
        content: bytes | None = None
        if request.has_body:
            if msgpack:
                content = encode_msgpack(request.body)
                headers["Content-Type"] = MSGPACK_CONTENT_TYPE
            else:
                content = encode_json(request.body)
                headers["Content-Type"] = JSON_CONTENT_TYPE
        # applied last: callers cannot override the credentials
        headers["x-onyx-key"] = self.config.api_key
        headers["x-onyx-secret"] = self.config.api_secret
        timeout: Any = httpx.USE_CLIENT_DEFAULT
        if not isinstance(options.timeout, _Unset):
            timeout = options.timeout
        base_url = self.config.ai_base_url if request.service == "ai" else self.config.base_url
        return _Prepared(request, build_url(base_url, request), headers, content, timeout)

    def before_send(self, prepared: _Prepared) -> None:
        if self.log_requests:
            log_request(
                self.redactor,
                prepared.request.method,
                prepared.url,
                prepared.headers,
                _SENSITIVE_BODY
                if prepared.request.sensitive and prepared.content
                else prepared.content,
            )

    def after_receive(
        self, prepared: _Prepared, response: httpx.Response, started: float
    ) -> RawResponse:
        raw = RawResponse(
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.content,
        )
        if self.log_responses:
            log_response(
                self.redactor,
                prepared.request.method,
                prepared.url,
                raw.status,
                raw.headers,
                _SENSITIVE_BODY if prepared.request.sensitive and raw.content else raw.content,
                time.perf_counter() - started,
            )
        if _recording.listening():
            self.record(prepared, started, raw)
        return raw

    def record(self, prepared: _Prepared, started: float, raw: RawResponse | None) -> None:
        """Tell the request listeners about one exchange (``raw`` is None when it failed)."""
        request = prepared.request
        path, table = _recording.describe_path(request.path, self.config.database_id)
        records: int | None = None
        is_page = len(request.path) == 4 and request.path[2] == "query"
        if raw is not None and is_page and 200 <= raw.status < 300 and not request.raw:
            with contextlib.suppress(Exception):  # counting is best effort, never an error
                records = _recording.page_records(decode_body(raw.content_type, raw.content))
        _recording.notify(
            _recording.RecordedRequest(
                method=request.method,
                path=self.redactor.text(path),
                table=table,
                status=None if raw is None else raw.status,
                duration=time.perf_counter() - started,
                request_id=None if raw is None else raw.headers.get("x-request-id"),
                records=records,
                database_id=self.config.database_id,
                response_bytes=0 if raw is None else len(raw.content),
            )
        )

    def stream_failed(self, prepared: _Prepared, response: httpx.Response, started: float) -> None:
        """Raise the typed error for a streaming response that did not succeed (body read)."""
        self.decode(prepared, self.after_receive(prepared, response, started))
        raise AssertionError("a non-2xx response decoded without an error")  # pragma: no cover

    def stream_opened(self, prepared: _Prepared, response: httpx.Response, started: float) -> None:
        if self.log_responses:
            log_response(
                self.redactor,
                prepared.request.method,
                prepared.url,
                response.status_code,
                {name.lower(): value for name, value in response.headers.items()},
                b"<stream>",
                time.perf_counter() - started,
            )

    def map_error(
        self, prepared: _Prepared, exc: Exception, *, deadline_cut: bool = False
    ) -> OnyxConnectionError:
        """The SDK error for an httpx failure, described without chaining it (see the module).

        ``deadline_cut``: the attempt's timeout had been shortened to what was left of the call's
        deadline.
        """
        where = f"{prepared.request.method} {prepared.url.split('?', 1)[0]}"
        detail = str(exc) or type(exc).__name__
        message = f"{where}: {type(exc).__name__}: {detail}"
        timeout = isinstance(exc, httpx.TimeoutException)
        if timeout and deadline_cut:
            seconds = self.config.request_deadline_seconds
            message += f" (the call's deadline of {seconds:g} s was reached)"
        unknown = not prepared.request.idempotent and not isinstance(exc, _NOT_SENT)
        if unknown:
            message += _MAY_HAVE_APPLIED
        message = self.redactor.text(message)
        if timeout:
            return OnyxTimeoutError(message, outcome_unknown=unknown)
        return OnyxConnectionError(message, outcome_unknown=unknown)

    def deadline(self) -> float | None:
        """The ``time.monotonic()`` reading by which the call that starts now must end."""
        seconds = self.config.request_deadline_seconds
        return None if seconds is None else time.monotonic() + seconds

    def attempt_timeout(self, prepared: _Prepared, deadline: float | None) -> tuple[Any, bool]:
        """The httpx timeout of one attempt, and whether the deadline shortened it.

        Raises :class:`OnyxTimeoutError` when the deadline has already passed."""
        if deadline is None:
            return prepared.timeout, False
        left = deadline - time.monotonic()
        if left <= 0:
            seconds = self.config.request_deadline_seconds
            raise OnyxTimeoutError(
                self.redactor.text(
                    f"{prepared.request.method} {prepared.url.split('?', 1)[0]}: the call's "
                    f"deadline of {seconds:g} s passed before the request could be sent"
                )
            )
        own = prepared.timeout
        if own is httpx.USE_CLIENT_DEFAULT:
            own = self.config.request_timeout_seconds
        if own is None or own > left:
            return left, True
        return own, False

    def log_sleep(self, prepared: _Prepared, effect: Sleep) -> None:
        logger.log(
            logging.INFO if self.log_requests else logging.DEBUG,
            "onyx retry %s %s in %.3f s after %s",
            prepared.request.method,
            self.redactor.text(prepared.url),
            effect.seconds,
            self.redactor.text(effect.reason),
        )

    def decode(self, prepared: _Prepared, raw: RawResponse) -> Any:
        """The decoded body, or the typed error; a gateway's 502/504 to a write is marked
        ``outcome_unknown`` (the gateway may have passed the write on before giving up)."""
        try:
            return decode_response(
                prepared.request, raw, url=prepared.url, redact=self.redactor.text
            )
        except OnyxHTTPError as exc:
            error = exc
        if error.status in _GATEWAY_STATUSES and not prepared.request.idempotent:
            error.outcome_unknown = True
            error.message += _MAY_HAVE_APPLIED.replace("no answer came back", "a gateway answered")
        raise error


# httpx raises InvalidURL (not an httpx.HTTPError) for URLs it cannot parse
_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL)


class SyncTransport(_TransportCore):
    """A pooled, keep-alive :class:`httpx.Client` plus the retry loop. Thread-safe."""

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
                "transport must be an httpx.BaseTransport such as httpx.HTTPTransport() or "
                "httpx.MockTransport(handler) (use init_async for an async transport)"
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
            response = self.client.request(
                prepared.request.method,
                prepared.url,
                headers=prepared.headers,
                content=prepared.content,
                timeout=timeout,
            )
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
            sent = self.client.build_request(
                prepared.request.method,
                prepared.url,
                headers=prepared.headers,
                content=prepared.content,
                timeout=timeout,
            )
            response = self.client.send(sent, stream=True)
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
        chunks. The caller closes the connection; :meth:`StreamConnection.abort` may be called
        from any thread to unblock a pending read at once.
        """
        prepared = self.prepare(request, options)
        timeout = httpx.Timeout(self.config.request_timeout_seconds, read=read_timeout)
        return StreamConnection(self, prepared, self._open(prepared, timeout))

    def close(self) -> None:
        """Stop every live stream opened through this pool, then close the pool (only if the
        SDK created it)."""
        if not self.closed:
            self.closed = True
            streams = list(self.live_streams)
            for stream in streams:
                stream.cancel()
            for stream in streams:
                join = getattr(stream, "join", None)
                if join is not None:
                    join(1.0)
            if self.owns_client:
                self.client.close()


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
            response = await self.client.request(
                prepared.request.method,
                prepared.url,
                headers=prepared.headers,
                content=prepared.content,
                timeout=timeout,
            )
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
        """Send ``request`` once (never retried) and give its body as text lines (see sync)."""
        prepared = self.prepare(request, options)
        response = await self._open(prepared, prepared.timeout)
        try:
            yield _amapped_lines(self, prepared, response.aiter_lines())
        finally:
            with contextlib.suppress(*_HTTPX_ERRORS, OSError):
                await response.aclose()

    async def _open(self, prepared: _Prepared, timeout: Any) -> httpx.Response:
        """Send ``prepared`` and return its open, successful streaming response."""
        self.before_send(prepared)
        started = time.perf_counter()
        try:
            sent = self.client.build_request(
                prepared.request.method,
                prepared.url,
                headers=prepared.headers,
                content=prepared.content,
                timeout=timeout,
            )
            response = await self.client.send(sent, stream=True)
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
        """Send ``request`` once and return its open body (see the sync version); cancel the
        task reading it to stop at once."""
        prepared = self.prepare(request, options)
        timeout = httpx.Timeout(self.config.request_timeout_seconds, read=read_timeout)
        return AsyncStreamConnection(self, prepared, await self._open(prepared, timeout))

    async def aclose(self) -> None:
        """Stop every live callback stream opened through this pool, then close the pool (only
        if the SDK created it)."""
        if not self.closed:
            self.closed = True
            streams = list(self.live_streams)
            for stream in streams:
                stream.cancel()
            for stream in streams:
                await stream.join(1.0)
            if self.owns_client:
                await self.client.aclose()


class StreamConnection:
    """An open streaming response of a :class:`SyncTransport`."""

    def __init__(self, core: _TransportCore, prepared: _Prepared, response: httpx.Response) -> None:
        self._core = core
        self._prepared = prepared
        self._response = response
        self._chunks = response.iter_bytes()
        self._aborted = threading.Event()

    @property
    def content_type(self) -> str:
        return str(self._response.headers.get("content-type", ""))

    def read(self) -> bytes:
        """The next chunk of the body, ``b""`` at its end."""
        try:
            return next(self._chunks, b"")
        except _HTTPX_ERRORS as exc:
            error = self._core.map_error(self._prepared, exc)
        raise error

    def abort(self) -> None:
        """Unblock a read in another thread now: shut the socket down (thread-safe)."""
        if self._aborted.is_set():
            return
        self._aborted.set()
        stream = self._response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with contextlib.suppress(*_HTTPX_ERRORS, OSError):
            closer = getattr(self._chunks, "close", None)
            if closer is not None:
                closer()
        with contextlib.suppress(*_HTTPX_ERRORS, OSError):
            self._response.close()


class AsyncStreamConnection:
    """An open streaming response of an :class:`AsyncTransport`."""

    def __init__(self, core: _TransportCore, prepared: _Prepared, response: httpx.Response) -> None:
        self._core = core
        self._prepared = prepared
        self._response = response
        self._chunks = response.aiter_bytes()

    @property
    def content_type(self) -> str:
        return str(self._response.headers.get("content-type", ""))

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


async def _amapped_lines(
    core: _TransportCore, prepared: _Prepared, lines: AsyncIterator[str]
) -> AsyncIterator[str]:
    """The async :func:`_mapped_lines`."""
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


def merge_headers(
    base: tuple[tuple[str, str], ...], extra: Mapping[str, str] | None
) -> tuple[tuple[str, str], ...]:
    """``base`` with ``extra`` applied on top (case-insensitive names)."""
    if not extra:
        return base
    lowered = {name.lower() for name in extra}
    kept = tuple((name, value) for name, value in base if name.lower() not in lowered)
    return kept + tuple((str(name), str(value)) for name, value in extra.items())
