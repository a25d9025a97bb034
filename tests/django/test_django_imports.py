"""onyx_django is a thin adapter: it imports only public names of onyx_database (the same check
as ``tests/flask/test_flask_imports.py``, whose AST helper it reuses)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import onyx_django

PACKAGE = Path(onyx_django.__file__).parent


def _flask_check() -> ModuleType:
    path = Path(__file__).parents[1] / "flask" / "test_flask_imports.py"
    spec = importlib.util.spec_from_file_location("_flask_import_check", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_onyx_django_imports_no_private_core_module() -> None:
    imported_modules = _flask_check()._imported_modules
    offenders = {
        f"{path.relative_to(PACKAGE)}: {module}"
        for path in PACKAGE.rglob("*.py")
        for module in imported_modules(path)
        if module.startswith("onyx_database")
        and any(part.startswith("_") for part in module.split(".")[1:])
    }
    assert offenders == set()
