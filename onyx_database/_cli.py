"""The ``onyx-py`` console script (the commands are in :mod:`onyx_database.cli`).

::

    onyx-py gen [--source auto|api|file] [--schema PATH] [--out DIR ...] [--check] ...
    onyx-py schema get|publish|validate|diff|info|history [FILE] [options]
    onyx-py export TABLE [--out FILE] [--format jsonl|csv]
    onyx-py import TABLE FILE [--format jsonl|csv] [--batch-size N] [--resume] [--keep-going]
    onyx-py shell [--plain]
    onyx-py listen TABLE... [--max-events N] [--timeout S]
    onyx-py local [--host 127.0.0.1] [--port 8787] [--data DIR] [--schema FILE] [--latency MS]
    onyx-py version

Exit codes: 0 ok, 1 difference, invalid schema or refused records, 2 usage or configuration
error, 3 server or connection error, 130 interrupted (see docs/codegen-and-cli.md).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``onyx-py``; returns the process exit code.

    >>> main(["version"])  # doctest: +ELLIPSIS
    onyx-py ...
    0
    """
    try:
        import click

        from onyx_database.cli import build_app
    except ImportError as exc:
        print(f"onyx-py needs the [cli] extra: pip install 'onyx-py[cli]' ({exc})", file=sys.stderr)
        return 2
    command = build_app()
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        code = command.main(args=args, prog_name="onyx-py", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
