"""Every Python block of README.md runs, in order, against Onyx Local with the example schema
and seed data, as a reader would run them one after the other (one namespace per file).

A block that cannot run says why, on the line before its fence::

    <!-- snippet: not run (a settings module: see docs/django.md) -->

A block that needs a command run first (in its directory, with this virtualenv's programs) says
which::

    <!-- snippet: after `onyx-py gen` -->

Top-level ``await`` / ``async with`` run in an event loop; a ``test_*`` function a block defines
is called with the fixtures it names (``onyx_db``). Each block starts in a temporary directory
holding ``onyx.schema.json``, with ``ONYX_CONFIG_PATH`` pointing at the server's credentials.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from onyx_database.local import LocalServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "example_projects"
FILES = ["README.md"]
NOT_RUN = re.compile(r"<!--\s*snippet:\s*not run\s*\((?P<reason>[^)]+)\)\s*-->")
AFTER = re.compile(r"<!--\s*snippet:\s*after\s*`(?P<command>[^`]+)`\s*-->")


@dataclass(frozen=True)
class Snippet:
    file: str
    line: int
    code: str
    skip_reason: str | None
    setup: str | None = None

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def snippets(name: str) -> list[Snippet]:
    """The ```python blocks of ``name`` (a path relative to the repository root)."""
    lines = (ROOT / name).read_text().splitlines()
    found: list[Snippet] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```python":
            start = index
            end = lines.index("```", start + 1)
            before = next((x for x in reversed(lines[:start]) if x.strip()), "")
            marker = NOT_RUN.search(before)
            after = AFTER.search(before)
            code = "\n".join(lines[start + 1 : end])
            found.append(
                Snippet(
                    name,
                    start + 1,
                    code,
                    marker["reason"] if marker else None,
                    after["command"] if after else None,
                )
            )
            index = end
        index += 1
    return found


ALL = [snippet for name in FILES for snippet in snippets(name)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    data = tmp_path_factory.mktemp("snippets-onyx")
    with LocalServer(data, schema=EXAMPLES / "onyx.schema.json") as local:
        records = json.loads((EXAMPLES / "team.seed.json").read_text())
        import onyx_database

        with onyx_database.init(config_path=str(local.config_path)) as db:
            for table, rows in records.items():
                db.batch_save(table, rows)
        yield local


@pytest.fixture(scope="module")
def namespaces() -> Iterator[dict[str, dict[str, Any]]]:
    import onyx_database

    found: dict[str, dict[str, Any]] = {}
    yield found
    for namespace in found.values():  # the clients the blocks opened and left open, as readers do
        for value in namespace.values():
            if isinstance(value, onyx_database.OnyxDatabase):
                value.close()


@pytest.fixture
def workdir(server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(EXAMPLES / "onyx.schema.json", tmp_path / "onyx.schema.json")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ONYX_CONFIG_PATH", str(server.config_path))
    return tmp_path


def run(code: str, namespace: dict[str, Any]) -> None:
    compiled = compile(code, "<snippet>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    if compiled.co_flags & inspect.CO_COROUTINE:
        asyncio.run(eval(compiled, namespace))  # noqa: S307 (our own documentation's code)
    else:
        exec(compiled, namespace)  # noqa: S102


@pytest.mark.parametrize("snippet", ALL, ids=[s.id for s in ALL])
def test_snippet_runs(
    snippet: Snippet,
    workdir: Path,
    namespaces: dict[str, dict[str, Any]],
) -> None:
    if snippet.skip_reason:
        pytest.skip(f"not run: {snippet.skip_reason}")
    namespace = namespaces.setdefault(snippet.file, {"__name__": "__snippet__"})
    before = set(namespace)
    if snippet.setup:
        bin_dir = Path(sys.executable).parent
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        subprocess.run(shlex.split(snippet.setup), cwd=workdir, env=env, check=True)
    sys.path.insert(0, str(workdir))
    try:
        run(snippet.code, namespace)
    finally:
        sys.path.remove(str(workdir))
        for name, module in list(sys.modules.items()):  # packages the block imported from here
            if str(getattr(module, "__file__", "") or "").startswith(str(workdir)):
                del sys.modules[name]
    for name in sorted(set(namespace) - before):
        if name.startswith("test_") and callable(namespace[name]):
            import onyx_database

            with onyx_database.init() as onyx_db:
                fixtures = {"onyx_db": onyx_db}
                wanted = inspect.signature(namespace[name]).parameters
                namespace[name](**{p: fixtures[p] for p in wanted})


def test_every_snippet_is_collected() -> None:
    assert len(ALL) >= 10
    assert all(s.code.strip() for s in ALL)
