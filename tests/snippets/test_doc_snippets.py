"""Every Python block of README.md and docs/ runs, in order, against Onyx Local with the example
schema and seed data, as a reader would run a page's blocks one after the other (one namespace,
and one fresh Onyx Local, per file).

A block that cannot run says why, on the line before its fence::

    <!-- snippet: not run (needs Onyx Cloud: Onyx Local has no AI endpoints) -->

A block that needs a command run first (in its directory, with this virtualenv's programs) says
which::

    <!-- snippet: after `onyx-py gen` -->

A settings module runs in a child process, as the settings of ``manage.py check`` (warnings
included), with the same Onyx Local::

    <!-- snippet: Django settings, checked by `manage.py check` -->

Top-level ``await`` / ``async with`` run in an event loop; a ``test_*`` function a block defines
is called with the fixtures it names (``onyx_db``), on empty tables as the pytest plugin's. Each
block starts in a temporary directory holding ``onyx.schema.json``, with ``ONYX_CONFIG_PATH``
pointing at the page's server.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from snippet_runner import run

from onyx_database import onyx
from onyx_database.local import LocalServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "example_projects"
BLOCK_TIMEOUT = 300  # seconds; generous, for a loaded machine
# pages written in a Django project, and the app their models belong to: run by snippet_runner
DJANGO_PAGES = {"docs/django.md": "people", "docs/admin.md": "backoffice"}
FILES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^(?P<indent>\s*)```\s*(?P<info>\S*)")
PYTHON_INFO = re.compile(r"^(py|python|python3|pycon)\b", re.I)
NOT_RUN = re.compile(r"<!--\s*snippet:\s*not run\s*\((?P<reason>.+)\)\s*-->")
AFTER = re.compile(r"<!--\s*snippet:\s*after\s*`(?P<command>[^`]+)`\s*-->")
DJANGO_SETTINGS = re.compile(
    r"<!--\s*snippet:\s*Django settings, checked by `manage.py check`\s*-->"
)
MENTIONED_PATH = re.compile(r"\b(?:tests|example_projects|docs)/[\w./-]*\w")


@dataclass(frozen=True)
class Snippet:
    file: str
    line: int
    code: str
    skip_reason: str | None
    setup: str | None = None
    django_settings: bool = False

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def snippets(name: str) -> list[Snippet]:
    """The ```python blocks of ``name`` (a path relative to the repository root), indented ones
    (in a list item or an admonition) included."""
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    found: list[Snippet] = []
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence:
            start = index
            end = lines.index(f"{fence['indent']}```", start + 1)
            if fence["info"] == "python":
                before = next((x for x in reversed(lines[:start]) if x.strip()), "")
                marker = NOT_RUN.search(before)
                after = AFTER.search(before)
                found.append(
                    Snippet(
                        name,
                        start + 1,
                        textwrap.dedent("\n".join(lines[start + 1 : end])),
                        marker["reason"] if marker else None,
                        after["command"] if after else None,
                        bool(DJANGO_SETTINGS.search(before)),
                    )
                )
            index = end
        index += 1
    return found


ALL = [snippet for name in FILES for snippet in snippets(name)]


