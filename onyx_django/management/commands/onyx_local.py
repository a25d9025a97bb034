"""``manage.py onyx_local``: Onyx Local in the foreground with this project's schema and settings.

``python manage.py onyx_local [--database default] [--schema onyx.schema.json] [--port 8787]
[--quiet] [--latency MS]``

As ``runserver`` starts Django: it binds the loopback host and port of the alias's ``base_url``
and keeps its data (and the ``onyx-database.json`` credentials it writes on first start) in the
directory of the alias's ``config_path``, so the settings reach it as they are. Runs until
Ctrl-C or SIGTERM (or until :attr:`Command.stop` is set).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onyx_database.cli import CommandError as VerbError
from onyx_database.cli import Output, local_defaults

from ..._connections import DEFAULT_ALIAS, connections
from .._onyx_py import run_verb

DEFAULT_SCHEMA = "onyx.schema.json"


class Command(BaseCommand):
    help = (
        "Run Onyx Local (the SQLite-backed local server) with this project's schema and settings."
    )
    requires_system_checks: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stop = threading.Event()
        """Set it (from any thread, or by SIGTERM) to stop the server."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_ALIAS, help="settings.ONYX alias")
        parser.add_argument(
            "--schema", help="schema to publish at start (default ./onyx.schema.json if present)"
        )
        parser.add_argument("--data", help="data directory (default: the alias's config_path dir)")
        parser.add_argument("--host", help="interface to bind (default: the alias's base_url)")
        parser.add_argument("--port", type=int, help="port (default: the alias's base_url, 8787)")
        parser.add_argument("--quiet", action="store_true", help="do not log one line per request")
        parser.add_argument(
            "--latency", type=float, default=0.0, metavar="MS", help="delay every answer by MS ms"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        alias: str = options["database"]
        try:
            settings = connections.settings(alias)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc), returncode=2) from exc
        # The alias's own options, not its resolved config: on the first start the credentials
        # file it names does not exist yet (Onyx Local writes it).
        host, port, data = local_defaults(
            settings.get("base_url") or settings.get("baseUrl"),
            settings.get("config_path") or settings.get("configPath"),
        )
        schema = options["schema"]
        if schema is None and Path(DEFAULT_SCHEMA).is_file():
            schema = DEFAULT_SCHEMA

        def serve_here(out: Output) -> int:
            try:
                from onyx_database.local import serve
            except ImportError as exc:
                raise VerbError(f"Onyx Local needs the [local] extra ({exc})") from None
            return serve(
                options["data"] or data,
                host=options["host"] or host,
                port=port if options["port"] is None else options["port"],
                schema=schema,
                latency_ms=options["latency"],
                quiet=options["quiet"],
                stop=self.stop,
                stdout=out.stdout,
                stderr=out.stderr,
            )

        run_verb("onyx_local", self.stdout, self.stderr, serve_here)
