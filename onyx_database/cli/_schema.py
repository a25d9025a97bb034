"""The schema verbs: ``schema get | publish | validate | diff | info | history``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from onyx_database import OnyxDatabase, OnyxError, SchemaDiff, init
from onyx_database._schema_diff import diff_schemas, strip_entity_text
from onyx_database.codegen import normalize_schema

from ._connect import ConfigSource, connect, resolved
from ._formats import json_object
from ._output import Output
from ._run import EXIT_DIFFERENT, EXIT_OK, EXIT_SERVER, CommandError, one_line

DEFAULT_SCHEMA = "onyx.schema.json"
DiffFormat = Literal["table", "yaml", "json"]


def split_tables(values: Sequence[str] | str | None) -> list[str] | None:
    """``["A,B", "C"]`` → ``["A", "B", "C"]``; nothing → ``None`` (every table).

    >>> split_tables(["User, Role", "Tag"])
    ['User', 'Role', 'Tag']
    """
    if not values:
        return None
    if isinstance(values, str):
        values = [values]
    names = [n.strip() for value in values for n in value.split(",") if n.strip()]
    return names or None


def read_schema_file(path: str | Path) -> dict[str, Any]:
    """The schema document in ``path``; a :class:`CommandError` (exit 2) names what is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"schema file not found: {path}") from None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    return json_object(text, str(path), "a schema document")


