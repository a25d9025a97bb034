"""Connection and size limits: request bodies and the time a client may take to send headers.

uvicorn closes idle keep-alive connections, but a connection whose request headers never finish
(a new one, or a kept-alive one that starts a request and stalls) is held forever. The protocol
subclass made by :func:`guarded_protocol` arms a timer whenever the server waits for request
headers (on connect and after each answer) and disarms it when a request's headers are
complete. When it fires, the connection is closed: with ``408 Request Timeout`` when part of a
request had arrived, silently when nothing had (as uvicorn closes idle keep-alive connections;
an unasked-for answer could be mistaken for the answer to a request crossing it).
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_MAX_BODY",
    "ConnectionStats",
    "describe_size",
    "guarded_protocol",
]

DEFAULT_MAX_BODY = 8 * 1024 * 1024
DEFAULT_HEADER_TIMEOUT = 10.0

_PROTOCOLS = {
    "h11": ("uvicorn.protocols.http.h11_impl", "H11Protocol"),
    "httptools": ("uvicorn.protocols.http.httptools_impl", "HttpToolsProtocol"),
}
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: 38\r\n"
    b"connection: close\r\n\r\nrequest headers did not arrive in time"
)


def describe_size(size: int) -> str:
    """``8 MiB``, ``512 KiB`` or ``100 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


@dataclass
class ConnectionStats:
    """Connections closed because their request headers did not arrive in time."""

    header_timeouts: int = 0


def best_http_protocol() -> str:
    """``httptools`` (a C parser, from the ``[local]`` extra) when installed, else ``h11``."""
    try:
        importlib.import_module("httptools")
    except ImportError:
        return "h11"
    return "httptools"


def guarded_protocol(name: str, timeout: float, stats: ConnectionStats) -> type[asyncio.Protocol]:
    """uvicorn's ``name`` (``h11`` or ``httptools``) HTTP protocol with a header timeout."""
    module_name, class_name = _PROTOCOLS[name]
    base: Any = getattr(importlib.import_module(module_name), class_name)

    class HeaderGuard(base):  # type: ignore[misc]
        # One scheduled check per connection at most: arming only moves the deadline (a timer
        # set and cancelled on every request would cost more than the rest of a small answer).
        _onyx_timer: asyncio.TimerHandle | None = None
        _onyx_deadline: float | None = None  # None: not waiting for request headers
        _onyx_cycle: Any = None
        _onyx_partial = False

        def _onyx_arm(self) -> None:
            self._onyx_partial = False
            if self.transport.is_closing():
                self._onyx_deadline = None
                return
            self._onyx_deadline = self.loop.time() + timeout
            if self._onyx_timer is None:
                self._onyx_timer = self.loop.call_later(timeout, self._onyx_check)

        def _onyx_disarm(self) -> None:
            self._onyx_deadline = None  # the scheduled check then finds nothing to do

        def _onyx_check(self) -> None:
            self._onyx_timer = None
            if self._onyx_deadline is None:
                return
            remaining = self._onyx_deadline - self.loop.time()
            if remaining > 0:  # armed again since this check was scheduled
                self._onyx_timer = self.loop.call_later(remaining, self._onyx_check)
                return
            self._onyx_deadline = None
            self._onyx_expire()

        def _onyx_expire(self) -> None:
            if self.cycle is not self._onyx_cycle or self.transport.is_closing():
                return
            stats.header_timeouts += 1
            if self._onyx_partial:
                self.transport.write(_TIMED_OUT)
            self.transport.close()

        def _onyx_seen(self) -> None:
            if self.cycle is not self._onyx_cycle:  # a new request's headers are complete
                self._onyx_cycle = self.cycle
                self._onyx_disarm()
            elif self._onyx_deadline is not None:
                self._onyx_partial = True

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            self._onyx_arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._onyx_seen()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self.cycle is self._onyx_cycle:  # no pipelined request started
                self._onyx_arm()
            else:
                self._onyx_seen()

        def connection_lost(self, exc: Exception | None) -> None:
            self._onyx_disarm()
            if self._onyx_timer is not None:
                self._onyx_timer.cancel()
                self._onyx_timer = None
            super().connection_lost(exc)

    HeaderGuard.__name__ = HeaderGuard.__qualname__ = f"HeaderGuard{class_name}"
    return HeaderGuard
