"""``onyx-py gen`` and ``onyx-py schema ...``: argument parsing and the commands.

Exit codes (documented in docs/codegen-and-cli.md):

* 0 — success (``schema diff`` without ``--exit-code`` is 0 whether or not there is a diff)
* 1 — a difference or an invalid schema: ``gen --check`` found stale files, ``schema diff
  --exit-code`` found differences, ``schema validate``/``publish`` got validation errors
* 2 — usage or configuration error: bad flags, unreadable schema file, missing credentials
* 3 — the server answered with an error, or could not be reached
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn, cast

from onyx_database._config import ResolvedConfig
from onyx_database._schema_diff import SchemaDiff, diff_schemas, strip_entity_text

from . import (
    TARGETS,
    TIMESTAMP_MODES,
    check_package,
    generate_package,
    normalize_schema,
    write_package,
)
from ._output import Output
from ._spec import build_package_spec

__all__ = ["EXIT_DIFFERENT", "EXIT_OK", "EXIT_SERVER", "EXIT_USAGE", "main_gen", "main_schema"]

EXIT_OK = 0
EXIT_DIFFERENT = 1
EXIT_USAGE = 2
EXIT_SERVER = 3

DEFAULT_SCHEMA = "onyx.schema.json"
DEFAULT_OUT = "onyx_models"


class CommandError(Exception):
    """A failure reported as one line on stderr with an exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise CommandError(f"{self.prog}: {message}", EXIT_USAGE)


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection (on top of the config chain)")
    group.add_argument("--config", metavar="PATH", help="config file (onyx-database.json) to use")
    group.add_argument("--database-id", metavar="ID", help="database id (overrides the chain)")
    group.add_argument("--base-url", metavar="URL", help="API base URL (overrides the chain)")


