"""The ``django`` target of the generator: golden output, shadowing names, ruff and mypy."""

from __future__ import annotations

import os
from pathlib import Path

from onyx_database.codegen import build_package_spec, generate_package, write_package

from .helpers import BIN, EXAMPLE_SCHEMA, GOLDEN, RUFF_RULES, load, run


def test_django_target_golden_files() -> None:
    files = generate_package(load(EXAMPLE_SCHEMA), version="TEST", target="django")
    directory = GOLDEN / "example-django"
    if os.environ.get("ONYX_UPDATE_GOLDEN") == "1":
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (directory / f"{name}.golden").write_text(text, encoding="utf-8")
    for name, text in files.items():
        expected = (directory / f"{name}.golden").read_text(encoding="utf-8")
        assert text == expected, f"example-django/{name} differs (ONYX_UPDATE_GOLDEN=1 to accept)"


def test_django_target_renames_fields_that_shadow_model_attributes() -> None:
    schema = {
        "entities": [
            {
                "name": "Job",
                "identifier": {"name": "id", "generator": "None", "type": "String"},
                "attributes": [
                    {"name": "id", "type": "String"},
                    {"name": "save", "type": "String", "isNullable": True},
                    {"name": "pk", "type": "Int", "isNullable": True},
                    {"name": "objects", "type": "Int", "isNullable": True},
                ],
            }
        ]
    }
    django = {
        f.wire_name: f.python_name
        for f in build_package_spec(schema, target="django").model("Job").fields
    }
    plain = {f.wire_name: f.python_name for f in build_package_spec(schema).model("Job").fields}
    assert django == {"id": "id", "save": "save_", "pk": "pk_", "objects": "objects_"}
    assert plain == {"id": "id", "save": "save", "pk": "pk", "objects": "objects"}
    source = generate_package(schema, version="TEST", target="django")["models.py"]
    assert 'save_: str | None = Field(default=None, alias="save")' in source


def test_django_target_passes_ruff_and_mypy(tmp_path: Path) -> None:
    write_package(
        generate_package(load(EXAMPLE_SCHEMA), package="dj_models", target="django"),
        tmp_path / "dj_models",
    )
    (tmp_path / "usage.py").write_text(
        "from dj_models import UserProfile\n\n"
        "profile = UserProfile.onyx.filter(age__gte=18).first()\n"
        "if profile is not None:\n"
        "    profile.save(update_fields=['age'])\n",
        encoding="utf-8",
    )
    result = run(BIN / "ruff", "format", "--check", "--isolated", "dj_models", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(
        BIN / "ruff", "check", "--isolated", "--select", RUFF_RULES, "dj_models", cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(
        BIN / "python",
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        "--cache-dir",
        os.devnull,
        "dj_models",
        "usage.py",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
