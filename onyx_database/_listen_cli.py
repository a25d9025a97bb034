"""``onyx-py listen TABLE...``: the framework-free front end of the listen loop.

::

    onyx-py listen User Order --max-events 10 --timeout 60

One ``ACTION Table {json}`` line per change on stdout, at least once across reconnects (the
:class:`~onyx_database.ChangeBridge`); config from the usual chain (environment, files) plus
``--database-id`` / ``--base-url`` / ``--config``. Exit codes: 0 stopped, 2 configuration or
usage error, 3 the stream stopped on an error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main_listen"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onyx-py listen",
        description="Print live changes of TABLES, one JSON line each, until Ctrl-C / SIGTERM.",
    )
    parser.add_argument("tables", nargs="+", metavar="TABLE")
    parser.add_argument("--max-events", type=int, help="stop after this many events")
    parser.add_argument("--timeout", type=float, help="stop after this many seconds")
    parser.add_argument("--database-id", help="database id (else from env / config files)")
    parser.add_argument("--base-url", help="API base URL (else from env / config files)")
    parser.add_argument("--config", help="config file (as ONYX_CONFIG_PATH)")
    return parser


def main_listen(argv: Sequence[str]) -> int:
    """Run ``onyx-py listen``; returns the exit code."""
    from . import (
        ChangeBridge,
        OnyxConfigError,
        OnyxDatabase,
        OnyxListenError,
        OnyxUsageError,
        config_from_options,
    )

    args = _parser().parse_args(list(argv))
    if args.max_events is not None and args.max_events < 1:
        print("onyx-py listen: --max-events must be >= 1", file=sys.stderr)
        return 2
    options: dict[str, Any] = {}
    if args.database_id:
        options["database_id"] = args.database_id
    if args.base_url:
        options["base_url"] = args.base_url
    if args.config:
        options["config_path"] = args.config
    try:
        # Resolved fresh (not the process cache), with the settings' environment isolation.
        db = OnyxDatabase(config_from_options(options, where="onyx-py listen"))
    except (OnyxConfigError, OnyxUsageError) as exc:
        print(f"onyx-py listen: configuration error: {exc}", file=sys.stderr)
        return 2
    from ._listen_loop import listen_loop

    def start(table: str, on_event: Any) -> ChangeBridge:
        return ChangeBridge(
            db.from_table(table), lambda action, record: on_event(action, table, record)
        ).start()

    with db:
        try:
            listen_loop(
                start,
                list(dict.fromkeys(args.tables)),
                echo=lambda line: print(line, flush=True),
                note=lambda text: print(text, file=sys.stderr, flush=True),
                max_events=args.max_events,
                timeout=args.timeout,
            )
        except OnyxListenError as exc:
            print(f"onyx-py listen: {exc}", file=sys.stderr)
            return 3
    return 0
