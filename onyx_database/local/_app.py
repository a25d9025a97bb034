"""The ASGI application: routing on the raw path, auth, faults, latency, content negotiation.

Routing is done on ``raw_path`` split into segments *before* percent-decoding, so primary keys
containing ``/``, ``?``, ``#`` or ``%`` reach the handlers intact. ``query/...`` and
``document...`` routes are listed ahead of ``{table}/{pk}``.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from secrets import token_hex
from typing import Any
from urllib.parse import parse_qsl, unquote

import anyio.to_thread

from . import _documents as documents
from . import _handlers as h
from . import _secrets as secrets
from ._budget import (
    DEFAULT_QUERY_TIMEOUT,
    DEFAULT_REGEX_TIMEOUT,
    QueryBudget,
    QueryStats,
    serve_budgeted,
)
from ._codec import body_check, decode_body, encode, wants_msgpack
from ._errors import ApiError, not_found
from ._faults import Faults, RequestLog
from ._fenced import fenced
from ._limits import DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_BODY, describe_size
from ._streams import StreamHub, serve_stream

__all__ = ["ROUTE_TEMPLATES", "OnyxApp", "Settings"]

logger = logging.getLogger("onyx_database.local")
# One line per request: method, path (never the query string), status, milliseconds.
access_logger = logging.getLogger("onyx_database.local.access")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_ROUTES: list[tuple[str, tuple[str, ...], h.Handler]] = [
    ("GET", ("schemas", "history", "{db}"), h.schema_history),
    ("GET", ("schemas", "{db}", "history"), h.schema_history),
    ("POST", ("schemas", "{db}", "validate"), h.schema_validate),
    ("GET", ("schemas", "{db}"), h.schema_get),
    ("PUT", ("schemas", "{db}"), h.schema_put),
    ("GET", ("database", "{db}", "schema"), h.schema_get),
    ("GET", ("database", "{db}", "secret"), secrets.list_secrets),
    ("POST", ("database", "{db}", "secret"), secrets.create_secret),
    ("GET", ("database", "{db}", "secret", "{key}"), secrets.get_secret),
    ("PUT", ("database", "{db}", "secret", "{key}"), secrets.put_secret),
    ("DELETE", ("database", "{db}", "secret", "{key}"), secrets.delete_secret),
    ("PUT", ("data", "{db}", "query", "count", "{table}"), h.count),
    ("PUT", ("data", "{db}", "query", "update", "{table}"), h.update_query),
    ("PUT", ("data", "{db}", "query", "delete", "{table}"), h.delete_query),
    ("PUT", ("data", "{db}", "query", "stream", "{table}"), h.stream),
    ("PUT", ("data", "{db}", "query", "{table}"), h.query),
    ("PUT", ("data", "{db}", "document"), documents.save_document),
    ("GET", ("data", "{db}", "document"), documents.list_documents),
    # {id*} takes the rest of the path: the official Python SDK sends ids with "/" unencoded.
    ("GET", ("data", "{db}", "document", "{id*}"), documents.get_document),
    ("DELETE", ("data", "{db}", "document", "{id*}"), documents.delete_document),
    ("POST", ("data", "{db}", "{table}", "fenced"), fenced),
    ("PUT", ("data", "{db}", "{table}"), h.save),
    ("POST", ("data", "{db}", "{table}"), h.insert),
    ("GET", ("data", "{db}", "{table}", "{pk}"), h.find),
    ("DELETE", ("data", "{db}", "{table}", "{pk}"), h.delete),
    ("POST", ("v1", "chat", "completions"), h.ai_unavailable),
    ("GET", ("v1", "models"), h.ai_unavailable),
    ("GET", ("v1", "models", "{model}"), h.ai_unavailable),
    ("POST", ("api", "script-approvals"), h.ai_unavailable),
    ("POST", ("v1", "script", "approval"), h.ai_unavailable),
]

# Handlers that run a query: under a time budget, and stopped when their client leaves.
_QUERIES = frozenset({h.query, h.count, h.update_query, h.delete_query, h.find})


# A route compiled: its method, template, handler, literal segments by position, parameters by
# position and whether its last parameter takes the rest of the path.
_Compiled = tuple[
    str, str, h.Handler, tuple[tuple[int, str], ...], tuple[tuple[int, str], ...], bool
]


def _compile(method: str, pattern: tuple[str, ...], handler: h.Handler) -> _Compiled:
    literals = tuple((i, part) for i, part in enumerate(pattern) if not part.startswith("{"))
    params = tuple(
        (i, part[1:-1].rstrip("*")) for i, part in enumerate(pattern) if part.startswith("{")
    )
    return method, "/" + "/".join(pattern), handler, literals, params, pattern[-1].endswith("*}")


# Routes by (segment count, first segment): a request only tries the few that can match.
# A rest-of-path route also serves every longer path.
_CANDIDATES: dict[tuple[int, str], list[_Compiled]] = {}
for _entry in _ROUTES:
    _rest = _entry[1][-1].endswith("*}")
    for _length in range(len(_entry[1]), 64 if _rest else len(_entry[1]) + 1):
        _CANDIDATES.setdefault((_length, _entry[1][0]), []).append(_compile(*_entry))
_ALL = [_compile(*_entry) for _entry in _ROUTES]
ROUTE_TEMPLATES = frozenset(route[1] for route in _ALL)


def _route(method: str, segments: list[str]) -> tuple[str, h.Handler, dict[str, str]]:
    allowed = False
    if len(segments) < 64:
        candidates = _CANDIDATES.get((len(segments), segments[0] if segments else ""), [])
    else:
        candidates = _ALL
    for route_method, template, handler, literals, params, rest in candidates:
        size = len(literals) + len(params)
        candidate = segments
        if rest and len(segments) > size:
            candidate = [*segments[: size - 1], "/".join(segments[size - 1 :])]
        if size != len(candidate):
            continue
        for index, literal in literals:
            if candidate[index] != literal:
                break
        else:
            if route_method in ("*", method):
                found = {}
                for index, name in params:
                    found[name] = candidate[index]
                return template, handler, found
            allowed = True
    if allowed:
        raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on this path")
    raise not_found("no such route")


@dataclass
class Settings:
    """Mutable knobs of a running app (the server changes them between tests)."""

    api_key: str
    api_secret: str
    latency_ms: float = 0.0
    query_timeout: float | None = DEFAULT_QUERY_TIMEOUT
    regex_timeout: float = DEFAULT_REGEX_TIMEOUT
    max_body: int = DEFAULT_MAX_BODY
    body_timeout: float = DEFAULT_HEADER_TIMEOUT


class OnyxApp:
    """The Onyx Local ASGI callable."""

    def __init__(
        self,
        services: h.Services,
        settings: Settings,
        faults: Faults,
        log: RequestLog,
        streams: StreamHub | None = None,
    ) -> None:
        self.services = services
        self.settings = settings
        self.faults = faults
        self.log = log
        self.streams = streams if streams is not None else StreamHub()
        log.database_id = services.database_id
        self.query_stats = QueryStats()
        self.access_log = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if not self.access_log:
            await self._guarded(scope, receive, send)
            return
        start = time.perf_counter()
        status: int | None = None
        try:
            status = await self._guarded(scope, receive, send)
        finally:
            path = scope.get("raw_path") or str(scope.get("path", "")).encode()
            access_logger.info(
                "%s %s %s %.1f ms",
                scope["method"],
                path.split(b"?", 1)[0].decode("latin-1"),
                "dropped" if status is None else status,
                (time.perf_counter() - start) * 1000,
            )

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> int | None:
        """:meth:`_http`, answering 500 to anything unexpected; the status sent (``None``: the
        connection was dropped)."""
        request_id = _request_id(scope["headers"])
        try:
            return await self._http(scope, receive, send, request_id)
        except Exception:  # the last resort: never let a request take the server down
            logger.exception("unexpected error in Onyx Local")
            error = ApiError(500, "INTERNAL", "internal error in Onyx Local")
            await _respond(
                send, error.status, *encode(error.body(), msgpack_reply=False), request_id
            )
            return error.status

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(
        self, scope: Scope, receive: Receive, send: Send, request_id: bytes
    ) -> int | None:
        method = str(scope["method"]).upper()
        raw_path = scope.get("raw_path") or str(scope.get("path", "")).encode()
        raw = raw_path.decode("latin-1").split("?", 1)[0]
        stripped = raw.strip("/")
        raw_segments = stripped.split("/") if stripped else []
        segments = [unquote(s) if "%" in s else s for s in raw_segments]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        db_id = self.services.database_id
        route_error: ApiError | None = None
        template = ""
        try:
            template, handler, params = _route(method, segments)
        except ApiError as error:
            route_error = error
        # Read before the request is counted: a test that waits on the count and then changes the
        # latency must not race this request's own reading of it.
        latency_ms = self.settings.latency_ms
        self.log.record(method, raw, template)

        if latency_ms > 0:
            await asyncio.sleep(latency_ms / 1000)
        fault = None
        if self.faults.enabled:
            concrete = "/" + "/".join(segments)
            templated = "/" + "/".join("{db}" if s == db_id else s for s in segments)
            fault = self.faults.take(method, (concrete, raw, templated))
        if fault is not None and fault.kind == "drop":
            await _drop(send)
            return None
        if fault is not None:
            injected = ApiError(fault.status, "INJECTED_FAULT", f"injected fault ({fault.status})")
            extra = []
            if fault.retry_after is not None:
                extra.append((b"retry-after", _seconds(fault.retry_after).encode()))
            await _respond(
                send,
                injected.status,
                *encode(injected.body(), msgpack_reply=False),
                request_id,
                extra,
            )
            return injected.status
        msgpack_reply = wants_msgpack(headers.get("accept", ""))
        try:
            self._authenticate(headers)
            if route_error is not None:
                raise route_error
            if "db" in params and params["db"] != db_id:
                raise ApiError(404, "DATABASE_NOT_FOUND", f"database {params['db']!r} not found")
            if (
                handler is h.find
                and not scope.get("query_string")
                and "content-length" not in headers
                and "transfer-encoding" not in headers
            ):
                # The most frequent request, without the general path's layers (what it would
                # answer when the record is found; it answers everything else).
                found = h.find_plain(self.services, params, raw_segments)
                if found is not None:
                    await _respond(
                        send, 200, *encode(found, msgpack_reply=msgpack_reply), request_id
                    )
                    return 200
            if "content-length" in headers or "transfer-encoding" in headers:
                raw_body = await _read_body(
                    receive, headers, self.settings.max_body, self.settings.body_timeout
                )
            else:
                raw_body = b""  # HTTP/1.1: no length and no chunking means no body
            content_type = headers.get("content-type", "")
            # A batch save checks its body as it encodes it (see _encoder); every other body is
            # checked here.
            deferred = handler is h.save or handler is h.insert
            body = decode_body(content_type, raw_body, check=not deferred)
            query = _query_params(scope.get("query_string", b""))
            ctx = h.Context(self.services, params, query, headers, body, raw_segments)
            if deferred and body is not None:
                ctx.pending_check = body_check(content_type, body)
            if handler is h.stream:
                await serve_stream(
                    ctx,
                    self.services.storage.bus,
                    self.streams,
                    receive,
                    send,
                    packed=msgpack_reply,
                    abort=_drop,
                    budget=QueryBudget(self.settings.query_timeout, self.settings.regex_timeout),
                    request_id=request_id,
                )
                return 200
            if h.runs_inline(handler, ctx):
                reply = handler(ctx)  # an index lookup: cheaper than a thread hand-off
            elif handler in _QUERIES:
                budget = QueryBudget(self.settings.query_timeout, self.settings.regex_timeout)
                answer = await serve_budgeted(handler, ctx, receive, budget, self.query_stats)
                if answer is None:
                    return None  # the client left; its query was stopped
                reply = answer
            else:
                reply = await anyio.to_thread.run_sync(handler, ctx)
        except ApiError as error:
            # A stalled body leaves the connection mid-request: answer, then close it.
            close = [(b"connection", b"close")] if error.status == 408 else None
            await _respond(
                send, error.status, *encode(error.body(), msgpack_reply=False), request_id, close
            )
            return error.status
        if reply.raw is not None:
            extra = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers]
            await _respond(send, reply.status, reply.raw, reply.content_type, request_id, extra)
            return reply.status
        payload, content_type = encode(
            reply.value, msgpack_reply=msgpack_reply and reply.negotiable
        )
        await _respond(send, reply.status, payload, content_type, request_id)
        return reply.status

    def _authenticate(self, headers: dict[str, str]) -> None:
        key = headers.get("x-onyx-key", "").encode()
        secret = headers.get("x-onyx-secret", "").encode()
        good_key = hmac.compare_digest(key, self.settings.api_key.encode())
        good_secret = hmac.compare_digest(secret, self.settings.api_secret.encode())
        if not (good_key and good_secret):
            raise ApiError(401, "UNAUTHORIZED", "missing or invalid x-onyx-key / x-onyx-secret")


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _query_params(raw: bytes) -> dict[str, str]:
    if not raw:
        return {}
    try:
        pairs = parse_qsl(
            raw.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=1000
        )
    except ValueError:
        raise ApiError(400, "BAD_REQUEST", "too many query parameters") from None
    return dict(pairs)


async def _read_body(
    receive: Receive, headers: dict[str, str], limit: int, idle: float = DEFAULT_HEADER_TIMEOUT
) -> bytes:
    """The body, refused with 413 once it passes ``limit`` bytes: on its declared length before
    reading any of it, and while counting the chunks of a body sent without one. A body that
    stops arriving for ``idle`` seconds gets 408."""
    too_large = ApiError(
        413,
        "PAYLOAD_TOO_LARGE",
        f"the body is larger than the {describe_size(limit)} limit (onyx-py local --max-body)",
    )
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            async with asyncio.timeout(idle):
                message = await receive()
        except TimeoutError:
            raise ApiError(
                408, "REQUEST_TIMEOUT", f"the request body stopped arriving for {idle:g} s"
            ) from None
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


# A request id a client sent is echoed when it is 1-128 visible ASCII characters; otherwise
# (and when none is sent) the server numbers its requests after a random per-process prefix.
_CLIENT_ID = re.compile(rb"[\x21-\x7e]{1,128}")
_ID_PREFIX = token_hex(4).encode()
_ID_NUMBERS = itertools.count(1)


def _request_id(headers: list[tuple[bytes, bytes]]) -> bytes:
    """The ``x-request-id`` of a request's answer."""
    for name, value in headers:
        if name == b"x-request-id" and _CLIENT_ID.fullmatch(value):
            return value
    return b"%s-%x" % (_ID_PREFIX, next(_ID_NUMBERS))


async def _respond(
    send: Send,
    status: int,
    payload: bytes,
    content_type: str,
    request_id: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(payload)).encode()),
        (b"x-request-id", request_id),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _drop(send: Send) -> None:
    """Close the connection with no HTTP answer at all.

    uvicorn's ``send`` is a method of the request cycle that owns the transport; aborting it
    gives the client a reset connection. Other servers get a truncated response instead.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None and hasattr(transport, "abort"):
        transport.abort()
        for _ in range(20):  # let connection_lost run so uvicorn does not try to answer
            if getattr(cycle, "disconnected", False):
                return
            await asyncio.sleep(0)
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", b"1000")],
        }
    )
    await send({"type": "http.response.body", "body": b"{", "more_body": False})
