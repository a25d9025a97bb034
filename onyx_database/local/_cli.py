"""``onyx-py local``: run Onyx Local in the foreground until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from ._server import LocalServer

__all__ = ["main"]


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
    parser.add_argument("--tls-cert", metavar="FILE", help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", metavar="FILE", help="PEM private key for --tls-cert")
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
    )
    try:
        server.start()
    except (OSError, ValueError, RuntimeError) as error:
        print(f"onyx-py local: cannot start: {error}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        print(f"Onyx Local listening on {server.url}", flush=True)
        print(f"database id: {server.database_id}", flush=True)
        print(f"credentials: {server.config_path.resolve()}", flush=True)
        print("press Ctrl+C to stop", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    print("Onyx Local stopped", flush=True)
    return 0
