"""The ``gen`` verb: a package of typed pydantic models from the schema (file or server)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from onyx_database.codegen import (
    Target,
    TimestampMode,
    build_package_spec,
    check_package,
    generate_package,
    normalize_schema,
    write_package,
)

from ._connect import ConfigSource, connect
from ._output import Output
from ._run import EXIT_DIFFERENT, EXIT_OK, CommandError
from ._schema import DEFAULT_SCHEMA, dump_json, read_schema_file, split_tables

__all__ = ["DEFAULT_OUT", "SchemaSource", "gen"]

DEFAULT_OUT = "onyx_models"
SchemaSource = Literal["auto", "api", "file"]


def _load_schema(
    config: ConfigSource, out: Output, source: SchemaSource, schema: str | None, loud: bool
) -> dict[str, Any]:
    if source == "auto":
        source = "file" if schema or Path(DEFAULT_SCHEMA).is_file() else "api"
    if source == "file":
        path = schema or DEFAULT_SCHEMA
        if loud:
            out.error(f"reading schema from {path}")
        return read_schema_file(path)
    with connect(config) as db:
        if loud:
            out.error(f"fetching schema of database {db.database_id}")
        return db.get_schema()


def gen(
    config: ConfigSource,
    out: Output,
    *,
    source: SchemaSource = "auto",
    schema: str | None = None,
    outs: Sequence[str] = (),
    package: str | None = None,
    timestamps: TimestampMode = "datetime",
    target: Target = "pydantic",
    tables: Sequence[str] | None = None,
    emit_json: str | None = None,
    check: bool = False,
    quiet: bool = False,
) -> int:
    """Generate (or with ``check``, compare) the models package in each of ``outs`` (default
    ``./onyx_models``); 1 when ``check`` finds a stale package (the diff on stdout)."""
    document = _load_schema(config, out, source, schema, loud=not quiet and not check)
    wanted = split_tables(tables)
    directories = list(outs) or [DEFAULT_OUT]
    name = package or Path(directories[0]).resolve().name or DEFAULT_OUT
    try:
        spec = build_package_spec(document, tables=wanted, timestamps=timestamps, target=target)
        files = generate_package(
            document, tables=wanted, timestamps=timestamps, package=name, target=target
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if not spec.models:
        raise CommandError("the schema has no tables to generate")
    for warning in spec.warnings:
        out.error(f"warning: {warning}")
    if check:
        stale = False
        for directory in directories:
            diff = check_package(files, directory)
            if diff:
                stale = True
                out.raw(diff)
                out.error(f"onyx-py gen: {directory} is out of date; run onyx-py gen")
            elif not quiet:
                out.line(f"{directory} is up to date.")
        return EXIT_DIFFERENT if stale else EXIT_OK
    with out.progress("writing models", total=len(directories) * len(files)) as step:
        for directory in directories:
            try:
                for file_name in sorted(files):
                    write_package({file_name: files[file_name]}, directory)
                    step()
            except OSError as exc:
                raise CommandError(f"cannot write {directory}: {exc}") from None
            if not quiet:
                out.line(f"Generated {len(spec.models)} models into {directory}")
    if emit_json:
        path = Path(emit_json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_json(normalize_schema(document, tables=wanted)), encoding="utf-8")
        if not quiet:
            out.line(f"Wrote normalized schema to {path}")
    return EXIT_OK
