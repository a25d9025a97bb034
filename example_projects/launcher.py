"""Start Onyx Local, seed it, and run one example web app (Django or Flask) against it.

``python3 scripts/demo.py`` uses this (the Django example, in the foreground, until Ctrl-C);
so do the tests of ``tests/examples`` and ``tests/browser``::

    with ExampleSite("django", state_dir) as site:
        httpx.get(site.url)

Onyx Local runs in this process (a :class:`~onyx_database.local.LocalServer` thread); the web app
is a child process (``manage.py runserver`` / ``flask run``) whose Onyx settings come from the
credentials file Onyx Local writes (``ONYX_CONFIG_PATH``).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx

import onyx_database as onyx
from onyx_database.local import LocalServer

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "onyx.schema.json"
SEED = HERE / "team.seed.json"
APPS = {"django": HERE / "django_app", "flask": HERE / "flask_app"}
ADMIN_USER = "admin"

Kind = Literal["django", "flask"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def seed(config_path: Path) -> dict[str, int]:
    """Replace every example table's records with ``team.seed.json``; counts per table."""
    records: dict[str, list[dict[str, Any]]] = json.loads(SEED.read_text())
    with onyx.init(config_path=str(config_path)) as db:
        for table in records:
            db.from_table(table).delete()
        for table, rows in records.items():
            db.batch_save(table, rows, batch_size=100)
    return {table: len(rows) for table, rows in records.items()}