class Page:
    """The Onyx Local and the namespace of the file whose blocks are running: a page's blocks
    share both (as a reader's session would); the next page starts from fresh seed data."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.file: str | None = None
        self.server: LocalServer | None = None
        self.namespace: dict[str, Any] = {}
        self.django: subprocess.Popen[str] | None = None

    def enter(self, file: str) -> tuple[LocalServer, dict[str, Any]]:
        if file != self.file or self.server is None:
            self.close()
            self.server = LocalServer(self.data / file.replace("/", "_"), schema=SCHEMA)
            self.server.__enter__()
            self.seed()
            onyx.clear_cache_config()  # the config chain cached the last page's server
            self.file = file
            if file in DJANGO_PAGES:
                self.django = self.start_django(DJANGO_PAGES[file])
            self.namespace = {"__name__": "__snippet__"}
        return self.server, self.namespace

    def seed(self) -> None:
        import onyx_database

        assert self.server is not None
        with onyx_database.init(config_path=str(self.server.config_path)) as db:
            for table, rows in json.loads((EXAMPLES / "team.seed.json").read_text()).items():
                db.batch_save(table, rows)

    def start_django(self, app: str) -> subprocess.Popen[str]:
        assert self.server is not None
        here = Path(__file__).parent
        env = {
            **os.environ,
            "ONYX_CONFIG_PATH": str(self.server.config_path),
            "PYTHONPATH": os.pathsep.join([str(here), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        command = [sys.executable, "-m", "snippet_runner", app]
        stderr = (self.data / "django-worker.log").open("a")
        with stderr:
            return subprocess.Popen(
                command,
                env=env,
                text=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )

    def run_in_django(self, code: str, cwd: Path) -> None:
        assert self.django is not None and self.django.stdin and self.django.stdout
        self.django.stdin.write(json.dumps({"code": code, "cwd": str(cwd)}) + "\n")
        self.django.stdin.flush()
        ready, _, _ = select.select([self.django.stdout], [], [], BLOCK_TIMEOUT)
        if not ready:  # a block that never ends fails instead of hanging the suite
            self.django.kill()
            self.close()
            pytest.fail(f"the block did not end within {BLOCK_TIMEOUT} s", pytrace=False)
        answer = self.django.stdout.readline()
        assert answer, "the Django worker ended: see django-worker.log in the test's temp dir"
        error = json.loads(answer)["error"]
        if error:
            pytest.fail(f"the block failed in the Django project:\n{error}", pytrace=False)

    def close(self) -> None:
        if self.django is not None:
            assert self.django.stdin and self.django.stdout
            self.django.stdin.close()
            self.django.wait(timeout=60)
            self.django.stdout.close()
            self.django = None
        import onyx_database

        for value in self.namespace.values():  # the clients the blocks opened and left open
            if isinstance(value, (onyx_database.OnyxDatabase, onyx_database.AsyncOnyxDatabase)):
                if isinstance(value, onyx_database.OnyxDatabase):
                    value.close()
                else:
                    asyncio.run(value.aclose())
        self.namespace = {}
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server = None


SCHEMA = EXAMPLES / "onyx.schema.json"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    current = Page(tmp_path_factory.mktemp("snippets-onyx"))
    yield current
    current.close()


@pytest.mark.parametrize("snippet", ALL, ids=[s.id for s in ALL])
def test_snippet_runs(
    snippet: Snippet, page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if snippet.skip_reason:
        pytest.skip(f"not run: {snippet.skip_reason}")
    server, namespace = page.enter(snippet.file)
    shutil.copy(SCHEMA, tmp_path / "onyx.schema.json")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ONYX_CONFIG_PATH", str(server.config_path))
    before = set(namespace)
    if snippet.setup:
        bin_dir = Path(sys.executable).parent
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        subprocess.run(shlex.split(snippet.setup), cwd=tmp_path, env=env, check=True)
    if snippet.django_settings:
        django_check(snippet.code, tmp_path)
        return
    if page.django is not None:
        page.run_in_django(snippet.code, tmp_path)
        return
    sys.path.insert(0, str(tmp_path))
    try:
        run(snippet.code, namespace)
    finally:
        sys.path.remove(str(tmp_path))
        for name, module in list(sys.modules.items()):  # packages the block imported from here
            places = [getattr(module, "__file__", None) or "", *getattr(module, "__path__", [])]
            if any(str(place).startswith(str(tmp_path)) for place in places):
                del sys.modules[name]
    for name in sorted(set(namespace) - before):
        if name.startswith("test_") and callable(namespace[name]):
            call_like_the_plugin(namespace[name], page)


def django_check(settings: str, directory: Path) -> None:
    """``manage.py check`` (warnings fail too) with ``settings`` as the settings module, in a
    child process: Django is configured once per process, and tests/django configures this one
    when the whole suite runs."""
    (directory / "snippet_settings.py").write_text(settings)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "snippet_settings",
        "PYTHONPATH": os.pathsep.join(
            [str(directory), str(ROOT), os.environ.get("PYTHONPATH", "")]
        ),
    }
    command = [sys.executable, "-m", "django", "check", "--fail-level", "WARNING"]
    result = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def call_like_the_plugin(test: Any, page: Page) -> None:
    """Call a test a block defines as the pytest plugin would: on empty tables (then the page's
    seed data is back for its next blocks)."""
    import onyx_database

    assert page.server is not None
    page.server.reset_data()
    try:
        with onyx_database.init() as onyx_db:
            fixtures = {"onyx_db": onyx_db}
            test(**{p: fixtures[p] for p in inspect.signature(test).parameters})
    finally:
        page.server.reset_data()
        page.seed()


@pytest.mark.parametrize("name", FILES)
def test_every_python_block_is_run_or_says_why(name: str) -> None:
    """A Python block the harness would not pick up (another info string, an unclosed fence) fails
    here, so no block slips through unrun; a reason names existing files and says something."""
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    python_fences = [
        n + 1
        for n, line in enumerate(lines)
        if (fence := FENCE.match(line)) and PYTHON_INFO.match(fence["info"])
    ]
    for n, line in enumerate(lines):  # a marker is understood and stands right above a block
        if line.strip().startswith("<!-- snippet:"):
            known = any(m.search(line) for m in (NOT_RUN, AFTER, DJANGO_SETTINGS))
            following = next((x for x in lines[n + 1 :] if x.strip()), "")
            assert known and following.strip() == "```python", f"{name}:{n + 1}: {line.strip()}"
    collected = [s for s in ALL if s.file == name]
    assert [s.line for s in collected] == python_fences, "use a plain ```python fence"
    for snippet in collected:
        assert snippet.code.strip(), snippet.id
        if snippet.skip_reason is not None:
            assert len(snippet.skip_reason.split()) >= 3, f"{snippet.id}: say why it cannot run"
            for path in MENTIONED_PATH.findall(snippet.skip_reason):
                assert (ROOT / path.split("::")[0]).exists(), f"{snippet.id}: {path} is missing"


def test_the_docs_are_collected() -> None:
    assert "README.md" in FILES and "docs/queries.md" in FILES
    assert len(ALL) >= 90
