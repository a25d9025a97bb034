"""The public surface of ``onyx_database.cli`` is locked, and its docstring examples run."""

from __future__ import annotations

import doctest
import importlib

import pytest

import onyx_database.cli

PUBLIC = {
    "EXIT_DIFFERENT", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_SERVER", "EXIT_USAGE",
    "CommandError", "ConfigSource", "FileFormat", "ImportSummary", "LocalDefaults", "Output",
    "RecordWriter", "build_app", "checkpoint_path", "config_file_of", "connect", "export_table",
    "gen", "guarded", "import_table", "layered", "listen", "local_command", "local_defaults",
    "read_records", "resolved", "schema_diff", "schema_get", "schema_history", "schema_info",
    "schema_publish", "schema_validate", "shell", "version",
}  # fmt: skip

MODULES = [
    "onyx_database.cli", "onyx_database.cli._output", "onyx_database.cli._run",
    "onyx_database.cli._connect", "onyx_database.cli._schema", "onyx_database.cli._formats",
    "onyx_database.cli._transfer", "onyx_database.cli._local", "onyx_database._cli",
    "onyx_database.local._serve",
]  # fmt: skip


def test_public_surface_is_locked() -> None:
    assert set(onyx_database.cli.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(onyx_database.cli, name) is not None


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_codegen_keeps_generation_only() -> None:
    import onyx_database.codegen

    assert not {"main_gen", "main_schema"} & set(onyx_database.codegen.__all__)
    assert not hasattr(onyx_database.codegen, "main_gen")
