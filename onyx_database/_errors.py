"""The exception tree of the SDK.

::

    OnyxError
    ├── OnyxConfigError              configuration is missing, ambiguous or invalid
    ├── OnyxSerializationError       a value cannot be encoded for the wire (also a TypeError)
    ├── OnyxUsageError               an invalid call or query chain, caught before sending
    ├── OnyxDecodeError              a successful response body could not be decoded
    ├── OnyxBatchError               a chunked batch failed part way; says which chunks committed
    ├── OnyxHTTPError                the server answered with a non-2xx status
    │   ├── OnyxUnauthorizedError    401 / 403
    │   ├── OnyxNotFoundError        404
    │   ├── OnyxConflictError        409
    │   ├── OnyxRateLimitedError     429
    │   ├── OnyxClientError          any other 4xx
    │   └── OnyxServerError          5xx
    └── OnyxConnectionError          no HTTP answer: refused, reset, DNS, protocol error
        └── OnyxTimeoutError         the request timed out

Every message is built from server text and request metadata only: API secrets never appear.
"""

from __future__ import annotations

from typing import Any

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
    """Base class of every error raised by ``onyx_database``."""


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
    """A chunked write failed part way.

    ``committed_chunks`` lists the indexes of chunks the server acknowledged, ``failed_chunk`` the
    index of the chunk that failed, and ``__cause__`` the underlying error.
    """

    def __init__(
        self,
        message: str,
        *,
        committed_chunks: list[int],
        failed_chunk: int,
        chunk_size: int,
        committed_records: int,
    ) -> None:
        super().__init__(message)
        self.committed_chunks = committed_chunks
        self.failed_chunk = failed_chunk
        self.chunk_size = chunk_size
        self.committed_records = committed_records


class OnyxHTTPError(OnyxError):
    """The server answered with a non-2xx status.

    ``status`` is the HTTP status, ``message`` the server's message, ``code`` its error code when it
    sent one, ``body`` the decoded error body, ``method`` and ``url`` the request (secrets never
    appear in URLs, but query strings are dropped from the message anyway).
    """

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

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        return f"HTTP {self.status}: {self.message}{where}"


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
    """No HTTP answer was received (connection refused or reset, DNS failure, protocol error)."""


class OnyxTimeoutError(OnyxConnectionError):
    """The request did not complete within the configured timeout."""


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
