"""The ``local`` verb of the framework commands: Onyx Local in the foreground with the project's
schema file and the port and data directory its settings point at (as ``runserver`` does for
Django), until Ctrl-C or SIGTERM."""

from __future__ import annotations

import threading
import warnings
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit

from onyx_database import ResolvedConfig
from onyx_database._listen_loop import _stop_on_sigterm

from ._output import Output
from ._run import EXIT_OK, CommandError
from ._schema import DEFAULT_SCHEMA

__all__ = [
    "DEFAULT_DATA",
    "DEFAULT_PORT",
    "LocalDefaults",
    "config_file_of",
    "local_defaults",
    "serve_local",
]

DEFAULT_DATA = ".onyx-local"
DEFAULT_PORT = 8787
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_CONFIG_FILE = "onyx-database.json"

LocalDefaults = tuple[str, int, str]


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


def serve_local(
    out: Output,
    *,
    data: str = DEFAULT_DATA,
    schema: str | None = None,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    stop: threading.Event | None = None,
) -> int:
    """Run Onyx Local (:class:`onyx_database.local.LocalServer`) on ``host:port`` with its data
    in ``data``, publishing ``schema`` (default: ``./onyx.schema.json`` when it exists) at
    start, until Ctrl-C, SIGTERM or ``stop`` is set."""
    try:
        from onyx_database.local import LocalServer, RemoteBindWarning
    except ImportError as exc:
        raise CommandError(
            f"Onyx Local needs the [local] extra: pip install 'onyx-py[local]' ({exc})"
        ) from None
    if schema is None and Path(DEFAULT_SCHEMA).is_file():
        schema = DEFAULT_SCHEMA
    server = LocalServer(data, host=host, port=port, schema=schema)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RemoteBindWarning)
            server.start()
    except (OSError, ValueError, RuntimeError) as error:
        raise CommandError(f"cannot start Onyx Local: {error}", code=1) from None
    for warning in caught:
        out.error(f"WARNING: {warning.message}")
    stop = stop if stop is not None else threading.Event()
    try:
        with _stop_on_sigterm(stop):
            out.line(f"Onyx Local listening on {server.url}")
            out.line(f"database id: {server.database_id}")
            out.line(f"data: {data}")
            out.line(f"credentials: {server.config_path.resolve()}")
            out.line(f"schema: {schema or '(none published at start)'}")
            out.line("press Ctrl+C to stop")
            with suppress(KeyboardInterrupt):
                stop.wait()
    finally:
        server.stop()
    out.line("Onyx Local stopped")
    return EXIT_OK
