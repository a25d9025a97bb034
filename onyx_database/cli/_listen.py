"""The ``listen`` verb: live changes of tables, one ``ACTION Table {json}`` line each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onyx_database import ChangeBridge, OnyxListenError, listen_loop

from ._connect import ConfigSource, connect
from ._output import Output
from ._run import EXIT_OK, CommandError

__all__ = ["listen"]


def listen(
    config: ConfigSource,
    out: Output,
    *,
    tables: Sequence[str],
    max_events: int | None = None,
    timeout: float | None = None,
) -> int:
    """Print every change of ``tables`` (at least once across reconnects, through
    :class:`~onyx_database.ChangeBridge`) until Ctrl-C / SIGTERM, ``max_events`` or ``timeout``;
    3 when a stream stops on an error."""
    if max_events is not None and max_events < 1:
        raise CommandError("--max-events must be >= 1")
    with connect(config) as db:

        def start(table: str, on_event: Any) -> ChangeBridge:
            return ChangeBridge(
                db.from_table(table), lambda action, record: on_event(action, table, record)
            ).start()

        try:
            listen_loop(
                start,
                list(dict.fromkeys(tables)),
                echo=out.line,
                note=out.error,
                max_events=max_events,
                timeout=timeout,
            )
        except OnyxListenError as exc:
            raise CommandError(str(exc), code=3) from None
    return EXIT_OK
