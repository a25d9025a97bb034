"""The exception tree of the SDK.

::

    OnyxError
    ├── OnyxConfigError              configuration is missing, ambiguous or invalid
    ├── OnyxSerializationError       a value cannot be encoded for the wire (also a TypeError)
    ├── OnyxUsageError               an invalid call or query chain, caught before sending
    ├── OnyxDecodeError              a successful response body could not be decoded
    ├── OnyxBatchError               a chunked batch failed part way: chunks committed, failed,
    │                                unknown (may have been applied) and not sent, listed apart
    ├── OnyxHTTPError                the server answered with a non-2xx status
    │   ├── OnyxUnauthorizedError    401 / 403
    │   ├── OnyxNotFoundError        404
    │   ├── OnyxConflictError        409
    │   ├── OnyxRateLimitedError     429
    │   ├── OnyxClientError          any other 4xx
    │   └── OnyxServerError          5xx
    └── OnyxConnectionError          no HTTP answer: refused, reset, DNS, protocol error
        └── OnyxTimeoutError         the request timed out, or the call's deadline passed

``outcome_unknown`` is ``True`` on an error raised after a write was sent and before its answer
arrived (a reset, a read timeout, a gateway's 502/504): the write may have been applied. Every
other error is a definite failure. See ``docs/reliability.md`` for making retries safe.

Every message is built from server text and request metadata only: API keys and secrets never
appear, and no exception carries one anywhere reachable from it (a transport failure is described
in the message instead of being chained as ``__cause__``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "OnyxBatchError",
    "OnyxClientError",
    "OnyxConfigError",
    "OnyxConflictError",
    "OnyxConnectionError",
    "OnyxDecodeError",
    "OnyxError",
    "OnyxHTTPError",
    "OnyxNotFoundError",
    "OnyxRateLimitedError",
    "OnyxSerializationError",
    "OnyxServerError",
    "OnyxTimeoutError",
    "OnyxUnauthorizedError",
    "OnyxUsageError",
    "http_error_for_status",
]


class OnyxError(Exception):
    """Base class of every error raised by ``onyx_database``.

    ``outcome_unknown`` says whether the operation may have been applied although it failed
    (``False`` unless a subclass says otherwise).
    """

    outcome_unknown: bool = False


class OnyxConfigError(OnyxError):
    """The configuration could not be resolved: a missing key or secret, an unknown option."""


class OnyxSerializationError(OnyxError, TypeError):
    """A value cannot be turned into JSON or MessagePack for the wire."""


class OnyxUsageError(OnyxError, ValueError):
    """The SDK was called in a way that can never work (bad argument, invalid query chain).

    Raised when the call is made, before anything is sent: ``limit(-1)``, a non-condition passed
    to ``where``, ``create`` given a list, a terminal on a builder without a table.
    """


class OnyxDecodeError(OnyxError):
    """A 2xx response body could not be decoded (invalid JSON or MessagePack, unexpected shape)."""


class OnyxBatchError(OnyxError):
    """A chunked write failed part way; every chunk is in exactly one of these groups.

    - ``committed_chunks``: acknowledged by the server (``committed_records`` records);
    - ``failed_chunks``: answered with an error or never sent over the wire. Onyx applies the
      records of a chunk in order and stops at the first it refuses, without rollback, so the
      records before that one may be saved (saves are upserts: sending the chunk again is safe);
    - ``unknown_chunks``: sent, but the answer was lost (a reset, a timeout): each may have been
      applied, so ``outcome_unknown`` is ``True`` (``unknown_records`` records);
    - not sent: the chunks after the failing one were never attempted; ``not_sent_from`` is the
      first of them (``None`` when the failing chunk was the last).

    ``failed_chunk`` is the index of the chunk that failed (in ``failed_chunks`` or
    ``unknown_chunks``) and ``__cause__`` the error it got.

    >>> error = OnyxBatchError("x", committed_chunks=[0], failed_chunk=1, chunk_size=2,
    ...                        committed_records=2, outcome_unknown=True)
    >>> error.unknown_chunks, error.failed_chunks, error.outcome_unknown
    ([1], [], True)
    """

    def __init__(
        self,
        message: str,
        *,
        committed_chunks: list[int],
        failed_chunk: int,
        chunk_size: int,
        committed_records: int,
        outcome_unknown: bool = False,
        unknown_records: int = 0,
        not_sent_from: int | None = None,
    ) -> None:
        super().__init__(message)
        self.committed_chunks = committed_chunks
        self.failed_chunk = failed_chunk
        self.chunk_size = chunk_size
        self.committed_records = committed_records
        self.outcome_unknown = outcome_unknown
        self.unknown_chunks = [failed_chunk] if outcome_unknown else []
        self.failed_chunks = [] if outcome_unknown else [failed_chunk]
        self.unknown_records = unknown_records if outcome_unknown else 0
        self.not_sent_from = not_sent_from


class OnyxHTTPError(OnyxError):
    """The server answered with a non-2xx status.

    ``status`` is the HTTP status, ``message`` the server's message, ``code`` its error code when it
    sent one, ``body`` the decoded error body, ``method`` and ``url`` the request (secrets never
    appear in URLs, but query strings are dropped from the message anyway). ``data`` and
    ``status_text`` are the official SDK's names for ``body`` and the status's reason phrase.

    ``str(error)`` is one line: status, server message, method and path (no host, no query):

    >>> str(OnyxNotFoundError("User u1\\nnot found", status=404, method="GET",
    ...                       url="http://127.0.0.1:8080/data/db/User/u1"))
    'HTTP 404 Not Found: User u1 not found (GET /data/db/User/u1)'
    """

    MAX_MESSAGE = 300

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        body: Any = None,
        method: str | None = None,
        url: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.body = body
        self.method = method
        self.url = url
        self.retry_after = retry_after

    @property
    def data(self) -> Any:
        """The decoded error body (the official SDK's name for :attr:`body`)."""
        return self.body

    @property
    def status_text(self) -> str:
        """The reason phrase of :attr:`status` (``"Not Found"``), ``""`` when unknown."""
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return ""

    def __str__(self) -> str:
        status = f"HTTP {self.status} {self.status_text}".rstrip()
        message = " ".join(str(self.message).split())
        if len(message) > self.MAX_MESSAGE:
            message = message[: self.MAX_MESSAGE - 3] + "..."
        where = ""
        if self.method and self.url:
            where = f" ({self.method} {urlsplit(self.url).path or '/'})"
        return f"{status}: {message}{where}"


class OnyxUnauthorizedError(OnyxHTTPError):
    """401 or 403: the API key or secret is missing or wrong."""


class OnyxNotFoundError(OnyxHTTPError):
    """404: the record, table, document, secret or page token does not exist."""


class OnyxConflictError(OnyxHTTPError):
    """409: the record already exists (``insert`` / ``create``)."""


class OnyxRateLimitedError(OnyxHTTPError):
    """429: too many requests; ``retry_after`` holds the server's hint in seconds when given."""


class OnyxClientError(OnyxHTTPError):
    """Any other 4xx: the request was malformed or invalid."""


class OnyxServerError(OnyxHTTPError):
    """5xx: the server failed."""


class OnyxConnectionError(OnyxError):
    """No HTTP answer was received (connection refused or reset, DNS failure, protocol error).

    ``outcome_unknown`` is ``True`` when the request was a write that had been sent: the server
    may have applied it before the answer was lost. A refused connection is never unknown.
    """

    def __init__(self, message: str, *, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.outcome_unknown = outcome_unknown


class OnyxTimeoutError(OnyxConnectionError):
    """The request did not complete within its timeout, or the call's total deadline
    (``request_deadline_seconds``, across retries) passed."""


def http_error_for_status(status: int) -> type[OnyxHTTPError]:
    """The most specific :class:`OnyxHTTPError` subclass for ``status``.

    >>> http_error_for_status(404).__name__
    'OnyxNotFoundError'
    """
    if status in (401, 403):
        return OnyxUnauthorizedError
    if status == 404:
        return OnyxNotFoundError
    if status == 409:
        return OnyxConflictError
    if status == 429:
        return OnyxRateLimitedError
    if 400 <= status < 500:
        return OnyxClientError
    if status >= 500:
        return OnyxServerError
    return OnyxHTTPError
