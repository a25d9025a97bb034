"""The foreground listen loop shared by ``flask onyx listen`` and the other front ends: one JSON
line per change, until Ctrl-C, SIGTERM, ``max_events`` or ``timeout``.

::

    from onyx_database import ChangeBridge, event_line, listen_loop

    def start(table, on_event):
        return ChangeBridge(db.from_table(table),
                            lambda action, record: on_event(action, table, record)).start()

    listen_loop(start, ["User"], echo=print, max_events=10)
"""

from __future__ import annotations

import json
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol

from ._errors import OnyxError

__all__ = ["ListenHandle", "OnyxListenError", "event_line", "listen_loop"]

OnEvent = Callable[[str, str, Any], None]


class ListenHandle(Protocol):
    """What ``start`` returns: a :class:`~onyx_database.ChangeBridge` or a ``StreamHandle``."""

    def cancel(self) -> None: ...
    def join(self, timeout: float | None = None) -> bool: ...
    @property
    def error(self) -> BaseException | None: ...
    @property
    def is_running(self) -> bool: ...


class OnyxListenError(OnyxError):
    """A stream of :func:`listen_loop` stopped on an error (its ``__cause__``)."""


def event_line(action: str, table: str, record: Any) -> str:
    """One output line: ``ACTION Table {json}`` (models dumped by alias, as on the wire).

    >>> event_line("CREATE", "User", {"id": "u1"})
    'CREATE User {"id": "u1"}'
    """
    dump = getattr(record, "model_dump", None)
    data = dump(mode="json", by_alias=True) if callable(dump) else record
    return f"{action} {table} {json.dumps(data, default=_json_default, sort_keys=True)}"


def _json_default(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def listen_loop(
    start: Callable[[str, OnEvent], ListenHandle],
    tables: Sequence[str],
    *,
    echo: Callable[[str], None],
    note: Callable[[str], None] | None = None,
    max_events: int | None = None,
    timeout: float | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Start one stream per table with ``start(table, on_event)``, ``echo`` one
    :func:`event_line` per event, and stop on Ctrl-C, SIGTERM (from the main thread),
    ``max_events`` or ``timeout``; returns how many events were echoed. ``note`` gets the
    start and stop messages. Setting ``stop`` (from any thread) ends it too. A stream that
    stops on an error raises :class:`OnyxListenError`.
    """
    events: queue.Queue[str] = queue.Queue()

    def on_event(action: str, table: str, record: Any) -> None:
        events.put(event_line(action, table, record))

    stop = stop if stop is not None else threading.Event()
    handles: list[ListenHandle] = []
    deadline = None if timeout is None else time.monotonic() + timeout
    seen = 0
    with _stop_on_sigterm(stop):
        try:
            for table in tables:
                handles.append(start(table, on_event))
            if note is not None:
                note(f"Listening to {', '.join(tables)} (Ctrl-C to stop)")
            while not stop.is_set() and (max_events is None or seen < max_events):
                wait = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
                if wait <= 0:
                    break
                try:
                    line = events.get(timeout=wait)
                except queue.Empty:
                    _raise_stream_errors(handles, tables)
                    continue
                echo(line)
                seen += 1
        except KeyboardInterrupt:
            pass
        finally:
            for handle in handles:
                handle.cancel()
            for handle in handles:
                handle.join(5)
    _raise_stream_errors(handles, tables)
    if note is not None:
        note(f"Stopped after {seen} event{'s' if seen != 1 else ''}.")
    return seen


def _raise_stream_errors(handles: Sequence[ListenHandle], tables: Sequence[str]) -> None:
    for handle, table in zip(handles, tables, strict=False):
        error = handle.error
        if error is not None and not handle.is_running:
            raise OnyxListenError(
                f"the live stream on {table} stopped: {type(error).__name__}: {error}"
            ) from error


@contextmanager
def _stop_on_sigterm(stop: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
