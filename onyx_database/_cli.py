"""The ``onyx-py`` console script.

::

    onyx-py gen [--source auto|api|file] [--schema PATH] [--out DIR ...] [--check] ...
    onyx-py schema get|publish|validate|diff|info|history [FILE] [options]
    onyx-py listen TABLE... [--max-events N] [--timeout S]
    onyx-py local [--host 127.0.0.1] [--port 8787] [--data DIR] [--schema FILE] [--latency MS]
    onyx-py version

Exit codes: 0 ok, 1 difference or invalid schema, 2 usage or configuration error,
3 server or connection error (see docs/codegen-and-cli.md).
"""

from __future__ import annotations

import sys
from importlib import metadata

USAGE = """usage: onyx-py <command> [options]

commands:
  gen       generate typed pydantic models from the schema (onyx-py gen --help)
  schema    get, diff, validate, publish the schema; show config info (onyx-py schema --help)
  listen    print live changes of tables, one JSON line each (onyx-py listen --help)
  local     run Onyx Local, the SQLite-backed local server (onyx-py local --help)
  version   print the version of onyx-py
"""


def _version() -> str:
    try:
        return metadata.version("onyx-py")
    except metadata.PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``onyx-py``; returns the process exit code.

    >>> main(["version"])  # doctest: +ELLIPSIS
    onyx-py ...
    0
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command in ("version", "--version"):
        print(f"onyx-py {_version()}")
        return 0
    if command == "gen":
        from onyx_database.codegen._commands import main_gen

        return main_gen(rest)
    if command == "schema":
        from onyx_database.codegen._commands import main_schema

        return main_schema(rest)
    if command == "listen":
        from onyx_database._listen_cli import main_listen

        return main_listen(rest)
    if command == "local":
        try:
            from onyx_database.local._cli import main as local_main
        except ImportError as exc:
            print(
                f"onyx-py local needs the [local] extra: pip install 'onyx-py[local]' ({exc})",
                file=sys.stderr,
            )
            return 2
        return local_main(rest)
    print(f"onyx-py: unknown command {command!r}\n\n{USAGE}", file=sys.stderr, end="")
    return 2


if __name__ == "__main__":
    sys.exit(main())