def _split_tables(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    names = [n.strip() for value in values for n in value.split(",") if n.strip()]
    return names or None


# -- configuration and the client ---------------------------------------------------------------


def _explicit(args: argparse.Namespace) -> dict[str, Any]:
    explicit: dict[str, Any] = {}
    if getattr(args, "config", None):
        explicit["config_path"] = args.config
    if getattr(args, "database_id", None):
        explicit["database_id"] = args.database_id
    if getattr(args, "base_url", None):
        explicit["base_url"] = args.base_url
    return explicit


_BASE_FIELDS = ("database_id", "base_url", "api_key", "api_secret", "ai_base_url", "partition")


def _resolve(args: argparse.Namespace) -> Any:
    from onyx_database._config import ConfigResolver

    explicit: dict[str, Any] = {}
    base = getattr(args, "base_config", None)
    if base is not None:
        # A framework integration's resolved settings form the explicit layer; flags win.
        explicit = {name: getattr(base, name) for name in _BASE_FIELDS}
        explicit = {name: value for name, value in explicit.items() if value is not None}
        if getattr(args, "database_id", None) and args.database_id != base.database_id:
            explicit = {}  # another database: never reuse this one's key and secret
    explicit.update(_explicit(args))
    return ConfigResolver().resolve_uncached(explicit)


@contextmanager
def _client(args: argparse.Namespace) -> Iterator[Any]:
    import onyx_database

    with onyx_database.init(config=_resolve(args)) as db:
        yield db


def _call(db: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    function = getattr(db, method, None)
    if not callable(function):
        raise CommandError(f"this onyx_database build has no OnyxDatabase.{method}()", EXIT_USAGE)
    return function(*args, **kwargs)


# -- schema files ---------------------------------------------------------------------------------


def _read_json(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"schema file not found: {path}") from None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path} does not hold a schema document (a JSON object)")
    return data


def _dump(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _upsert_body(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What validate and publish send: canonical ``entities``, no ``meta`` or ``entityText``."""
    body = {k: v for k, v in strip_entity_text(doc).items() if k not in ("meta", "tables")}
    if not isinstance(doc.get("entities"), list):
        body["entities"] = normalize_schema(doc)["entities"]
    return body


def _errors_of(payload: Any) -> list[str]:
    if not isinstance(payload, Mapping):
        return []
    errors: list[str] = []
    for key in ("errors", "validationErrors"):
        for item in payload.get(key) or []:
            if isinstance(item, Mapping):
                errors.append(str(item.get("message") or json.dumps(dict(item))))
            else:
                errors.append(str(item))
    return errors


def _validate(db: Any, body: Mapping[str, Any]) -> list[str]:
    """Validation errors from the API (empty when valid)."""
    return _check(db, body)[0]


def _check(db: Any, body: Mapping[str, Any]) -> tuple[list[str], list[Mapping[str, Any]]]:
    """Validation errors, and the stored data publishing would lose (Onyx Local's
    ``dataLoss``; Onyx Cloud reports none)."""
    from onyx_database import OnyxHTTPError

    try:
        result = _call(db, "validate_schema", body)
    except OnyxHTTPError as exc:
        if exc.status not in (400, 422):
            raise
        payload = exc.body
        if isinstance(payload, str | bytes):
            try:
                payload = json.loads(payload)
            except ValueError:
                payload = None
        return _errors_of(payload) or [exc.message or str(exc)], []
    if isinstance(result, Mapping):
        errors = _errors_of(result)
        if result.get("valid") is False and not errors:
            errors = ["Unknown validation error"]
        losses = [item for item in result.get("dataLoss") or [] if isinstance(item, Mapping)]
        return errors, losses
    valid = getattr(result, "valid", True)
    errors = [str(getattr(e, "message", e)) for e in getattr(result, "errors", None) or []]
    if valid is False and not errors:
        errors = ["Unknown validation error"]
    return errors, []


# -- gen ----------------------------------------------------------------


def _gen_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="onyx-py gen",
        description="Generate a package of typed pydantic models from the Onyx schema.",
    )
    parser.add_argument(
        "--source",
        choices=("auto", "api", "file"),
        default="auto",
        help="where the schema comes from (auto: the file if --schema is given or "
        "./onyx.schema.json exists, else the API)",
    )
    parser.add_argument("--schema", metavar="PATH", help="schema file (default ./onyx.schema.json)")
    parser.add_argument(
        "--out",
        metavar="DIR",
        action="append",
        help="package directory to write; repeat for several (default ./onyx_models)",
    )
    parser.add_argument(
        "--package", metavar="NAME", help="import name shown in docstrings (default: DIR's name)"
    )
    parser.add_argument("--timestamps", choices=TIMESTAMP_MODES, default="datetime")
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default="pydantic",
        help="pydantic: plain pydantic models; django: onyx_django.models.OnyxModel subclasses",
    )
    parser.add_argument("--tables", metavar="A,B", action="append", help="only these tables")
    parser.add_argument("--emit-json", metavar="PATH", help="also write the normalized schema")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and print a diff when the package on disk is stale",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    _add_config_flags(parser)
    return parser


def _load_schema_for_gen(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    source = args.source
    if source == "auto":
        source = "file" if args.schema or Path(DEFAULT_SCHEMA).is_file() else "api"
    if source == "file":
        path = args.schema or DEFAULT_SCHEMA
        if not args.quiet and not args.check:
            out.error(f"reading schema from {path}")
        return _read_json(path)
    with _client(args) as db:
        if not args.quiet and not args.check:
            out.error(f"fetching schema of database {db.database_id}")
        return cast(dict[str, Any], _call(db, "get_schema"))


def _gen(args: argparse.Namespace, out: Output) -> int:
    schema = _load_schema_for_gen(args, out)
    tables = _split_tables(args.tables)
    outs = args.out or [DEFAULT_OUT]
    package = args.package or Path(outs[0]).resolve().name or DEFAULT_OUT
    try:
        spec = build_package_spec(
            schema, tables=tables, timestamps=args.timestamps, target=args.target
        )
        files = generate_package(
            schema,
            tables=tables,
            timestamps=args.timestamps,
            package=package,
            target=args.target,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if not spec.models:
        raise CommandError("the schema has no tables to generate")
    for warning in spec.warnings:
        out.error(f"warning: {warning}")
    if args.check:
        stale = False
        for directory in outs:
            diff = check_package(files, directory)
            if diff:
                stale = True
                out.raw(diff)
                out.error(f"onyx-py gen: {directory} is out of date; run onyx-py gen")
            elif not args.quiet:
                out.line(f"{directory} is up to date.")
        return EXIT_DIFFERENT if stale else EXIT_OK
    for directory in outs:
        try:
            write_package(files, directory)
        except OSError as exc:
            raise CommandError(f"cannot write {directory}: {exc}") from None
        if not args.quiet:
            out.line(f"Generated {len(spec.models)} models into {directory}")
    if args.emit_json:
        path = Path(args.emit_json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_dump(normalize_schema(schema, tables=tables)), encoding="utf-8")
        if not args.quiet:
            out.line(f"Wrote normalized schema to {path}")
    return EXIT_OK


# -- schema ----------------------------------------------------------------


def _schema_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="onyx-py schema", description="Get, diff, validate and publish schemas.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    get = sub.add_parser("get", help="download the schema to a file (or print it)")
    get.add_argument("file", nargs="?", help="file to write (default ./onyx.schema.json)")
    get.add_argument("--out", metavar="FILE", help="file to write (outranks FILE)")
    get.add_argument("--print", action="store_true", help="print to stdout, write nothing")
    get.add_argument("--tables", metavar="A,B", action="append", help="only these (prints)")

    publish = sub.add_parser("publish", help="validate, then publish a schema file")
    publish.add_argument("file", nargs="?", default=DEFAULT_SCHEMA)
    publish.add_argument("--no-validate", action="store_true", help="skip the validate call")
    publish.add_argument(
        "--allow-data-loss",
        action="store_true",
        help="publish even when stored values would be dropped, merged or nulled out",
    )

    validate = sub.add_parser("validate", help="validate a schema file with the API")
    validate.add_argument("file", nargs="?", default=DEFAULT_SCHEMA)

    diff = sub.add_parser("diff", help="compare the API schema with a file")
    diff.add_argument("file", nargs="?", default=DEFAULT_SCHEMA)
    diff.add_argument("--json", action="store_true", help="machine-readable JSON")
    diff.add_argument(
        "--format", choices=("table", "yaml", "json"), default="table", help="output format"
    )
    diff.add_argument("--exit-code", action="store_true", help="exit 1 when there are changes")

    sub.add_parser("info", help="show the resolved configuration and where each value came from")
    info = sub.choices["info"]
    info.add_argument("--no-verify", action="store_true", help="do not contact the server")

    sub.add_parser("history", help="list the schema revisions")

    for command in sub.choices.values():
        _add_config_flags(command)
    return parser


def _schema_get(args: argparse.Namespace, out: Output) -> int:
    tables = _split_tables(args.tables)
    with _client(args) as db:
        doc = _call(db, "get_schema", tables=tables) if tables else _call(db, "get_schema")
    text = _dump(normalize_schema(doc))
    if args.print or tables:
        out.raw(text)
        return EXIT_OK
    path = Path(args.out or args.file or DEFAULT_SCHEMA)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    out.line(f"Schema written to {path}.")
    return EXIT_OK


def _report_errors(out: Output, file: str, errors: Sequence[str]) -> int:
    out.error(f"Schema at {file} is invalid ({len(errors)} error{'s' * (len(errors) != 1)}):")
    for error in errors:
        out.error(f"- {error}")
    return EXIT_DIFFERENT


def _schema_validate(args: argparse.Namespace, out: Output) -> int:
    body = _upsert_body(_read_json(args.file))
    with _client(args) as db:
        errors = _validate(db, body)
    if errors:
        return _report_errors(out, args.file, errors)
    out.line(f"Schema at {args.file} is valid.")
    return EXIT_OK


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


def _report_losses(out: Output, losses: Sequence[Mapping[str, Any]], verdict: str) -> None:
    for loss in losses:
        out.error(f"- {loss.get('message')}")
    out.error(verdict)


def _schema_publish(args: argparse.Namespace, out: Output) -> int:
    body = _upsert_body(_read_json(args.file))
    with _client(args) as db:
        if not args.no_validate:
            errors, losses = _check(db, body)
            if errors:
                return _report_errors(out, args.file, errors)
            if losses:
                out.error(f"Publishing {args.file} would lose stored data:")
                if not args.allow_data_loss:
                    verdict = "Nothing was published; rerun with --allow-data-loss to accept it."
                    _report_losses(out, losses, verdict)
                    return EXIT_DIFFERENT
                _report_losses(out, losses, "Publishing anyway (--allow-data-loss).")
        if args.allow_data_loss:
            _call(db, "update_schema", body, publish=True, allow_data_loss=True)
        else:
            _call(db, "update_schema", body, publish=True)
        out.line(f"Schema published for database {db.database_id} from {args.file}.")
    return EXIT_OK


def _diff_rows(diff: SchemaDiff) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    rows += [("added", t, "table", "") for t in diff.added_tables]
    rows += [("removed", t, "table", "") for t in diff.removed_tables]

    def show(value: Any) -> str:
        if value is None:
            return "(none)"
        if isinstance(value, Mapping):
            return json.dumps(dict(value), separators=(",", ":"), ensure_ascii=False)
        return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value

    for table in diff.changed_tables:
        name = table.name
        for label, change in (
            ("partition", table.partition),
            ("identifier", table.identifier),
            ("type", table.type),
            ("searchSupport", table.search_support),
        ):
            if change is not None:
                rows.append(
                    ("changed", name, label, f"{show(change.before)} -> {show(change.after)}")
                )
        for attr in table.added_attributes:
            null = ", nullable" if attr.get("isNullable") else ""
            rows.append(
                ("added", name, f"attribute {attr.get('name')}", f"{attr.get('type')}{null}")
            )
        rows += [("removed", name, f"attribute {a}", "") for a in table.removed_attributes]
        for c in table.changed_attributes:
            rows.append(
                (
                    "changed",
                    name,
                    f"attribute {c.name}",
                    f"{c.field}: {show(c.before)} -> {show(c.after)}",
                )
            )
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
                rows.append(
                    ("changed", name, f"{label} {item.name}", f"{show(before)} -> {show(after)}")
                )
    return rows


def _schema_diff(args: argparse.Namespace, out: Output) -> int:
    local = _read_json(args.file)
    with _client(args) as db:
        api = _call(db, "get_schema")
        diff = diff_schemas(api, local)
        losses = _check(db, _upsert_body(local))[1] if diff else []
    fmt = "json" if args.json else args.format
    if fmt == "json":
        out.raw(diff.to_json() + "\n")
    elif fmt == "yaml" or not diff:
        out.raw(diff.format(args.file))
    else:
        out.table(
            f"Diff between the API schema and {args.file}",
            ("change", "table", "item", "detail"),
            _diff_rows(diff),
        )
    if losses and fmt == "table":
        out.table(
            "Stored data that publishing would lose (publish refuses without --allow-data-loss)",
            ("table", "attribute", "change", "records"),
            _loss_rows(losses),
        )
    elif losses:
        out.error("Publishing would lose stored data:")
        _report_losses(out, losses, "schema publish refuses this without --allow-data-loss.")
    return EXIT_DIFFERENT if diff and args.exit_code else EXIT_OK


def _mask(value: str) -> str:
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}…{value[-2:]}"


def _schema_info(args: argparse.Namespace, out: Output) -> int:
    config = _resolve(args)
    rows = []
    for name in ("database_id", "base_url", "ai_base_url", "api_key", "api_secret", "partition"):
        value = getattr(config, name)
        if name == "api_secret":
            shown = "[REDACTED]"
        elif name == "api_key":
            shown = _mask(str(value))
        else:
            shown = "(none)" if value is None else str(value)
        rows.append((name, shown, config.sources.get(name, "default")))
    code = EXIT_OK
    status = "skipped (--no-verify)"
    if not args.no_verify:
        from onyx_database import OnyxError

        try:
            import onyx_database

            with onyx_database.init(config=config) as db:
                _call(db, "get_schema")
            status = "ok"
        except OnyxError as exc:
            status = f"failed: {_one_line(exc)}"
            code = EXIT_SERVER
    rows.append(("connection", status, config.base_url))
    out.table("Onyx configuration", ("setting", "value", "source"), rows)
    return code


def _schema_history(args: argparse.Namespace, out: Output) -> int:
    with _client(args) as db:
        revisions = _call(db, "get_schema_history")
    rows = []
    for revision in revisions or []:
        meta = revision.get("meta") if isinstance(revision, Mapping) else None
        source = meta if isinstance(meta, Mapping) else revision
        get = source.get if isinstance(source, Mapping) else (lambda _k: None)
        entities = revision.get("entities") if isinstance(revision, Mapping) else None
        rows.append(
            (
                str(get("revisionId") or ""),
                str(get("createdAt") or ""),
                str(get("publishedAt") or "(draft)"),
                str(len(entities) if isinstance(entities, list) else ""),
                str(revision.get("revisionDescription") or "")
                if isinstance(revision, Mapping)
                else "",
            )
        )
    out.table(
        "Schema revisions", ("revision", "created", "published", "tables", "description"), rows
    )
    return EXIT_OK


_SCHEMA_COMMANDS: dict[str, Callable[[argparse.Namespace, Output], int]] = {
    "get": _schema_get,
    "validate": _schema_validate,
    "publish": _schema_publish,
    "diff": _schema_diff,
    "info": _schema_info,
    "history": _schema_history,
}


# -- entry points ---------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _run(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    command: Callable[[argparse.Namespace, Output], int],
    stdout: IO[str] | None,
    stderr: IO[str] | None,
    config: Any = None,
) -> int:
    from onyx_database import (
        OnyxConfigError,
        OnyxConnectionError,
        OnyxError,
        OnyxHTTPError,
        OnyxUsageError,
    )

    out = Output(stdout, stderr)
    prog = parser.prog
    try:
        try:
            args = parser.parse_args(list(argv))
        except SystemExit as exit_:  # --help
            return int(exit_.code or 0) if isinstance(exit_.code, int | None) else EXIT_USAGE
        args.base_config = config
        return command(args, out)
    except CommandError as exc:
        message = str(exc)
        out.error(message if message.startswith("onyx-py") else f"{prog}: {message}")
        return exc.code
    except (OnyxConfigError, OnyxUsageError) as exc:
        out.error(f"{prog}: configuration error: {_one_line(exc)}")
        return EXIT_USAGE
    except (OnyxHTTPError, OnyxConnectionError) as exc:
        out.error(f"{prog}: server error: {_one_line(exc)}")
        return EXIT_SERVER
    except OnyxError as exc:
        out.error(f"{prog}: {_one_line(exc)}")
        return EXIT_SERVER
    except KeyboardInterrupt:
        out.error(f"{prog}: interrupted")
        return 130


def main_gen(
    argv: Sequence[str],
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    config: ResolvedConfig | None = None,
) -> int:
    """``onyx-py gen [options]``; returns the exit code.

    ``config`` (a resolved configuration, e.g. a Django alias or a Flask app's settings) is the
    explicit layer of the config chain; ``--config``/``--database-id``/``--base-url`` win over it.
    """
    return _run(_gen_parser(), argv, _gen, stdout, stderr, config)


def main_schema(
    argv: Sequence[str],
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    config: ResolvedConfig | None = None,
) -> int:
    """``onyx-py schema <get|publish|validate|diff|info|history> [options]`` (``config`` as in
    :func:`main_gen`)."""

    def dispatch(args: argparse.Namespace, out: Output) -> int:
        return _SCHEMA_COMMANDS[args.command](args, out)

    return _run(_schema_parser(), argv, dispatch, stdout, stderr, config)
