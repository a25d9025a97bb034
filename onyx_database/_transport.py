"""What both HTTP transports share, with no I/O: headers, body encoding, logging with redaction,
exception mapping, deadlines and the retry policy (the loop is
:func:`~onyx_database._flows.retry_flow`). The transports that send are thin shells:
``_async_transport.py`` (written by hand) and ``_sync_transport.py`` (generated from it by
``scripts/unasync.py``), one pooled httpx client per database object.

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
import socket
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

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
    OnyxHTTPError,
    OnyxTimeoutError,
    OnyxUsageError,
)
from ._flows import Sleep
from ._logging import Redactor, log_request, log_response, logger
from ._request import RawResponse, Request, build_url, decode_response
from ._retry import RetryPolicy
from ._version import __version__

if TYPE_CHECKING:  # the transports themselves, for code that imported them from here
    from ._async_transport import AsyncStreamConnection, AsyncTransport
    from ._sync_transport import StreamConnection, SyncTransport

__all__ = [
    "USER_AGENT",
    "AsyncStreamConnection",
    "AsyncTransport",
    "CallOptions",
    "StreamConnection",
    "StreamConnectionBase",
    "SyncTransport",
    "__version__",
]


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

    def build(self, client: httpx.Client | httpx.AsyncClient, timeout: Any) -> httpx.Request:
        """The httpx request to send (``client.send``) with this attempt's ``timeout``."""
        return client.build_request(
            self.request.method,
            self.url,
            headers=self.headers,
            content=self.content,
            timeout=timeout,
        )


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

    def stop_streams(self) -> list[Any]:
        """Mark the transport closed and cancel its live streams; returns those to ``join``."""
        self.closed = True
        streams = list(self.live_streams)
        for stream in streams:
            stream.cancel()
        return [stream for stream in streams if hasattr(stream, "join")]

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


class StreamConnectionBase:
    """An open streaming response; the sync and async connections add ``read`` and closing."""

    def __init__(self, core: _TransportCore, prepared: _Prepared, response: httpx.Response) -> None:
        self._core = core
        self._prepared = prepared
        self._response = response

    @property
    def content_type(self) -> str:
        return str(self._response.headers.get("content-type", ""))

    def abort(self) -> None:
        """Unblock a read in another thread now: shut the socket down (thread-safe, idempotent)."""
        stream = self._response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def merge_headers(
    base: tuple[tuple[str, str], ...], extra: Mapping[str, str] | None
) -> tuple[tuple[str, str], ...]:
    """``base`` with ``extra`` applied on top (case-insensitive names)."""
    if not extra:
        return base
    lowered = {name.lower() for name in extra}
    kept = tuple((name, value) for name, value in base if name.lower() not in lowered)
    return kept + tuple((str(name), str(value)) for name, value in extra.items())
