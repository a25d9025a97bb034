"""The ``onyx_database`` logger and the redaction every log line and error message goes through.

Request/response logging is off by default. ``request_logging_enabled``,
``response_logging_enabled`` or ``debug`` in the config turn it on; lines go to the standard
``logging`` logger ``onyx_database`` at INFO level, so route them as usual::

    import logging
    logging.basicConfig(level=logging.INFO)

The API secret never appears (``[REDACTED]``) and the API key shows only its first 4 characters,
in headers, URLs and bodies alike. The same holds for the lines of httpx's and httpcore's own
loggers (``httpx`` logs every request URL at INFO): a filter on them masks the key and secret of
every live client, wherever they occur in the message.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Mapping
from urllib.parse import quote

__all__ = ["Redactor", "install_library_log_filter", "logger"]

logger = logging.getLogger("onyx_database")

_MAX_LOGGED_BODY = 4000
_SECRET_MASK = "[REDACTED]"  # noqa: S105 - the mask, not a secret


class Redactor:
    """Scrubs one API key/secret pair out of text.

    >>> Redactor("key-1234567", "s3cr3t").text("key-1234567 / s3cr3t")
    'key-**** / [REDACTED]'
    """

    __slots__ = ("__weakref__", "_replacements")

    def __init__(self, api_key: str, api_secret: str) -> None:
        replacements: list[tuple[str, str]] = []
        for value, mask in ((api_secret, _SECRET_MASK), (api_key, api_key[:4] + "****")):
            if not value:
                continue
            # the raw value, and the forms it takes inside a URL
            for form in dict.fromkeys((value, quote(value, safe=""), quote(value))):
                replacements.append((form, mask))
        # longest first, so a value is never partly replaced by a shorter one it contains
        replacements.sort(key=lambda pair: len(pair[0]), reverse=True)
        self._replacements = tuple(replacements)
        if replacements:
            _LIVE_REDACTORS.add(self)

    def text(self, value: str) -> str:
        """``value`` with the secret and key masked."""
        for needle, mask in self._replacements:
            if needle in value:
                value = value.replace(needle, mask)
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """A copy of ``headers`` with credentials masked (the auth headers in full)."""
        out: dict[str, str] = {}
        for name, value in headers.items():
            lowered = name.lower()
            if lowered == "x-onyx-secret" or lowered == "authorization":
                out[name] = _SECRET_MASK
            elif lowered == "x-onyx-key":
                out[name] = value[:4] + "****"
            else:
                out[name] = self.text(value)
        return out

    def body(self, content: bytes | None, content_type: str | None) -> str:
        """A printable, redacted, size-capped rendering of a body for the log."""
        if not content:
            return "<empty>"
        if content_type and "msgpack" in content_type:
            return f"<{len(content)} MessagePack bytes>"
        text = content[:_MAX_LOGGED_BODY].decode("utf-8", errors="replace")
        text = self.text(text)
        if len(content) > _MAX_LOGGED_BODY:
            text += f"... <{len(content)} bytes in total>"
        return text


_LIVE_REDACTORS: weakref.WeakSet[Redactor] = weakref.WeakSet()

# httpx logs each request ("HTTP Request: GET <url> ...") on "httpx"; httpcore traces on its
# submodule loggers. A filter runs only on the logger a record is created on, so each gets one.
_LIBRARY_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class _RedactingFilter(logging.Filter):
    """Masks the key and secret of every live :class:`Redactor` in a library's log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(_LIVE_REDACTORS)
        if not redactors:
            return True
        message = record.getMessage()
        cleaned = message
        for redactor in redactors:
            cleaned = redactor.text(cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_LIBRARY_FILTER = _RedactingFilter()


def install_library_log_filter() -> None:
    """Put the redacting filter on httpx's and httpcore's loggers (idempotent)."""
    for name in _LIBRARY_LOGGERS:
        library_logger = logging.getLogger(name)
        if _LIBRARY_FILTER not in library_logger.filters:
            library_logger.addFilter(_LIBRARY_FILTER)


install_library_log_filter()


def log_request(
    redactor: Redactor,
    method: str,
    url: str,
    headers: Mapping[str, str],
    content: bytes | None,
) -> None:
    """Log an outgoing request (INFO) with credentials masked."""
    logger.info(
        "onyx request %s %s headers=%s body=%s",
        method,
        redactor.text(url),
        redactor.headers(headers),
        redactor.body(content, headers.get("Content-Type")),
    )


def log_response(
    redactor: Redactor,
    method: str,
    url: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    elapsed_seconds: float,
) -> None:
    """Log a response (INFO) with credentials masked."""
    logger.info(
        "onyx response %s %s -> %d in %.1f ms headers=%s body=%s",
        method,
        redactor.text(url),
        status,
        elapsed_seconds * 1000,
        redactor.headers(headers),
        redactor.body(content, headers.get("content-type")),
    )
