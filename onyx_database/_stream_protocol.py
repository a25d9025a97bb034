"""Live query streams without I/O: events, line and MessagePack decoding, the reconnect policy and
the one reconnect loop (a flow) that the sync and async drivers in ``_stream`` both run.

The wire (``PUT /data/{db}/query/stream/{table}``) is one JSON object per line,
``{"action": "CREATE", "entity": {...}}``, or a stream of MessagePack maps. Decoding is tolerant
the way the official clients are: blank lines and ``:`` comment lines are skipped, a leading
``data:`` is stripped, the action may be under ``action``/``event``/``type``/``eventType``/
``changeType`` in any case and may be a synonym (``ADDED``, ``REMOVED``...), ``NaN`` literals are
accepted, unparseable lines are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ._built import built
from ._codec import MSGPACK_CONTENT_TYPE, decode_json
from ._errors import (
    OnyxClientError,
    OnyxConnectionError,
    OnyxError,
    OnyxRateLimitedError,
    OnyxServerError,
)
from ._request import Request

__all__ = [
    "CREATE",
    "DELETE",
    "ERROR",
    "KEEP_ALIVE",
    "QUERY_RESPONSE",
    "UPDATE",
    "Connect",
    "LineDecoder",
    "MsgpackDecoder",
    "OnyxStreamError",
    "OnyxStreamOverflowError",
    "Read",
    "ReconnectPolicy",
    "StreamEvent",
    "StreamListeners",
    "Wait",
    "decoder_for",
    "event_from_value",
    "stream_debug_enabled",
    "stream_flow",
    "stream_request",
]

T = TypeVar("T")

CREATE: Final = "CREATE"
UPDATE: Final = "UPDATE"
DELETE: Final = "DELETE"
QUERY_RESPONSE: Final = "QUERY_RESPONSE"
KEEP_ALIVE: Final = "KEEP_ALIVE"
ERROR: Final = "ERROR"

_ACTION_KEYS = ("action", "event", "type", "eventtype", "changetype")
_SYNONYMS = {
    **dict.fromkeys(("CREATE", "CREATED", "ADD", "ADDED", "INSERT", "INSERTED"), CREATE),
    **dict.fromkeys(("UPDATE", "UPDATED"), UPDATE),
    **dict.fromkeys(("DELETE", "DELETED", "REMOVE", "REMOVED"), DELETE),
    **dict.fromkeys(("QUERY_RESPONSE", "QUERYRESPONSE"), QUERY_RESPONSE),
    **dict.fromkeys(("KEEP_ALIVE", "KEEPALIVE"), KEEP_ALIVE),
}
_MAX_LINE = 64 * 1024 * 1024


class OnyxStreamError(OnyxError):
    """The server ended a stream with an error line, or the stream body was malformed. The
    stream reconnects after a backoff (except :class:`OnyxStreamOverflowError`)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class OnyxStreamOverflowError(OnyxStreamError):
    """Events were lost: the consumer fell so far behind that the server dropped the stream
    (``code == "STREAM_OVERFLOW"``).

    Never silent and never retried by reconnecting (that would hide the gap): it reaches
    ``on_error`` and ``handle.error`` of a callback stream and is raised by the pull and async
    iterators. Re-read the current state with a query, then start a new stream.

    >>> isinstance(OnyxStreamOverflowError("lost"), OnyxStreamError)
    True
    """

    def __init__(self, message: str, code: str | None = "STREAM_OVERFLOW") -> None:
        super().__init__(message, code)


OVERFLOW_CODE: Final = "STREAM_OVERFLOW"


