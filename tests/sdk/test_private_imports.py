"""No adapter's tests import a private module of ``onyx_database`` (or of another adapter): they
use the public names, as users do. The core's own tests may reach its private modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
ADAPTER_TESTS = ["django", "flask", "browser", "examples", "snippets"]


def _private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] in {"onyx_database", "onyx_django", "onyx_flask"} and any(
                part.startswith("_") for part in parts[1:]
            ):
                found.append(f"{path.relative_to(TESTS)}:{node.lineno}: {name}")
    return found


@pytest.mark.parametrize("folder", ADAPTER_TESTS)
def test_adapter_tests_import_only_public_modules(folder: str) -> None:
    own = {"django": "onyx_django", "flask": "onyx_flask"}.get(folder)
    found = [
        line
        for path in sorted((TESTS / folder).rglob("*.py"))
        for line in _private_imports(path)
        if own is None or not line.split(": ", 1)[1].startswith(own + ".")
    ]
    assert found == []
