"""``serve()``: Onyx Local in the foreground, printing where it listens, until interrupted.

``onyx-py local``, ``python -m onyx_database.local``, ``manage.py onyx_local`` and
``flask onyx local`` all call it with their options.
"""

from __future__ import annotations

import errno
import logging
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import IO, Any

from ._app import access_logger
from ._bind import RemoteBindWarning
from ._budget import DEFAULT_QUERY_TIMEOUT, DEFAULT_REGEX_TIMEOUT
from ._datadir import DataDirInUse
from ._limits import DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_BODY
from ._server import LocalServer

__all__ = ["DEFAULT_DATA", "DEFAULT_PORT", "serve"]

DEFAULT_DATA = ".onyx-local"
DEFAULT_PORT = 8787


def serve(
    data: str | Path = DEFAULT_DATA,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    schema: str | Path | dict[str, Any] | None = None,
    latency_ms: float = 0.0,
    keep_alive: float = 15.0,
    test_hooks: bool = False,
    quiet: bool = False,
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    query_timeout: float | None = DEFAULT_QUERY_TIMEOUT,
    regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    stop: threading.Event | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run Onyx Local (a :class:`LocalServer`) on ``host:port`` with its data in ``data`` until
    Ctrl-C, SIGTERM or ``stop`` is set; returns the exit status: 0 once stopped, 1 when it
    cannot start (the reason, with what to do about it, is printed on ``stderr``).

    On ``stdout`` (default ``sys.stdout``) it prints the URL, the database id, the credentials
    file it wrote (``data/onyx-database.json``) and how an app finds it, then one line per
    request unless ``quiet``. Serving plain HTTP beyond loopback prints a warning on
    ``stderr``. ``schema`` (a file or a dict) is published at start; ``query_timeout`` ``None``
    or ``0`` means no limit; the other options are :class:`LocalServer`'s. Signal handlers are
    only installed from the main thread: from another one, set ``stop``.

    >>> import tempfile, threading
    >>> from onyx_database.local import serve
    >>> stop = threading.Event()
    >>> stop.set()  # stops at once; leave it unset to serve until Ctrl-C
    >>> serve(tempfile.mkdtemp(), port=0, quiet=True, stop=stop)  # doctest: +ELLIPSIS
    Onyx Local listening on http://127.0.0.1:...
    database id: ...
    credentials: /.../onyx-database.json
    point an app at it: set ONYX_CONFIG_PATH=/.../onyx-database.json
    press Ctrl+C to stop
    Onyx Local stopped
    0
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    server = LocalServer(
        data,
        host=host,
        port=port,
        schema=schema,
        latency_ms=latency_ms,
        test_hooks=test_hooks,
        keep_alive_interval=keep_alive,
        tls_cert=tls_cert,
        tls_key=tls_key,
        query_timeout=query_timeout or None,
        regex_timeout=regex_timeout,
        max_body=max_body,
        header_timeout=header_timeout,
        access_log=not quiet,
    )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RemoteBindWarning)
            server.start()
    except (OSError, ValueError, RuntimeError) as error:
        _write(err, f"cannot start Onyx Local: {_explain(error, port)}")
        return 1
    stop = stop if stop is not None else threading.Event()
    try:
        for warning in caught:
            _write(err, f"WARNING: {warning.message}")
        with _stop_on_signals(stop), _access_log(None if quiet else out):
            _write(out, f"Onyx Local listening on {server.url}")
            _write(out, f"database id: {server.database_id}")
            _write(out, f"credentials: {server.config_path.resolve()}")
            _write(out, _how_to_connect(server.config_path))
            if schema is not None and not isinstance(schema, dict):
                _write(out, f"schema: {schema}")
            _write(out, "press Ctrl+C to stop")
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass  # a signal handler of the caller's, or none installed here
    finally:
        server.stop()
    _write(out, "Onyx Local stopped")
    return 0


def _write(stream: IO[str], line: str) -> None:
    stream.write(line + "\n")
    stream.flush()


def _explain(error: BaseException, port: int) -> str:
    """The start failure, with what to do about a port already taken."""
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return (
            f"port {port} is already in use by another process; choose another with --port N,"
            " or --port 0 for any free port"
        )
    if isinstance(error, DataDirInUse):
        return f"{error} (or pass another --data directory)"
    return str(error)


def _how_to_connect(config_path: Path) -> str:
    """How an app finds the credentials file: ``./.onyx-local/onyx-database.json`` is on the
    config chain; anywhere else it is named by ``ONYX_CONFIG_PATH``."""
    absolute = config_path.resolve()
    variable = f"ONYX_CONFIG_PATH={absolute}"
    if absolute == (Path.cwd() / DEFAULT_DATA / config_path.name).resolve():
        return f"apps started from this directory find it automatically; elsewhere set {variable}"
    return f"point an app at it: set {variable}"


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (from the main thread only: Python's rule)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _AccessFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{self.formatTime(record, '%H:%M:%S')} {record.getMessage()}"


@contextmanager
def _access_log(stream: IO[str] | None) -> Iterator[None]:
    """The access log (one line per request) on ``stream`` while serving, unless the
    application already configured handlers of its own for it."""
    if stream is None or access_logger.handlers:
        yield
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_AccessFormatter())
    level, propagate = access_logger.level, access_logger.propagate
    access_logger.addHandler(handler)
    access_logger.setLevel(logging.INFO)
    access_logger.propagate = False
    try:
        yield
    finally:
        access_logger.removeHandler(handler)
        access_logger.setLevel(level)
        access_logger.propagate = propagate
