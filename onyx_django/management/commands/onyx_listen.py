"""``manage.py onyx_listen User Role --database default``: send the change-stream signals.

Runs one live stream per table in the foreground (see :func:`onyx_django.listen`): each change
is sent as ``record_created`` / ``record_updated`` / ``record_deleted`` and printed as one line,
``ACTION Table {json}``. Stops on Ctrl-C or SIGTERM, after ``--max-events N`` events or after
``--timeout S`` seconds; a stream stopped by an error (auth, unknown table) is a ``CommandError``.
"""

from __future__ import annotations

import json
import queue
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onyx_database import StreamHandle, to_wire

from ..._connections import DEFAULT_ALIAS
from ..._listen import listen

_POLL = 0.1


def _line(action: str, table: str, record: Any) -> str:
    try:
        body = json.dumps(to_wire(record), default=str, sort_keys=True)
    except Exception:  # a record the JSON form cannot hold: print it as Python shows it
        body = repr(record)
    return f"{action} {table} {body}"


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
        tables: list[str] = options["tables"]
        alias: str = options["database"]
        max_events: int | None = options["max_events"]
        timeout: float | None = options["timeout"]
        if max_events is not None and max_events < 1:
            raise CommandError("--max-events must be at least 1")
        if timeout is not None and timeout < 0:
            raise CommandError("--timeout must not be negative")

        events: queue.Queue[tuple[str, str, Any]] = queue.Queue()
        errors: queue.Queue[tuple[str, BaseException]] = queue.Queue()
        installed, previous = self._install_sigterm()
        handles: list[StreamHandle] = []
        try:
            for table in dict.fromkeys(tables):
                handles.append(self._listen(table, alias, events, errors))
            self.stderr.write(f"Listening to {', '.join(dict.fromkeys(tables))} on {alias!r}")
            self._loop(events, errors, max_events, timeout)
        except KeyboardInterrupt:
            pass
        finally:
            for handle in handles:
                handle.cancel()
            for handle in handles:
                handle.join(5)
            if installed:
                signal.signal(signal.SIGTERM, previous)

    @staticmethod
    def _listen(
        table: str,
        alias: str,
        events: queue.Queue[tuple[str, str, Any]],
        errors: queue.Queue[tuple[str, BaseException]],
    ) -> StreamHandle:
        def on_event(action: str, record: Any) -> None:
            events.put((action, table, record))

        def on_error(exc: BaseException) -> None:
            errors.put((table, exc))

        return listen(table, alias=alias, on_event=on_event, on_error=on_error)

    def _loop(
        self,
        events: queue.Queue[tuple[str, str, Any]],
        errors: queue.Queue[tuple[str, BaseException]],
        max_events: int | None,
        timeout: float | None,
    ) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        seen = 0
        while not self.stop.is_set():
            if not errors.empty():
                table, exc = errors.get_nowait()
                raise CommandError(f"the stream on {table} stopped: {exc}")
            wait = _POLL
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                wait = min(wait, left)
            try:
                action, table, record = events.get(timeout=wait)
            except queue.Empty:
                continue
            self.stdout.write(_line(action, table, record))
            seen += 1
            if max_events is not None and seen >= max_events:
                return

    def _install_sigterm(self) -> tuple[bool, Any]:
        if threading.current_thread() is not threading.main_thread():
            return False, None  # signal handlers can only be set in the main thread

        def on_sigterm(signum: int, frame: FrameType | None) -> None:
            self.stop.set()

        return True, signal.signal(signal.SIGTERM, on_sigterm)