class StreamEvent(BaseModel, Generic[T]):
    """One event of a live query (a pydantic model): ``action`` is ``"CREATE"``, ``"UPDATE"``,
    ``"DELETE"`` or ``"QUERY_RESPONSE"`` (an initial result); ``entity`` is a dict, or a model
    instance when the query is on a model class. ``error`` (the server's error object of an
    ``ERROR`` line) is left out of the repr and of equality.

    >>> StreamEvent("CREATE", {"id": "u1"})
    StreamEvent(action='CREATE', entity={'id': 'u1'})
    >>> StreamEvent("CREATE", {"id": "u1"}) == StreamEvent("CREATE", {"id": "u1"}, {"x": 1})
    True
    """

    model_config = ConfigDict(frozen=True)

    action: str
    entity: T | None
    error: Mapping[str, Any] | None = Field(None, repr=False)

    def __init__(
        self, action: str, entity: T | None, error: Mapping[str, Any] | None = None
    ) -> None:
        # Positional like the dataclass it was; ``model_validate`` passes keywords here.
        super().__init__(action=action, entity=entity, error=error)

    @classmethod
    def _decoded(
        cls, action: str, entity: T | None, error: Mapping[str, Any] | None = None
    ) -> StreamEvent[T]:
        """An event the stream decoder already read: no second validation pass."""
        values = {"action": action, "entity": entity, "error": error}
        return built(cls, values, {"action", "entity"} if error is None else set(values))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StreamEvent):
            return NotImplemented
        return (self.action, self.entity) == (other.action, other.entity)

    def __hash__(self) -> int:
        return hash((self.action, self.entity))


def event_from_value(value: Any) -> StreamEvent[Any] | None:
    """The event a decoded line/value describes, or ``None`` when it is not one.

    >>> event_from_value({"type": "added", "entity": {"id": 1}})
    StreamEvent(action='CREATE', entity={'id': 1})
    """
    if type(value) is not dict and not isinstance(value, Mapping):
        return None
    action: Any = value.get("action")  # the usual key, read without the case-folding scan
    if action is None:
        lowered = {str(key).lower(): key for key in value}
        for key in _ACTION_KEYS:
            if key in lowered and value[lowered[key]] is not None:
                action = value[lowered[key]]
                break
    if not isinstance(action, str) or not action.strip():
        return None
    name = action.strip().upper()
    name = _SYNONYMS.get(name, name)
    error = value.get("error")
    return StreamEvent._decoded(
        name,
        value.get("entity"),
        error if error is not None and isinstance(error, Mapping) else None,
    )


def _decode_line(line: bytes) -> StreamEvent[Any] | None:
    text = line.strip()
    if not text or text.startswith(b":"):
        return None
    if text.startswith(b"data:"):
        text = text[5:].strip()
        if not text:
            return None
    try:
        value = decode_json(text)
    except OnyxError:
        return None  # tolerated like the official clients: an unparseable line is skipped
    return event_from_value(value)


class LineDecoder:
    """NDJSON bytes in (any chunking), events out.

    >>> decoder = LineDecoder()
    >>> decoder.feed(b'{"action":"CREATE","entity":{"id":1}}\\n{"action":"DEL')
    [StreamEvent(action='CREATE', entity={'id': 1})]
    >>> decoder.feed(b'ETED","entity":{"id":1}}\\n')
    [StreamEvent(action='DELETE', entity={'id': 1})]
    """

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> list[StreamEvent[Any]]:
        self._buffer += chunk
        end = self._buffer.rfind(b"\n")
        if end < 0:
            if len(self._buffer) > _MAX_LINE:
                raise OnyxStreamError("a stream line is longer than 64 MiB", "LINE_TOO_LONG")
            return []
        complete = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        events = []
        for line in complete.split(b"\n"):
            event = _decode_line(line)
            if event is not None:
                events.append(event)
        return events

    def close(self) -> list[StreamEvent[Any]]:
        """Events of a last line that had no newline."""
        rest, self._buffer = bytes(self._buffer), bytearray()
        event = _decode_line(rest)
        return [] if event is None else [event]


