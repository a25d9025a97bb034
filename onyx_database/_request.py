"""What one HTTP exchange is, without any I/O: request descriptions, URLs, decoding, error mapping.

A :class:`Request` names its path as *raw* segments; :func:`build_url` percent-encodes every segment
and every query value (``quote(value, safe="")``), so ids containing ``/ ? # & %``, spaces or
non-ASCII text reach the server intact. :func:`decode_response` turns a :class:`RawResponse` into
Python data or the matching :class:`~onyx_database.OnyxHTTPError` subclass, whatever shape the
error body has.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from ._codec import decode_body, is_msgpack
from ._errors import OnyxDecodeError, OnyxUsageError, http_error_for_status
from ._retry import parse_retry_after

__all__ = [
    "NO_BODY",
    "PageData",
    "RawResponse",
    "Request",
    "build_url",
    "count_request",
    "decode_response",
    "delete_query_request",
    "delete_request",
    "encode_path",
    "find_request",
    "insert_request",
    "parse_error_body",
    "parse_page",
    "query_page_request",
    "save_request",
    "update_query_request",
]

Method = Literal["GET", "PUT", "POST", "DELETE"]
Service = Literal["db", "ai"]


class _NoBody:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()
"""Marker for a request without a body (``None`` would be the JSON ``null``)."""


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP call as data.

    ``path`` holds raw (unencoded) segments; ``body`` is wire data (already through ``to_wire``)
    or :data:`NO_BODY`. ``idempotent`` says whether the call may be re-sent after a failure;
    ``negotiated`` whether it uses the configured wire format (entity and query routes) or always
    JSON. ``service`` picks the base URL (``"db"``: ``base_url``, ``"ai"``: ``ai_base_url``);
    ``headers`` are extra request headers (never the credentials); ``sensitive`` keeps bodies out
    of logs and error messages (secrets); ``raw`` returns a 2xx :class:`RawResponse` undecoded
    (binary documents).

    >>> build_url("http://h", Request("GET", ("data", "db", "User", "a/b")))
    'http://h/data/db/User/a%2Fb'
    """

    method: Method
    path: tuple[str, ...]
    params: tuple[tuple[str, str], ...] = ()
    body: Any = NO_BODY
    idempotent: bool = False
    negotiated: bool = True
    service: Service = "db"
    headers: tuple[tuple[str, str], ...] = ()
    sensitive: bool = False
    raw: bool = False

    @property
    def has_body(self) -> bool:
        return self.body is not NO_BODY

    def __repr__(self) -> str:
        # a sensitive body (a secret value) must not show up in tracebacks with locals either
        body = "<redacted>" if self.sensitive and self.has_body else repr(self.body)
        return (
            f"Request(method={self.method!r}, path={self.path!r}, params={self.params!r}, "
            f"body={body}, idempotent={self.idempotent!r}, service={self.service!r})"
        )


