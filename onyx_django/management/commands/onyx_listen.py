"""``manage.py onyx_listen User Role --database default``: send the change-stream signals.

Runs one :func:`onyx_django.listen` bridge per table in the foreground (the core's
:func:`~onyx_database.listen_loop`): each change is sent as ``record_created`` /
``record_updated`` / ``record_deleted``, at least once, and printed as one line,
``ACTION Table {json}``. Stops on Ctrl-C or SIGTERM, after ``--max-events N`` events or after
``--timeout S`` seconds; a stream stopped by an error (auth, unknown table) is a ``CommandError``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onyx_database import ChangeBridge, OnyxListenError, listen_loop

from ..._connections import DEFAULT_ALIAS
from ..._listen import listen


class Command(BaseCommand):
    help = "Listen to Onyx change streams and send onyx_django.signals (until Ctrl-C/SIGTERM)."
    requires_system_checks: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stop = threading.Event()
        """Set it (from any thread, or by SIGTERM) to end the command."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tables", nargs="+", metavar="Table", help="tables to listen to")
        parser.add_argument("--database", default=DEFAULT_ALIAS, help="settings.ONYX alias")
        parser.add_argument(
            "--max-events", type=int, default=None, help="stop after N events (default: never)"
        )
        parser.add_argument(
            "--timeout", type=float, default=None, help="stop after S seconds (default: never)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        alias: str = options["database"]
        max_events: int | None = options["max_events"]
        timeout: float | None = options["timeout"]
        if max_events is not None and max_events < 1:
            raise CommandError("--max-events must be at least 1")
        if timeout is not None and timeout < 0:
            raise CommandError("--timeout must not be negative")

        def start(table: str, on_event: Callable[[str, str, Any], None]) -> ChangeBridge:
            return listen(
                table,
                alias=alias,
                on_event=lambda action, record: on_event(action, table, record),
            )

        try:
            listen_loop(
                start,
                list(dict.fromkeys(options["tables"])),
                echo=self.stdout.write,
                note=self.stderr.write,
                max_events=max_events,
                timeout=timeout,
                stop=self.stop,
            )
        except OnyxListenError as exc:
            raise CommandError(str(exc)) from None
