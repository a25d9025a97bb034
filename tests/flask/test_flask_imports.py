"""onyx_flask is a thin adapter: it imports only public names of onyx_database."""

from __future__ import annotations

import ast
from pathlib import Path

import onyx_flask

PACKAGE = Path(onyx_flask.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_onyx_flask_imports_no_private_core_module():
    offenders = {
        f"{path.name}: {module}"
        for path in PACKAGE.rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith("onyx_database")
        and any(part.startswith("_") for part in module.split(".")[1:])
    }
    assert offenders == set()


def test_the_check_sees_private_imports(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text("from onyx_database._query import table_name\nimport onyx_database._config\n")
    assert "onyx_database._query" in _imported_modules(sample)
    assert "onyx_database._config" in _imported_modules(sample)