def dump_json(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _upsert_body(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What validate and publish send: canonical ``entities``, no ``meta`` or ``entityText``."""
    body = {k: v for k, v in strip_entity_text(doc).items() if k not in ("meta", "tables")}
    if not isinstance(doc.get("entities"), list):
        body["entities"] = normalize_schema(doc)["entities"]
    return body


def _errors_of(payload: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    for key in ("errors", "validationErrors"):
        for item in payload.get(key) or []:
            if isinstance(item, Mapping):
                errors.append(str(item.get("message") or json.dumps(dict(item))))
            else:
                errors.append(str(item))
    return errors


def _check(db: OnyxDatabase, body: Mapping[str, Any]) -> tuple[list[str], list[Mapping[str, Any]]]:
    """Validation errors, and the stored data publishing would lose (Onyx Local's
    ``dataLoss``; Onyx Cloud reports none)."""
    result = db.validate_schema(body)
    errors = _errors_of(result)
    if result.get("valid") is False and not errors:
        errors = ["Unknown validation error"]
    losses = [item for item in result.get("dataLoss") or [] if isinstance(item, Mapping)]
    return errors, losses


def _report_errors(out: Output, file: str, errors: Sequence[str]) -> int:
    out.error(f"Schema at {file} is invalid ({len(errors)} error{'s' * (len(errors) != 1)}):")
    for error in errors:
        out.error(f"- {error}")
    return EXIT_DIFFERENT


def _report_losses(out: Output, losses: Sequence[Mapping[str, Any]], verdict: str) -> None:
    for loss in losses:
        out.error(f"- {loss.get('message')}")
    out.error(verdict)


def _loss_rows(losses: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [
        (
            str(loss.get("table")),
            str(loss.get("attribute") or ""),
            str(loss.get("change")),
            f"{loss.get('records')} of {loss.get('totalRecords')}",
        )
        for loss in losses
    ]


def schema_get(
    config: ConfigSource,
    out: Output,
    *,
    file: str | None = None,
    print_only: bool = False,
    tables: Sequence[str] | None = None,
) -> int:
    """Write the server's schema, normalized, to ``file`` (default ``./onyx.schema.json``);
    print it instead with ``print_only`` or ``tables`` (a subset is never written)."""
    with connect(config) as db:
        doc = db.get_schema(tables=list(tables)) if tables else db.get_schema()
    text = dump_json(normalize_schema(doc))
    if print_only or tables:
        out.raw(text)
        return EXIT_OK
    path = Path(file or DEFAULT_SCHEMA)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    out.line(f"Schema written to {path}.")
    return EXIT_OK


def schema_validate(config: ConfigSource, out: Output, *, file: str = DEFAULT_SCHEMA) -> int:
    """Validate ``file`` with the server: 0 valid, 1 invalid (errors listed on stderr)."""
    body = _upsert_body(read_schema_file(file))
    with connect(config) as db:
        errors = _check(db, body)[0]
    if errors:
        return _report_errors(out, file, errors)
    out.line(f"Schema at {file} is valid.")
    return EXIT_OK


def schema_publish(
    config: ConfigSource,
    out: Output,
    *,
    file: str = DEFAULT_SCHEMA,
    validate: bool = True,
    allow_data_loss: bool = False,
) -> int:
    """Validate, then publish ``file``; 1 (nothing published) when it is invalid or would lose
    stored data without ``allow_data_loss``."""
    body = _upsert_body(read_schema_file(file))
    with connect(config) as db, out.progress("publishing", total=2) as step:
        if validate:
            errors, losses = _check(db, body)
            if errors:
                return _report_errors(out, file, errors)
            if losses:
                out.error(f"Publishing {file} would lose stored data:")
                if not allow_data_loss:
                    verdict = "Nothing was published; rerun with --allow-data-loss to accept it."
                    _report_losses(out, losses, verdict)
                    return EXIT_DIFFERENT
                _report_losses(out, losses, "Publishing anyway (--allow-data-loss).")
        step()
        db.update_schema(body, publish=True, allow_data_loss=allow_data_loss)
        step()
        out.line(f"Schema published for database {db.database_id} from {file}.")
    return EXIT_OK


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, Mapping):
        return json.dumps(dict(value), separators=(",", ":"), ensure_ascii=False)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _diff_rows(diff: SchemaDiff) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    rows += [("added", t, "table", "") for t in diff.added_tables]
    rows += [("removed", t, "table", "") for t in diff.removed_tables]
    for table in diff.changed_tables:
        name = table.name
        for label, change in (
            ("partition", table.partition),
            ("identifier", table.identifier),
            ("type", table.type),
            ("searchSupport", table.search_support),
        ):
            if change is not None:
                detail = f"{_show(change.before)} -> {_show(change.after)}"
                rows.append(("changed", name, label, detail))
        for attr in table.added_attributes:
            null = ", nullable" if attr.get("isNullable") else ""
            rows.append(
                ("added", name, f"attribute {attr.get('name')}", f"{attr.get('type')}{null}")
            )
        rows += [("removed", name, f"attribute {a}", "") for a in table.removed_attributes]
        for c in table.changed_attributes:
            detail = f"{c.field}: {_show(c.before)} -> {_show(c.after)}"
            rows.append(("changed", name, f"attribute {c.name}", detail))
        for label, section in (
            ("index", table.indexes),
            ("resolver", table.resolvers),
            ("trigger", table.triggers),
        ):
            if section is None:
                continue
            rows += [("added", name, f"{label} {a.get('name')}", "") for a in section.added]
            rows += [("removed", name, f"{label} {r}", "") for r in section.removed]
            for item in section.changed:
                before = {k: v for k, v in item.before.items() if k != "name"}
                after = {k: v for k, v in item.after.items() if k != "name"}
                detail = f"{_show(before)} -> {_show(after)}"
                rows.append(("changed", name, f"{label} {item.name}", detail))
    return rows


def schema_diff(
    config: ConfigSource,
    out: Output,
    *,
    file: str = DEFAULT_SCHEMA,
    format: DiffFormat = "table",
    exit_code: bool = False,
) -> int:
    """Compare the server's schema with ``file``; 1 on differences only with ``exit_code``."""
    local = read_schema_file(file)
    with connect(config) as db:
        diff = diff_schemas(db.get_schema(), local)
        losses = _check(db, _upsert_body(local))[1] if diff else []
    if format == "json":
        out.raw(diff.to_json() + "\n")
    elif format == "yaml" or not diff:
        out.raw(diff.format(file))
    else:
        out.table(
            f"Diff between the API schema and {file}",
            ("change", "table", "item", "detail"),
            _diff_rows(diff),
        )
    if losses and format == "table":
        out.table(
            "Stored data that publishing would lose (publish refuses without --allow-data-loss)",
            ("table", "attribute", "change", "records"),
            _loss_rows(losses),
        )
    elif losses:
        out.error("Publishing would lose stored data:")
        _report_losses(out, losses, "schema publish refuses this without --allow-data-loss.")
    return EXIT_DIFFERENT if diff and exit_code else EXIT_OK


def _mask(value: str) -> str:
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}…{value[-2:]}"


def schema_info(config: ConfigSource, out: Output, *, verify: bool = True) -> int:
    """The resolved configuration and where each value came from (the secret never shown),
    and whether the server answers (3 when it does not)."""
    resolved_config = resolved(config)
    rows = []
    for name in ("database_id", "base_url", "ai_base_url", "api_key", "api_secret", "partition"):
        value = getattr(resolved_config, name)
        if name == "api_secret":
            shown = "[REDACTED]"
        elif name == "api_key":
            shown = _mask(str(value))
        else:
            shown = "(none)" if value is None else str(value)
        rows.append((name, shown, resolved_config.sources.get(name, "default")))
    code = EXIT_OK
    status = "skipped (--no-verify)"
    if verify:
        try:
            with init(config=resolved_config) as db:
                db.get_schema()
            status = "ok"
        except OnyxError as exc:
            status = f"failed: {one_line(exc)}"
            code = EXIT_SERVER
    rows.append(("connection", status, resolved_config.base_url))
    out.table("Onyx configuration", ("setting", "value", "source"), rows)
    return code


def schema_history(config: ConfigSource, out: Output) -> int:
    """A table of the saved schema revisions."""
    with connect(config) as db:
        revisions = db.get_schema_history()
    rows = []
    for revision in revisions:
        meta = revision.get("meta")
        source: Mapping[str, Any] = meta if isinstance(meta, Mapping) else revision
        entities = revision.get("entities")
        rows.append(
            (
                str(source.get("revisionId") or ""),
                str(source.get("createdAt") or ""),
                str(source.get("publishedAt") or "(draft)"),
                str(len(entities) if isinstance(entities, list) else ""),
                str(revision.get("revisionDescription") or ""),
            )
        )
    out.table(
        "Schema revisions", ("revision", "created", "published", "tables", "description"), rows
    )
    return EXIT_OK