class MsgpackDecoder:
    """A MessagePack value stream in (nil values are flush sentinels), events out."""

    def __init__(self) -> None:
        from ._codec import _msgpack

        self._unpacker = _msgpack().Unpacker(
            raw=False, strict_map_key=True, max_buffer_size=_MAX_LINE
        )

    def feed(self, chunk: bytes) -> list[StreamEvent[Any]]:
        try:
            self._unpacker.feed(chunk)
            values = list(self._unpacker)
        except Exception as exc:  # msgpack raises a zoo of types for bad input
            raise OnyxStreamError(f"malformed MessagePack stream: {exc}", "BAD_STREAM") from exc
        return [e for e in map(event_from_value, values) if e is not None]

    def close(self) -> list[StreamEvent[Any]]:
        return []


def decoder_for(content_type: str | None) -> LineDecoder | MsgpackDecoder:
    """The decoder for a stream response's ``Content-Type``."""
    if content_type and MSGPACK_CONTENT_TYPE in content_type.lower():
        return MsgpackDecoder()
    return LineDecoder()


def stream_debug_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """``ONYX_STREAM_DEBUG`` is ``true``/``1``/``yes`` (read once, when a stream starts)."""
    env = os.environ if environ is None else environ
    return env.get("ONYX_STREAM_DEBUG", "").strip().lower() in ("true", "1", "yes")


def stream_request(
    database_id: str,
    table: str,
    select: dict[str, Any],
    *,
    include_query_results: bool,
    keep_alive: bool,
    msgpack: bool,
) -> Request:
    """``PUT /data/{db}/query/stream/{table}`` (never retried by the transport: the stream's own
    reconnect policy decides)."""
    return Request(
        "PUT",
        ("data", database_id, "query", "stream", table),
        (
            ("includeQueryResults", "true" if include_query_results else "false"),
            ("keepAlive", "true" if keep_alive else "false"),
        ),
        body=select,
        headers=() if msgpack else (("Accept", "application/x-ndjson"),),
    )


# -- callbacks -------------------------------------------------------------------------------------

Callback = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class StreamListeners:
    """The callbacks a builder collected with ``on_item_added`` & co. Frozen."""

    on_item_added: Callback | None = None
    on_item_updated: Callback | None = None
    on_item_deleted: Callback | None = None
    on_item: Callback | None = None
    on_error: Callback | None = None

    def calls(self, event: StreamEvent[Any]) -> list[tuple[Callback, tuple[Any, ...]]]:
        """The callbacks to run for ``event``, with their arguments, in order."""
        family = {
            CREATE: self.on_item_added,
            UPDATE: self.on_item_updated,
            DELETE: self.on_item_deleted,
        }.get(event.action)
        out: list[tuple[Callback, tuple[Any, ...]]] = []
        if family is not None:
            out.append((family, (event.entity,)))
        if self.on_item is not None:
            out.append((self.on_item, (event.entity, event.action)))
        return out


# -- reconnects ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How a stream reconnects. Pure: the caller passes random numbers.

    - Waits grow ``initial_delay * multiplier ** n`` up to ``max_delay`` (1 s doubling to 30 s),
      each shortened by up to ``jitter`` (a fraction) at random.
    - A *healthy* connection (it delivered at least one line, keep-alives included, or stayed
      open ``healthy_after`` seconds) resets the wait to ``initial_delay``.
    - Every reconnect waits, a clean end of the stream included: never a hot loop.
    - ``max_attempts`` consecutive failures (``None``: no limit) end the stream with the last error.

    >>> ReconnectPolicy().delay(0, 0.0), ReconnectPolicy().delay(10, 0.0)
    (1.0, 30.0)
    """

    initial_delay: float = 1.0
    max_delay: float = 30.0
    multiplier: float = 2.0
    jitter: float = 0.2
    healthy_after: float = 10.0
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.initial_delay <= 0 or self.max_delay < self.initial_delay:
            raise ValueError("need 0 < initial_delay <= max_delay")
        if self.multiplier < 1 or not 0 <= self.jitter < 1:
            raise ValueError("need multiplier >= 1 and 0 <= jitter < 1")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1 or None")

    def delay(self, failures: int, random: float) -> float:
        """The wait before reconnect number ``failures + 1`` since the last healthy connection."""
        base = min(self.max_delay, self.initial_delay * self.multiplier ** min(failures, 64))
        return base * (1 - self.jitter * random)


def is_terminal(error: BaseException) -> bool:
    """Errors no reconnect can fix: 4xx (401/403 included) except 408 and 429, and anything that
    is not a server, connection or stream error."""
    if isinstance(error, OnyxStreamOverflowError):
        return True
    retryable = OnyxServerError | OnyxConnectionError | OnyxStreamError | OnyxRateLimitedError
    if isinstance(error, retryable):
        return False
    return not (isinstance(error, OnyxClientError) and getattr(error, "status", None) == 408)


@dataclass(frozen=True, slots=True)
class Connect:
    """Effect: open the stream; the driver answers with a connection (or raises)."""

    attempt: int


@dataclass(frozen=True, slots=True)
class Read:
    """Effect: the next chunk of the open connection's body (``b""`` at its end)."""


