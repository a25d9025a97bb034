"""Set everything up and serve the Django example (a team directory) against Onyx Local.

python3 scripts/demo.py               # http://127.0.0.1:8000 until Ctrl-C
python3 scripts/demo.py --flask       # the Flask example instead
python3 scripts/demo.py --check       # start, request the main pages, check them, stop (exit 0)
python3 scripts/demo.py --quickstart  # the command-line SDK tour (example_projects/quickstart)

Onyx Local keeps its SQLite file in ``example_projects/<app>/.onyx-local/``; the example data is
loaded again on every start.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _bootstrap

DEFAULT_PORT = 8000
DESCRIPTION = "Serve the Django (or Flask) example against Onyx Local with seed data."


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python3 scripts/demo.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--flask", action="store_true", help="serve the Flask example")
    parser.add_argument("--check", action="store_true", help="start, check the pages, stop")
    parser.add_argument("--quickstart", action="store_true", help="run the CLI quickstart")
    parser.add_argument("--port", type=int, default=None, help=f"port (default {DEFAULT_PORT})")
    return parser.parse_args(argv)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def serve(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(_bootstrap.ROOT / "example_projects"))
    from launcher import ADMIN_USER, APPS, ExampleSite, check_site

    kind = "flask" if args.flask else "django"
    say = lambda message: print(f"[demo] {message}", flush=True)  # noqa: E731
    if args.check:
        state = Path(tempfile.mkdtemp(prefix="onyx-demo-check-"))
        port = args.port
    else:
        state = APPS[kind] / ".onyx-local"
        port = args.port or DEFAULT_PORT
        if not _port_free(port):
            say(f"port {port} is taken: using another one (or pass --port N)")
            port = None
        # The demo's data is disposable: Onyx records are re-seeded, Django's SQLite rebuilt.
        (state / "django.sqlite3").unlink(missing_ok=True)
    site = ExampleSite(kind, state, port=port, quiet=args.check)
    try:
        site.start(progress=say)
        if args.check:
            problems = check_site(site, say=lambda line: print(f"[check] {line}", flush=True))
            say("all checks passed" if not problems else f"{len(problems)} checks failed")
            return 1 if problems else 0
        print(f"\n  The {kind} example is running: open {site.url}/", flush=True)
        if kind == "django":
            print(f"  Admin: {site.url}/admin/  user {ADMIN_USER}, password {site.admin_password}")
        else:
            print(f"  Admin: {site.url}/admin/  (Flask-Admin, no login)")
        print("  Press Ctrl-C to stop.\n", flush=True)
        assert site.process is not None
        site.process.wait()
        return site.process.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        site.stop()
        say("stopped the example and Onyx Local")
        if args.check:
            shutil.rmtree(state, ignore_errors=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    python = _bootstrap.project_python()
    code = _bootstrap.reexec_in(python, Path(__file__), argv)
    if code != -1:
        return code
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the servers as Ctrl-C does
    args = _parse(argv)
    if args.quickstart:
        demo = _bootstrap.ROOT / "example_projects" / "quickstart" / "demo.py"
        return subprocess.run([sys.executable, str(demo)], check=False).returncode
    return serve(args)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