class ExampleSite:
    """Onyx Local + one example app, started by ``start()`` (or ``with``), stopped by ``stop()``.

    ``url`` is the app's address; ``admin_password`` the Django admin's (user ``admin``), a new
    random one unless given. ``quiet`` sends the app's own request log to a file in
    ``state_dir`` instead of the terminal.
    """

    def __init__(
        self,
        kind: Kind,
        state_dir: Path,
        *,
        port: int | None = None,
        admin_password: str | None = None,
        quiet: bool = True,
    ) -> None:
        self.kind = kind
        self.state_dir = Path(state_dir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_password = admin_password or secrets.token_urlsafe(12)
        self.quiet = quiet
        self.server: LocalServer | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.counts: dict[str, int] = {}

    def start(self, progress: Any = None) -> ExampleSite:
        say = progress or (lambda message: None)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        say(f"starting Onyx Local (SQLite in {self.state_dir})")
        self.server = LocalServer(
            self.state_dir / "onyx", schema=SCHEMA, keep_alive_interval=5
        ).start()
        say(f"Onyx Local at {self.server.url}")
        self.counts = seed(self.server.config_path)
        say("seeded " + ", ".join(f"{n} {table}" for table, n in self.counts.items()))
        env = self._env()
        app_dir = APPS[self.kind]
        if self.kind == "django":
            self._run([sys.executable, "manage.py", "migrate", "--noinput"], app_dir, env)
            self._run(
                [
                    sys.executable,
                    "manage.py",
                    "createsuperuser",
                    "--noinput",
                    "--username",
                    ADMIN_USER,
                    "--email",
                    "admin@example.com",
                ],
                app_dir,
                {**env, "DJANGO_SUPERUSER_PASSWORD": self.admin_password},
            )
            command = [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                f"127.0.0.1:{self.port}",
            ]
        else:
            command = [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "teamdir_flask",
                "run",
                "--port",
                str(self.port),
            ]
        say(f"starting the {self.kind} example")
        log = open(self.state_dir / f"{self.kind}.log", "ab") if self.quiet else None  # noqa: SIM115
        self.process = subprocess.Popen(
            command, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT if log else None
        )
        if log:
            log.close()
        self._wait_until_up()
        return self

    def _env(self) -> dict[str, str]:
        assert self.server is not None
        # A settings module of the caller's (a test run's) is not the example's.
        env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        return {
            **env,
            "ONYX_CONFIG_PATH": str(self.server.config_path),
            "TEAMDIR_STATE_DIR": str(self.state_dir),
            "PYTHONUNBUFFERED": "1",
        }

    def _run(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
        if result.returncode != 0:
            self.stop()
            raise RuntimeError(
                f"{' '.join(command[1:3])} failed:\n{result.stderr.decode(errors='replace')}"
            )

    def _wait_until_up(self, timeout: float = 60.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the {self.kind} example exited with {self.process.returncode}")
            try:
                if httpx.get(self.url + "/", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the {self.kind} example did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> ExampleSite:
        return self.start() if self.process is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# -- the smoke check of `scripts/demo.py --check` and tests/examples ---------------------------

PAGES = {
    "django": {
        "list": "/",
        "detail": "/people/user-01/",
        "new": "/people/new/",
        "live": "/live/",
        "events": "/live/events/",
        "api": "/api/users/?q=ada",
    },
    "flask": {
        "list": "/",
        "detail": "/people/user-01",
        "new": "/people/new",
        "live": "/live/",
        "events": "/live/events",
        "api": "/api/users?q=ada",
    },
}


def check_site(site: ExampleSite, say: Any = print) -> list[str]:
    """Request the example's main pages and walk its main flow; the problems found (none: ok).

    List, next page, detail with resolved relations, the JSON API, a form posted invalid then
    valid, and the new record's audit entry arriving on the live stream (server-sent events).
    """
    import re
    import threading

    pages = PAGES[site.kind]
    problems: list[str] = []

    def expect(condition: bool, what: str) -> None:
        say(("ok    " if condition else "FAIL  ") + what)
        if not condition:
            problems.append(what)

    with httpx.Client(base_url=site.url, timeout=30) as client:
        first = client.get(pages["list"])
        expect(first.status_code == 200 and "ada.lovelace" in first.text, "list page")
        expect("Page 1 of 3" in first.text, "list is paginated (24 members, 10 a page)")
        second = client.get(pages["list"], params={"page": 2})
        expect(second.status_code == 200 and "Page 2 of 3" in second.text, "next page")
        search = client.get(pages["list"], params={"q": "hopper"})
        expect("grace.hopper" in search.text and "ada.lovelace" not in search.text, "search")
        detail = client.get(pages["detail"])
        expect(
            "Ada Lovelace" in detail.text and "engineer" in detail.text,
            "detail page with its profile and roles (resolvers)",
        )
        api = client.get(pages["api"])
        expect(api.status_code == 200 and "ada.lovelace" in api.text, "JSON API")
        live = client.get(pages["live"])
        expect(live.status_code == 200 and 'id="audit"' in live.text, "live page")
        script = client.get("/static/live.js")
        expect(script.status_code == 200 and "EventSource" in script.text, "live page script")
        if site.kind == "django":
            admin = client.get("/admin/login/")
            expect(admin.status_code == 200 and "Django administration" in admin.text, "admin")
            refused = client.post("/api/users/", json={"username": "api.user", "email": "no"})
            expect(refused.status_code == 400 and "email" in refused.json(), "API validates")
            made = client.post("/api/users/", json={"username": "api.user", "email": "a@b.io"})
            expect(made.status_code == 201, "API creates")
            inactive = client.get("/api/users/", params={"isActive": "false"}).json()
            expect(inactive.get("count") == 4, "API filters (4 of 24 seeded members inactive)")
        else:
            expect(client.get("/api/users/nobody").status_code == 404, "API answers 404")
            admin = client.get("/admin/member/", params={"search": "hopper"})
            expect(
                admin.status_code == 200
                and "grace.hopper" in admin.text
                and "ada.lovelace" not in admin.text,
                "Flask-Admin lists and searches the members",
            )

        form = client.get(pages["new"])
        token = re.search(r'name="(csrfmiddlewaretoken|csrf_token)" value="([^"]+)"', form.text)
        data = {token.group(1): token.group(2)} if token else {}
        forged = client.post(pages["new"], data={"username": "forged", "email": "f@x.io"})
        expect(
            token is not None and forged.status_code in (400, 403),
            "a form without its CSRF token is refused",
        )
        invalid = client.post(pages["new"], data={**data, "username": "", "email": "nope"})
        expect(
            invalid.status_code == 200 and "This field is required." in invalid.text,
            "an invalid form is shown again with its errors",
        )

        heard: list[str] = []
        subscribed = threading.Event()

        def listen() -> None:
            with httpx.stream("GET", site.url + pages["events"], timeout=30) as events:
                for line in events.iter_lines():
                    subscribed.set()
                    if line.startswith("data:"):
                        heard.append(line)
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        subscribed.wait(30)
        username = f"check{secrets.token_hex(3)}"
        valid = client.post(
            pages["new"],
            data={
                **data,
                "username": username,
                "email": f"{username}@example.com",
                "isActive": "on",
            },
        )
        expect(valid.status_code == 302, "a valid form creates the member and redirects")
        created = client.get(valid.headers.get("location", "/"))
        expect(username in created.text, "the new member's page")
        listener.join(30)
        arrived = any(username in line for line in heard)
        expect(arrived, "its audit entry arrives on the live stream")

        member = valid.headers.get("location", "/").rstrip("/")
        slash = "/" if site.kind == "django" else ""
        edited = client.post(
            f"{member}/edit{slash}",
            data={**data, "username": username, "email": f"{username}@example.org"},
        )
        page = client.get(f"{member}{slash}")
        expect(edited.status_code == 302 and "@example.org" in page.text, "edit form")
        deleted = client.post(f"{member}/delete{slash}", data=data)
        gone = client.get(f"{member}{slash}")
        expect(deleted.status_code == 302 and gone.status_code == 404, "delete")
    return problems
