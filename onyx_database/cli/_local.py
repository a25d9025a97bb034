"""The ``local`` command: :func:`onyx_database.local.serve` with its flags, for ``onyx-py
local`` and ``python -m onyx_database.local`` (defaults: 127.0.0.1, port 8787, ``./.onyx-local``)
and for ``flask onyx local`` (defaults: the project's settings, as ``runserver`` does for
Django; ``manage.py onyx_local`` calls ``serve`` with the same rule)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from onyx_database import ResolvedConfig

from ._schema import DEFAULT_SCHEMA

__all__ = [
    "DEFAULT_DATA",
    "DEFAULT_PORT",
    "LocalDefaults",
    "config_file_of",
    "local_command",
    "local_defaults",
    "local_main",
    "parse_size",
]

DEFAULT_DATA = ".onyx-local"
DEFAULT_PORT = 8787
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_CONFIG_FILE = "onyx-database.json"

LocalDefaults = tuple[str, int, str]
"""``(host, port, data dir)``."""


def local_defaults(base_url: str | None = None, config_file: str | None = None) -> LocalDefaults:
    """``(host, port, data dir)`` for Onyx Local from a project's settings: the loopback host and
    port of its ``base_url``, and the directory of the ``onyx-database.json`` it reads its
    credentials from (the file Onyx Local writes there on first start).

    >>> local_defaults("http://127.0.0.1:9999", "var/onyx/onyx-database.json")
    ('127.0.0.1', 9999, 'var/onyx')
    >>> local_defaults("https://api.onyx.dev")
    ('127.0.0.1', 8787, '.onyx-local')
    """
    host, port, data = "127.0.0.1", DEFAULT_PORT, DEFAULT_DATA
    url = urlsplit(base_url or "")
    if url.scheme == "http" and url.hostname in _LOOPBACK and url.port:
        host, port = url.hostname, url.port
    if config_file and Path(config_file).name == _CONFIG_FILE:
        data = str(Path(config_file).parent)
    return host, port, data


def config_file_of(config: ResolvedConfig) -> str | None:
    """The config file ``config``'s credentials came from, if any.

    >>> config_file_of(ResolvedConfig(database_id="d", api_key="k", api_secret="s",
    ...                               sources={"api_key": "file var/onyx-database.json"}))
    'var/onyx-database.json'
    """
    source = config.sources.get("api_key", "")
    for prefix in ("file ", "config_path ", "ONYX_CONFIG_PATH "):
        if source.startswith(prefix):
            return source[len(prefix) :]
    return None


_UNITS = {"": 1, "b": 1, "kib": 1 << 10, "kb": 1000, "mib": 1 << 20, "mb": 1000**2, "gib": 1 << 30}


def parse_size(text: str) -> int:
    """``8MiB``, ``512KiB``, ``1048576``: a size in bytes.

    >>> parse_size("8MiB"), parse_size("1kb"), parse_size("42")
    (8388608, 1000, 42)
    >>> parse_size("lots")
    Traceback (most recent call last):
    ...
    ValueError: not a size: 'lots' (try 8MiB, 512KiB or 1048576)
    """
    match = re.fullmatch(r"\s*(\d+)\s*([A-Za-z]*)\s*", text)
    if match is None or match.group(2).lower() not in _UNITS or int(match.group(1)) < 1:
        raise ValueError(f"not a size: {text!r} (try 8MiB, 512KiB or 1048576)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    try:
        return None if value is None else parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _standalone_defaults() -> LocalDefaults:
    return "127.0.0.1", DEFAULT_PORT, DEFAULT_DATA


def local_command(
    defaults: Callable[[], LocalDefaults] | None = None, *, name: str = "local"
) -> click.Command:
    """The ``local`` command calling :func:`onyx_database.local.serve`.

    Without ``defaults`` it is ``onyx-py local``: 127.0.0.1, port 8787, ``./.onyx-local``, no
    schema unless ``--schema``. With ``defaults`` (a framework's, from its settings: see
    :func:`local_defaults`) ``--host``, ``--port`` and ``--data`` default to what it returns,
    and ``--schema`` to ``./onyx.schema.json`` when it exists.

    >>> from click.testing import CliRunner
    >>> "--max-body SIZE" in CliRunner().invoke(local_command(), ["--help"]).output
    True
    """
    framework = defaults is not None
    resolve = defaults if defaults is not None else _standalone_defaults
    where = "the settings' base_url" if framework else None

    def callback(**flags: Any) -> None:
        if (flags["tls_cert"] is None) != (flags["tls_key"] is None):
            raise click.UsageError("--tls-cert and --tls-key go together")
        try:
            from onyx_database.local import serve
        except ImportError as exc:
            raise click.UsageError(
                f"Onyx Local needs the [local] extra: pip install 'onyx-py[local]' ({exc})"
            ) from None
        host, port, data = resolve()
        schema = flags["schema"]
        if schema is None and framework and Path(DEFAULT_SCHEMA).is_file():
            schema = DEFAULT_SCHEMA
        # Limits left unset keep serve()'s defaults (the help text names them).
        limits = {
            name: flags[name]
            for name in ("max_body", "query_timeout", "regex_timeout", "header_timeout")
            if flags[name] is not None
        }
        code = serve(
            flags["data"] or data,
            host=flags["host"] or host,
            port=port if flags["port"] is None else flags["port"],
            schema=schema,
            latency_ms=flags["latency"],
            keep_alive=flags["keep_alive"],
            test_hooks=flags["test_hooks"],
            quiet=flags["quiet"],
            tls_cert=flags["tls_cert"],
            tls_key=flags["tls_key"],
            **limits,
        )
        if code:
            raise click.exceptions.Exit(code)

    positive = click.FloatRange(min=0, min_open=True)
    params: list[click.Parameter] = [
        click.Option(
            ["--host"],
            help=f"interface to bind (default: {where} host)"
            if framework
            else "interface to bind (127.0.0.1)",
        ),
        click.Option(
            ["--port"],
            type=int,
            help=f"port (default: {where} port, else {DEFAULT_PORT})"
            if framework
            else f"port to listen on ({DEFAULT_PORT}; 0 = any)",
        ),
        click.Option(
            ["--data"],
            metavar="DIR",
            help="data directory (default: where the settings' onyx-database.json is, else "
            f"{DEFAULT_DATA})"
            if framework
            else f"data directory (./{DEFAULT_DATA})",
        ),
        click.Option(
            ["--schema"],
            metavar="FILE",
            help=f"schema to publish at start (default ./{DEFAULT_SCHEMA} when it exists)"
            if framework
            else "schema JSON file to publish at start",
        ),
        click.Option(
            ["--latency"],
            type=click.FloatRange(min=0),
            default=0.0,
            metavar="MS",
            help="delay every answer by MS ms",
        ),
        click.Option(
            ["--keep-alive"],
            type=positive,
            default=15.0,
            metavar="SECONDS",
            help="seconds between KEEP_ALIVE lines on idle query streams (15)",
        ),
        click.Option(
            ["--test-hooks"], is_flag=True, help="enable fault injection (for test suites)"
        ),
        click.Option(["--quiet"], is_flag=True, help="do not log one line per request"),
        click.Option(["--tls-cert"], metavar="FILE", help="PEM certificate: serve HTTPS"),
        click.Option(["--tls-key"], metavar="FILE", help="PEM private key for --tls-cert"),
        click.Option(
            ["--max-body"],
            callback=_size,
            metavar="SIZE",
            help="largest request body; larger ones get 413 (8MiB)",
        ),
        click.Option(
            ["--query-timeout"],
            type=click.FloatRange(min=0),
            metavar="SECONDS",
            help="time budget of one query; past it 422 QUERY_TIMEOUT (30; 0 = none)",
        ),
        click.Option(
            ["--regex-timeout"],
            type=positive,
            metavar="SECONDS",
            help="time limit of one regular-expression match (1)",
        ),
        click.Option(
            ["--header-timeout"],
            type=positive,
            metavar="SECONDS",
            help="close connections whose request headers take longer, with 408 (10)",
        ),
    ]
    help_text = (
        "Run Onyx Local with this project's schema and settings, until Ctrl-C."
        if framework
        else "Serve the Onyx Cloud Database HTTP API on this machine, stored in SQLite,"
        " until Ctrl-C."
    )
    return click.Command(
        name,
        callback=callback,
        params=params,
        help=help_text,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


def local_main(argv: list[str] | None = None, *, prog_name: str = "onyx-py local") -> int:
    """Run ``onyx-py local``'s command line (``python -m onyx_database.local``); returns the
    exit status."""
    command = local_command()
    try:
        code = command.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        return 130
    return code if isinstance(code, int) else 0
