"""Code generation: an Onyx schema document → a package of typed pydantic v2 models.

The steps are pure and deterministic (the same schema and options give the same bytes):
:func:`build_package_spec` reads a schema document into an intermediate form
(:class:`PackageSpec` → :class:`ModelSpec` → :class:`FieldSpec`), and :func:`render_package`
turns that into source files. :func:`generate_package` does both. Only :func:`write_package`
and :func:`check_package` touch the file system.

>>> schema = {"entities": [{"name": "User",
...     "identifier": {"name": "id", "generator": "None", "type": "String"},
...     "attributes": [{"name": "id", "type": "String"},
...                    {"name": "class", "type": "String", "isNullable": True}]}]}
>>> files = generate_package(schema, version="1.0")
>>> sorted(files)
['__init__.py', 'models.py', 'tables.py']
>>> print(files["models.py"].splitlines()[-1])
    class_: str | None = Field(default=None, alias="class")

The generated package has one model per table (``class User(OnyxModel)`` with
``__onyx_table__``, ``__onyx_identifier__`` and ``__onyx_partition__`` class variables), a
``tables`` class whose members are the model classes (``db.from_table(tables.User)``) and
``SCHEMA: dict[str, type[BaseModel]]`` keyed by table name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._names import class_name, field_name
from ._render import render_package
from ._spec import (
    TARGETS,
    TIMESTAMP_MODES,
    FieldSpec,
    ModelSpec,
    PackageSpec,
    Target,
    TimestampMode,
    build_package_spec,
    normalize_schema,
    python_type,
    resolver_cascade,
    resolver_target,
    revision_id,
)

__all__ = [
    "TARGETS",
    "TIMESTAMP_MODES",
    "FieldSpec",
    "ModelSpec",
    "PackageSpec",
    "Target",
    "TimestampMode",
    "build_package_spec",
    "check_package",
    "class_name",
    "field_name",
    "generate_package",
    "generator_version",
    "normalize_schema",
    "python_type",
    "render_package",
    "resolver_cascade",
    "resolver_target",
    "revision_id",
    "write_package",
]


def generator_version() -> str:
    """The version written into generated headers (the installed ``onyx-py`` version)."""
    from onyx_database._transport import __version__

    return str(__version__)


def generate_package(
    schema: Mapping[str, Any],
    *,
    tables: Iterable[str] | None = None,
    timestamps: TimestampMode = "datetime",
    package: str = "onyx_models",
    version: str | None = None,
    target: Target = "pydantic",
) -> dict[str, str]:
    """Generate the model package for ``schema``: ``{file name: source}``.

    ``tables`` limits the output to some tables (resolvers typed with a table left out become
    ``Any``); ``timestamps`` maps ``Timestamp`` attributes to ``AwareDatetime`` (``datetime``),
    ``str`` (``string``) or ``float`` (``number``); ``package`` is the import name used in the
    generated docstrings; ``version`` defaults to :func:`generator_version`. ``target="django"``
    bases the models on ``onyx_django.models.OnyxModel`` (managers, instance API, ``_meta``).
    """
    spec = build_package_spec(schema, tables=tables, timestamps=timestamps, target=target)
    return render_package(spec, version=version or generator_version(), package=package)


def write_package(files: Mapping[str, str], out_dir: str | Path) -> list[Path]:
    """Write the generated files into ``out_dir`` (created if needed); returns the paths written.

    Files whose content is already identical are left untouched.
    """
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a directory")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(files):
        path = target / name
        data = files[name].encode("utf-8")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written


def check_package(files: Mapping[str, str], out_dir: str | Path) -> str:
    """A unified diff from the package on disk to ``files``; ``""`` when it is up to date."""
    target = Path(out_dir)
    chunks: list[str] = []
    for name in sorted(files):
        path = target / name
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        if current == files[name]:
            continue
        chunks.extend(
            difflib.unified_diff(
                [] if current is None else current.splitlines(keepends=True),
                files[name].splitlines(keepends=True),
                fromfile=str(path) if current is not None else "/dev/null",
                tofile=f"{path} (generated)",
            )
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)