@dataclass(frozen=True, slots=True)
class Wait:
    """Effect: close the connection (if any) and wait ``seconds`` before reconnecting."""

    seconds: float
    reason: str


def _error_line(error: Mapping[str, Any]) -> OnyxStreamError:
    """The error an ``ERROR`` line describes."""
    message = str(error.get("message") or "the server ended the stream")
    code = None if error.get("code") is None else str(error.get("code"))
    if code == OVERFLOW_CODE:
        return OnyxStreamOverflowError(
            f"live stream events were lost: {message} ({code}); the stream stopped. Re-read the "
            "current state with a query, then start a new stream",
            code,
        )
    return OnyxStreamError(message, code)


def stream_flow(
    policy: ReconnectPolicy,
    *,
    keep_alive: bool,
    random: Callable[[], float],
    clock: Callable[[], float],
) -> Generator[Any, Any, None]:
    """The reconnect loop, as a generator of effects (:class:`Connect`, :class:`Read`,
    :class:`Wait`) and :class:`~onyx_database._flows.Emit` ``(StreamEvent)`` values.

    A :class:`Connect` is answered with the response's content type. Terminal errors are raised
    out of the flow, a ``STREAM_OVERFLOW`` error line among them (events were lost: reconnecting
    would hide the gap). With ``keep_alive=False`` the flow ends after the first complete body;
    a body cut short is then an error (retrying would repeat the initial results).
    """
    from ._flows import Emit

    failures = 0
    attempt = 0
    while True:
        attempt += 1
        started = clock()
        try:
            content_type = yield Connect(attempt)
        except Exception as exc:
            if is_terminal(exc):
                raise
            failures += 1
            if policy.max_attempts is not None and failures >= policy.max_attempts:
                raise
            yield Wait(policy.delay(failures - 1, random()), f"{type(exc).__name__}: {exc}")
            continue
        decoder = decoder_for(content_type)
        delivered = False
        problem: Exception | None = None
        try:
            while True:
                chunk = yield Read()
                events = decoder.feed(chunk) if chunk else decoder.close()
                for event in events:
                    delivered = True
                    if event.action == ERROR:
                        raise _error_line(event.error or {})
                    if event.action != KEEP_ALIVE:
                        yield Emit(event)
                if not chunk:
                    break
        except (OnyxConnectionError, OnyxStreamError) as exc:
            problem = exc
        if isinstance(problem, OnyxStreamOverflowError):
            raise problem
        if not keep_alive:
            if problem is not None:
                raise problem
            return
        healthy = delivered or clock() - started >= policy.healthy_after
        failures = 0 if healthy else failures + 1
        if policy.max_attempts is not None and failures >= policy.max_attempts:
            if problem is not None:
                raise problem
            raise OnyxStreamError(
                f"the stream ended {failures} times in a row without delivering anything",
                "STREAM_ENDED",
            )
        reason = "end of stream" if problem is None else f"{type(problem).__name__}: {problem}"
        yield Wait(policy.delay(max(failures - 1, 0), random()), reason)