@dataclass(frozen=True, slots=True)
class RawResponse:
    """What came back: status, lower-cased headers, body bytes."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


def encode_path(segments: Sequence[str]) -> str:
    """``/`` + every segment percent-encoded with nothing left safe.

    >>> encode_path(["data", "db", "a b?#&%é", ".."])
    '/data/db/a%20b%3F%23%26%25%C3%A9/%2E%2E'
    """
    return "/" + "/".join([_encode_segment(segment) for segment in segments])


@functools.lru_cache(maxsize=1024)  # "data", the database id and table names repeat per request
def _encode_segment(segment: str) -> str:
    # "." and ".." would be removed as dot-segments by URL normalisation (httpx does it)
    if segment in (".", ".."):
        return segment.replace(".", "%2E")
    return quote(segment, safe="")


def build_url(base_url: str, request: Request) -> str:
    """The full, already-encoded URL of ``request`` under ``base_url``.

    >>> build_url("http://h/", Request("GET", ("x",), params=(("nextPage", "a+b/c="),)))
    'http://h/x?nextPage=a%2Bb%2Fc%3D'
    """
    url = base_url.rstrip("/") + encode_path(request.path)
    if request.params:
        url += "?" + "&".join(
            f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in request.params
        )
    return url


def _segment(value: object, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise OnyxUsageError(f"{what} must be a string or an int, got {type(value).__name__}")
    text = str(value)
    if text == "":
        raise OnyxUsageError(f"{what} must not be empty")
    return text


def _params(**values: str | Sequence[str] | None) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for key, value in values.items():
        if value is None:
            continue
        if not isinstance(value, str):
            value = ",".join(value)
            if not value:
                continue
        out.append((key, value))
    return tuple(out)


def save_request(
    database_id: str, table: str, body: Any, relationships: Sequence[str] | None = None
) -> Request:
    """``PUT /data/{db}/{table}``: upsert one entity or a list. Never retried."""
    return Request(
        "PUT",
        ("data", database_id, table),
        _params(relationships=relationships),
        body=body,
    )


def insert_request(
    database_id: str, table: str, body: Any, relationships: Sequence[str] | None = None
) -> Request:
    """``POST /data/{db}/{table}``: create-only; the server answers 409 for an existing id."""
    return Request(
        "POST",
        ("data", database_id, table),
        _params(relationships=relationships),
        body=body,
    )


def find_request(
    database_id: str,
    table: str,
    pk: object,
    *,
    partition: str | None,
    resolvers: Sequence[str] | None = None,
) -> Request:
    """``GET /data/{db}/{table}/{pk}``."""
    return Request(
        "GET",
        ("data", database_id, table, _segment(pk, "the primary key")),
        _params(partition=partition, resolvers=resolvers),
        idempotent=True,
    )


def delete_request(
    database_id: str,
    table: str,
    pk: object,
    *,
    partition: str | None,
    relationships: Sequence[str] | None = None,
    return_graph: bool = False,
) -> Request:
    """``DELETE /data/{db}/{table}/{pk}``. Never retried: a cascade delete is not idempotent.

    ``return_graph`` asks for the deleted entity graph (``Prefer: return=representation``).
    """
    return Request(
        "DELETE",
        ("data", database_id, table, _segment(pk, "the primary key")),
        _params(partition=partition, relationships=relationships),
        headers=(("Prefer", "return=representation"),) if return_graph else (),
    )


def query_page_request(
    database_id: str,
    table: str,
    select: dict[str, Any],
    *,
    page_size: int | None,
    next_page: str | None,
    partition: str | None,
) -> Request:
    """``PUT /data/{db}/query/{table}``: one page of a SelectQuery. Read-only, so retried."""
    return Request(
        "PUT",
        ("data", database_id, "query", table),
        _params(
            pageSize=None if page_size is None else str(page_size),
            nextPage=next_page,
            partition=partition,
        ),
        body=select,
        idempotent=True,
    )


def count_request(
    database_id: str, table: str, select: dict[str, Any], *, partition: str | None
) -> Request:
    """``PUT /data/{db}/query/count/{table}``: a bare number back. Read-only, so retried."""
    return Request(
        "PUT",
        ("data", database_id, "query", "count", table),
        _params(partition=partition),
        body=select,
        idempotent=True,
    )


def update_query_request(
    database_id: str, table: str, update: dict[str, Any], *, partition: str | None
) -> Request:
    """``PUT /data/{db}/query/update/{table}``: an UpdateQuery; a bare count back. Never retried."""
    return Request(
        "PUT",
        ("data", database_id, "query", "update", table),
        _params(partition=partition),
        body=update,
    )


def delete_query_request(
    database_id: str, table: str, select: dict[str, Any], *, partition: str | None
) -> Request:
    """``PUT /data/{db}/query/delete/{table}``: a SelectQuery; a bare count back. Never retried."""
    return Request(
        "PUT",
        ("data", database_id, "query", "delete", table),
        _params(partition=partition),
        body=select,
    )


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def parse_error_body(
    content_type: str | None, content: bytes
) -> tuple[str | None, str | None, Any]:
    """``(message, code, decoded body)`` from any error body the server may send.

    Reads ``{"error": {"message", "code"}}``, ``{"error": "text"}``, top-level
    ``{"message", "code"}``, plain text and empty bodies; never raises.

    >>> parse_error_body("application/json", b'{"error": "bad table"}')
    ('bad table', None, {'error': 'bad table'})
    """
    try:
        body = decode_body(content_type, content)
    except OnyxDecodeError:
        body = None if is_msgpack(content_type) else content.decode("utf-8", errors="replace")
    message: str | None = None
    code: str | None = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = _text(error.get("message"))
            code = _text(error.get("code"))
        else:
            message = _text(error)
        message = message or _text(body.get("message")) or _text(body.get("detail"))
        code = code or _text(body.get("code"))
    elif isinstance(body, str):
        message = _text(body[:2000])
    return message, code, body


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def decode_response(
    request: Request,
    response: RawResponse,
    *,
    url: str | None = None,
    redact: Callable[[str], str] = str,
) -> Any:
    """The decoded body of a 2xx response, or the typed error for any other status.

    ``url`` (without its query string) and ``request.method`` are attached to errors; ``redact``
    scrubs credentials from server text before it lands in an exception.
    """
    if 200 <= response.status < 300:
        if request.raw:
            return response
        return decode_body(response.content_type, response.content)
    message, code, body = parse_error_body(response.content_type, response.content)
    if message is None:
        message = _REASONS.get(response.status, "HTTP error")
    if request.sensitive:
        message = _scrub(message, request.body)
        body = None
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    error_class = http_error_for_status(response.status)
    return_url = url.split("?", 1)[0] if url else None
    raise error_class(
        redact(message),
        status=response.status,
        code=code,
        body=body,
        method=request.method,
        url=redact(return_url) if return_url else None,
        retry_after=retry_after,
    )


def _scrub(message: str, request_body: Any) -> str:
    """``message`` without any string value of ``request_body`` (a server may echo a secret)."""
    values = request_body.values() if isinstance(request_body, dict) else ()
    for value in sorted((v for v in values if isinstance(v, str) and v), key=len, reverse=True):
        message = message.replace(value, "[REDACTED]")
    return message


@dataclass(frozen=True, slots=True)
class PageData:
    """A decoded query page: the records and the token of the next page (``None`` at the end)."""

    records: list[Any]
    next_page: str | None


def parse_page(body: Any) -> PageData:
    """Read a query page: ``{"records", "nextPage"}`` (or ``next_page``), or a bare array.

    >>> parse_page({"records": [{"id": 1}], "nextPage": "t2"})
    PageData(records=[{'id': 1}], next_page='t2')
    """
    if isinstance(body, list):
        return PageData(body, None)
    if isinstance(body, dict):
        records = body.get("records")
        if records is None:
            records = []
        if not isinstance(records, list):
            raise OnyxDecodeError(f"a query page's records must be a list, got {type(records)}")
        token = body.get("nextPage", body.get("next_page"))
        if token is not None and not isinstance(token, str):
            token = str(token)
        return PageData(records, token or None)
    raise OnyxDecodeError(f"expected a query page object, got {type(body).__name__}")
