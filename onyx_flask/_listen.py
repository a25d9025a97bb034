"""The change-stream bridge: live-stream events re-sent as blinker signals, and the
foreground loop of ``flask onyx listen``."""

from __future__ import annotations

import json
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click
from blinker import Signal
from flask import Flask

from onyx_database import Condition, OnyxDatabase, StreamHandle
from onyx_database._query import table_name

from .signals import record_created, record_deleted, record_updated

__all__ = ["format_event", "run_listen", "start_listen"]

_SIGNALS: dict[str, Signal] = {
    "CREATE": record_created,
    "UPDATE": record_updated,
    "DELETE": record_deleted,
}


def start_listen(
    app: Flask, client: OnyxDatabase, table: str | type[Any], where: Condition | None
) -> StreamHandle:
    """Start a live stream on ``table`` whose events are sent as signals with ``app`` as sender.

    An error that stops the stream is logged on ``app.logger`` and kept in ``handle.error``; an
    overflow (receivers too slow, events dropped by the server) is one:
    :class:`~onyx_database.OnyxStreamOverflowError`, never a silent reconnect."""
    name = table_name(table)
    query = client.from_table(table)
    if where is not None:
        query = query.where(where)

    def sender(action: str) -> Callable[[Any], None]:
        signal_ = _SIGNALS[action]

        def send(record: Any) -> None:
            with app.app_context():
                signal_.send(app, record=record, table=name, action=action)

        return send

    def on_error(error: BaseException) -> None:
        app.logger.error(
            "Onyx live stream on %s stopped: %s: %s",
            name,
            type(error).__name__,
            error,
            exc_info=error,
        )

    return (
        query.on_item_added(sender("CREATE"))
        .on_item_updated(sender("UPDATE"))
        .on_item_deleted(sender("DELETE"))
        .on_error(on_error)
        .stream(include_query_results=False, keep_alive=True)
    )


def format_event(action: str, table: str, record: Any) -> str:
    """One output line of ``flask onyx listen``: ``ACTION Table {json}``."""
    dump = getattr(record, "model_dump", None)
    data = dump(mode="json", by_alias=True) if callable(dump) else record
    return f"{action} {table} {json.dumps(data, default=_json_default, sort_keys=True)}"


def _json_default(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def run_listen(
    app: Flask,
    start: Callable[[str], StreamHandle],
    tables: Sequence[str],
    *,
    max_events: int | None,
    timeout: float | None,
) -> None:
    """Print one line per event of ``tables`` until Ctrl-C, SIGTERM, ``max_events`` or
    ``timeout``; raise ``click.ClickException`` when a stream stops on an error."""
    events: queue.Queue[str] = queue.Queue()
    wanted = set(tables)

    def receiver(sender: Any, **kwargs: Any) -> None:
        if kwargs.get("table") in wanted:
            events.put(format_event(kwargs["action"], kwargs["table"], kwargs["record"]))

    stop = threading.Event()
    handles: list[StreamHandle] = []
    deadline = None if timeout is None else time.monotonic() + timeout
    seen = 0
    with _connected(app, receiver), _stop_on_sigterm(stop):
        try:
            for table in tables:
                handles.append(start(table))
            click.echo(f"Listening to {', '.join(tables)} (Ctrl-C to stop)", err=True)
            while not stop.is_set() and (max_events is None or seen < max_events):
                wait = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
                if wait <= 0:
                    break
                try:
                    line = events.get(timeout=wait)
                except queue.Empty:
                    _raise_stream_errors(handles, tables)
                    continue
                click.echo(line)
                seen += 1
        except KeyboardInterrupt:
            pass
        finally:
            for handle in handles:
                handle.cancel()
            for handle in handles:
                handle.join(5)
    _raise_stream_errors(handles, tables)
    click.echo(f"Stopped after {seen} event{'s' if seen != 1 else ''}.", err=True)


def _raise_stream_errors(handles: Sequence[StreamHandle], tables: Sequence[str]) -> None:
    for handle, table in zip(handles, tables, strict=False):
        error = handle.error
        if error is not None and not handle.is_running:
            raise click.ClickException(
                f"the live stream on {table} stopped: {type(error).__name__}: {error}"
            )


@contextmanager
def _connected(app: Flask, receiver: Callable[..., None]) -> Iterator[None]:
    for signal_ in _SIGNALS.values():
        signal_.connect(receiver, sender=app, weak=False)
    try:
        yield
    finally:
        for signal_ in _SIGNALS.values():
            signal_.disconnect(receiver)


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
