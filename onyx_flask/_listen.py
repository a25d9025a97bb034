"""The change-stream bridge as blinker signals, and ``flask onyx listen``: thin layers over the
core's :class:`~onyx_database.ChangeBridge` and :func:`~onyx_database.listen_loop`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
from blinker import Signal
from flask import Flask

from onyx_database import (
    ChangeBridge,
    Condition,
    OnyxDatabase,
    OnyxListenError,
    ReconnectPolicy,
    listen_loop,
    table_name,
)

from .signals import record_created, record_deleted, record_updated

__all__ = ["run_listen", "start_listen"]

_SIGNALS: dict[str, Signal] = {
    "CREATE": record_created,
    "UPDATE": record_updated,
    "DELETE": record_deleted,
}


def start_listen(
    app: Flask,
    client: OnyxDatabase,
    table: str | type[Any],
    where: Condition | None,
    *,
    reconnect: ReconnectPolicy | None = None,
) -> ChangeBridge:
    """Start a :class:`~onyx_database.ChangeBridge` on ``table`` whose changes are sent as
    signals with ``app`` as sender, at least once across disconnects.

    An error that stops it is logged on ``app.logger`` and kept in ``bridge.error``."""
    name = table_name(table)
    query = client.from_table(table)
    if where is not None:
        query = query.where(where)

    def deliver(action: str, record: Any) -> None:
        with app.app_context():
            _SIGNALS[action].send(app, record=record, table=name, action=action)

    def on_error(error: BaseException) -> None:
        app.logger.error(
            "Onyx live stream on %s stopped: %s: %s",
            name,
            type(error).__name__,
            error,
            exc_info=error,
        )

    bridge = ChangeBridge(
        query, deliver, on_error=on_error, reconnect=reconnect, name=f"onyx-flask-{name}"
    )
    return bridge.start()


def run_listen(
    app: Flask,
    start: Callable[[str], ChangeBridge],
    tables: Sequence[str],
    *,
    max_events: int | None,
    timeout: float | None,
) -> None:
    """Print one line per signal sent for ``tables`` (the core's listen loop); raise
    ``click.ClickException`` when a stream stops on an error."""
    wanted = set(tables)
    on_events: list[Callable[[str, str, Any], None]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        if kwargs.get("table") in wanted:
            for on_event in on_events:
                on_event(kwargs["action"], kwargs["table"], kwargs["record"])

    def start_one(table: str, on_event: Callable[[str, str, Any], None]) -> ChangeBridge:
        if not on_events:
            on_events.append(on_event)
        return start(table)

    with _connected(app, receiver):
        try:
            listen_loop(
                start_one,
                tables,
                echo=click.echo,
                note=lambda text: click.echo(text, err=True),
                max_events=max_events,
                timeout=timeout,
            )
        except OnyxListenError as exc:
            raise click.ClickException(str(exc)) from None


@contextmanager
def _connected(app: Flask, receiver: Callable[..., None]) -> Iterator[None]:
    for signal_ in _SIGNALS.values():
        signal_.connect(receiver, sender=app, weak=False)
    try:
        yield
    finally:
        for signal_ in _SIGNALS.values():
            signal_.disconnect(receiver)
