"""``onyx-py local``: run Onyx Local in the foreground until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import errno
import logging
import re
import signal
import sys
import threading
import warnings
from pathlib import Path
from types import FrameType

from ._app import access_logger
from ._bind import RemoteBindWarning
from ._budget import DEFAULT_QUERY_TIMEOUT, DEFAULT_REGEX_TIMEOUT
from ._datadir import DataDirInUse
from ._limits import DEFAULT_HEADER_TIMEOUT, DEFAULT_MAX_BODY, describe_size
from ._server import LocalServer

__all__ = ["main"]


_UNITS = {"": 1, "b": 1, "kib": 1 << 10, "kb": 1000, "mib": 1 << 20, "mb": 1000**2, "gib": 1 << 30}


def _size(text: str) -> int:
    """``8MiB``, ``512KiB``, ``1048576``: a size in bytes."""
    match = re.fullmatch(r"\s*(\d+)\s*([A-Za-z]*)\s*", text)
    if match is None or match.group(2).lower() not in _UNITS or int(match.group(1)) < 1:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 8MiB, 512KiB or 1048576)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onyx-py local",
        description="Serve the Onyx Cloud Database HTTP API on this machine, stored in SQLite.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port to listen on (8787; 0 = any)")
    parser.add_argument("--data", default=".onyx-local", help="data directory (./.onyx-local)")
    parser.add_argument("--schema", help="schema JSON file to publish at start")
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="MS", help="delay every answer by MS ms"
    )
    parser.add_argument(
        "--keep-alive",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="seconds between KEEP_ALIVE lines on idle query streams (15)",
    )
    parser.add_argument(
        "--test-hooks", action="store_true", help="enable fault injection (for test suites)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log one line per request")
    parser.add_argument("--tls-cert", metavar="FILE", help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", metavar="FILE", help="PEM private key for --tls-cert")
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--max-body",
        type=_size,
        default=DEFAULT_MAX_BODY,
        metavar="SIZE",
        help=f"largest request body; larger ones get 413 ({describe_size(DEFAULT_MAX_BODY)})",
    )
    limits.add_argument(
        "--query-timeout",
        type=float,
        default=DEFAULT_QUERY_TIMEOUT,
        metavar="SECONDS",
        help=f"time budget of one query; past it 422 QUERY_TIMEOUT ({DEFAULT_QUERY_TIMEOUT:g};"
        " 0 = none)",
    )
    limits.add_argument(
        "--regex-timeout",
        type=float,
        default=DEFAULT_REGEX_TIMEOUT,
        metavar="SECONDS",
        help=f"time limit of one regular-expression match ({DEFAULT_REGEX_TIMEOUT:g})",
    )
    limits.add_argument(
        "--header-timeout",
        type=float,
        default=DEFAULT_HEADER_TIMEOUT,
        metavar="SECONDS",
        help="close connections whose request headers take longer, with 408"
        f" ({DEFAULT_HEADER_TIMEOUT:g})",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run Onyx Local until interrupted; returns the process exit status.

    >>> main(["--port", "0", "--data", "/tmp/onyx"])  # doctest: +SKIP
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    if args.keep_alive <= 0:
        parser.error("--keep-alive must be > 0")
    if args.query_timeout < 0 or args.regex_timeout <= 0 or args.header_timeout <= 0:
        parser.error("--query-timeout must be >= 0, --regex-timeout and --header-timeout > 0")
    server = LocalServer(
        args.data,
        host=args.host,
        port=args.port,
        schema=args.schema,
        latency_ms=args.latency,
        test_hooks=args.test_hooks,
        keep_alive_interval=args.keep_alive,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        query_timeout=args.query_timeout or None,
        regex_timeout=args.regex_timeout,
        max_body=args.max_body,
        header_timeout=args.header_timeout,
        access_log=not args.quiet,
    )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RemoteBindWarning)
            server.start()
    except (OSError, ValueError, RuntimeError) as error:
        print(f"onyx-py local: cannot start: {_explain(error, args.port)}", file=sys.stderr)
        return 1
    if not args.quiet:
        _log_requests()
    for warning in caught:
        print(f"onyx-py local: WARNING: {warning.message}", file=sys.stderr, flush=True)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"Onyx Local listening on {server.url}", flush=True)
        print(f"database id: {server.database_id}", flush=True)
        print(f"credentials: {server.config_path.resolve()}", flush=True)
        print(_how_to_connect(server.config_path), flush=True)
        print("press Ctrl+C to stop", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    print("Onyx Local stopped", flush=True)
    return 0


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
    if absolute == (Path.cwd() / ".onyx-local" / config_path.name).resolve():
        return f"apps started from this directory find it automatically; elsewhere set {variable}"
    return f"point an app at it: set {variable}"


class _AccessFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{self.formatTime(record, '%H:%M:%S')} {record.getMessage()}"


def _log_requests() -> None:
    """Print the access log (one line per request) on stdout."""
    if access_logger.handlers:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_AccessFormatter())
    access_logger.addHandler(handler)
    access_logger.setLevel(logging.INFO)
    access_logger.propagate = False
