"""The ``onyx-py`` command line on click: each command parses its flags and calls one verb.

``build_app(base)`` builds the command group around ``base``, the function giving a
framework's resolved settings (``flask onyx ...`` mounts these same commands with the app's
config), or ``None`` for the plain config chain of ``onyx-py``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from typing import Any, get_args

import click

from onyx_database import OnyxError, ResolvedConfig
from onyx_database.codegen import TARGETS, TIMESTAMP_MODES

from . import _schema as schema
from ._connect import ConfigSource, layered
from ._formats import FileFormat
from ._gen import SchemaSource, gen
from ._listen import listen
from ._local import LocalDefaults, config_file_of, local_command, local_defaults
from ._output import Output
from ._run import guarded
from ._schema import DEFAULT_SCHEMA, DiffFormat, split_tables
from ._shell import shell
from ._transfer import DEFAULT_BATCH_SIZE, DEFAULT_PAGE_SIZE, export_table, import_table

__all__ = ["BaseConfig", "build_app", "version"]

BaseConfig = Callable[[], ResolvedConfig | None]
Verb = Callable[[Output], int]
Source = Callable[[dict[str, Any]], ConfigSource]


def version() -> str:
    """The installed version of onyx-py."""
    try:
        return metadata.version("onyx-py")
    except metadata.PackageNotFoundError:
        return "unknown"


def _run(prog: str, call: Verb) -> None:
    out = Output()
    code = guarded(f"onyx-py {prog}", out, lambda: call(out))
    if code:
        raise click.exceptions.Exit(code)


_CONNECTION_FLAGS = ("config", "database_id", "base_url")


def _verb_callback(
    prog: str,
    verb: Callable[..., int],
    source: Source,
    adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Callable[..., None]:
    """A click callback calling ``verb(config, out, **flags)``: the connection flags make the
    config, the other parameters are named as the verb's keywords (``adapt`` maps the rest)."""

    def callback(**flags: Any) -> None:
        connection = {name: flags.pop(name) for name in _CONNECTION_FLAGS if name in flags}
        options = adapt(flags) if adapt is not None else flags
        _run(prog, lambda out: verb(source(connection), out, **options))

    return callback


def _connection(command: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--config`` / ``--database-id`` / ``--base-url`` flags of every connected command."""
    for flag, metavar, text in reversed(
        (
            ("--config", "PATH", "config file (onyx-database.json) to use"),
            ("--database-id", "ID", "database id (overrides the config chain)"),
            ("--base-url", "URL", "API base URL (overrides the config chain)"),
        )
    ):
        command = click.option(flag, metavar=metavar, help=text)(command)
    return command


def _positive(flag: str, default: int, text: str) -> Callable[[Callable[..., Any]], Any]:
    return click.option(
        flag, type=click.IntRange(min=1), default=default, show_default=True, help=text
    )


def build_app(
    base: BaseConfig | None = None,
    *,
    name: str = "onyx-py",
    local: Callable[[], LocalDefaults] | None = None,
) -> click.Group:
    """The command group: ``gen``, ``schema ...``, ``export``, ``import``, ``shell``, and
    ``listen``, ``local`` and ``version`` for ``onyx-py``, or ``local`` with the project's
    settings for a framework (``base`` given): Onyx Local's host, port and data dir come from
    ``local()`` when given, else from the resolved ``base()`` (see :func:`local_defaults`)."""

    def source(flags: dict[str, Any]) -> ConfigSource:
        def resolve() -> ResolvedConfig:
            settings = base() if base is not None else None
            return layered(
                settings,
                config_path=flags.get("config"),
                database_id=flags.get("database_id"),
                base_url=flags.get("base_url"),
            )()

        return resolve

    @click.group(
        name=name,
        help="Onyx Cloud Database tools: models, schema, data, shell, Onyx Local.",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    def app() -> None:
        pass

    @app.group("schema")
    def schema_group() -> None:
        """Get, diff, validate and publish the schema; show config info."""

    def command(
        group: click.Group,
        name: str,
        help: str,
        prog: str,
        verb: Callable[..., int],
        *params: Callable[[Callable[..., Any]], Callable[..., Any]],
        adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> None:
        callback = _verb_callback(prog, verb, source, adapt)
        for param in reversed((*params, _connection)):
            callback = param(callback)
        group.add_command(click.command(name, help=help)(callback))

    command(
        app,
        "gen",
        "Generate a package of typed pydantic models from the Onyx schema.",
        "gen",
        gen,
        click.option(
            "--source",
            type=click.Choice(get_args(SchemaSource)),
            default="auto",
            show_default=True,
            help="where the schema comes from (auto: the file if --schema is "
            "given or ./onyx.schema.json exists, else the API)",
        ),
        click.option("--schema", metavar="PATH", help="schema file (default ./onyx.schema.json)"),
        click.option(
            "--out",
            "outs",
            metavar="DIR",
            multiple=True,
            help="package directory to write; repeat for several (default ./onyx_models)",
        ),
        click.option(
            "--package", metavar="NAME", help="import name in docstrings (default: DIR's)"
        ),
        click.option(
            "--timestamps",
            type=click.Choice(TIMESTAMP_MODES),
            default="datetime",
            show_default=True,
        ),
        click.option(
            "--target",
            type=click.Choice(TARGETS),
            default="pydantic",
            show_default=True,
            help="pydantic: plain pydantic models; django: onyx_django OnyxModel subclasses",
        ),
        click.option("--tables", metavar="A,B", multiple=True, help="only these tables"),
        click.option("--emit-json", metavar="PATH", help="also write the normalized schema"),
        click.option(
            "--check",
            is_flag=True,
            help="write nothing; exit 1 and print a diff when the package on disk is stale",
        ),
        click.option("-q", "--quiet", is_flag=True, help="print errors only"),
    )
    command(
        schema_group,
        "get",
        "Download the schema to FILE (default ./onyx.schema.json) or print it.",
        "schema",
        schema.schema_get,
        click.argument("file", required=False),
        click.option("--out", metavar="FILE", help="file to write (outranks FILE)"),
        click.option("--print", "print_only", is_flag=True, help="print to stdout, write nothing"),
        click.option("--tables", metavar="A,B", multiple=True, help="only these (prints)"),
        adapt=lambda f: {
            "file": f["out"] or f["file"],
            "print_only": f["print_only"],
            "tables": split_tables(f["tables"]),
        },
    )
    file_argument = click.argument("file", default=DEFAULT_SCHEMA)
    command(
        schema_group,
        "publish",
        "Validate, then publish a schema FILE.",
        "schema",
        schema.schema_publish,
        file_argument,
        click.option("--no-validate", is_flag=True, help="skip the validate call"),
        click.option(
            "--allow-data-loss",
            is_flag=True,
            help="publish even when stored values would be dropped, merged or nulled out",
        ),
        adapt=lambda f: {
            "file": f["file"],
            "validate": not f["no_validate"],
            "allow_data_loss": f["allow_data_loss"],
        },
    )
    command(
        schema_group,
        "validate",
        "Validate a schema FILE with the API.",
        "schema",
        schema.schema_validate,
        file_argument,
    )
    command(
        schema_group,
        "diff",
        "Compare the API schema with FILE.",
        "schema",
        schema.schema_diff,
        file_argument,
        click.option("--json", "json_", is_flag=True, help="machine-readable JSON"),
        click.option(
            "--format",
            type=click.Choice(get_args(DiffFormat)),
            default="table",
            show_default=True,
            help="output format",
        ),
        click.option("--exit-code", is_flag=True, help="exit 1 when there are changes"),
        adapt=lambda f: {
            "file": f["file"],
            "format": "json" if f["json_"] else f["format"],
            "exit_code": f["exit_code"],
        },
    )
    command(
        schema_group,
        "info",
        "Show the resolved configuration and where each value came from.",
        "schema",
        schema.schema_info,
        click.option("--no-verify", is_flag=True, help="do not contact the server"),
        adapt=lambda f: {"verify": not f["no_verify"]},
    )
    command(schema_group, "history", "List the schema revisions.", "schema", schema.schema_history)
    file_format = click.option(
        "--format",
        type=click.Choice(get_args(FileFormat)),
        help="jsonl or csv (default: csv for a .csv file, else jsonl)",
    )
    command(
        app,
        "export",
        "Write every record of TABLE as JSON lines or CSV, page by page.",
        "export",
        export_table,
        click.argument("table"),
        click.option("--out", "-o", "file", metavar="FILE", help="file to write (default: stdout)"),
        file_format,
        _positive("--page-size", DEFAULT_PAGE_SIZE, "records fetched per request"),
    )
    command(
        app,
        "import",
        "Upsert the records of FILE (JSON lines or CSV) into TABLE, in chunks; resumable.",
        "import",
        import_table,
        click.argument("table"),
        click.argument("file"),
        file_format,
        _positive("--batch-size", DEFAULT_BATCH_SIZE, "records per batch save (one request each)"),
        click.option(
            "--resume", is_flag=True, help="skip what an earlier run settled (FILE.checkpoint.json)"
        ),
        click.option(
            "--keep-going",
            is_flag=True,
            help="on a refused chunk, write its records to FILE.rejected.jsonl and go on",
        ),
    )
    command(
        app,
        "shell",
        "A Python shell with `db` connected (IPython when installed).",
        "shell",
        shell,
        click.option("--plain", is_flag=True, help="the standard console even if IPython is there"),
    )
    if base is None:
        command(
            app,
            "listen",
            "Print live changes of TABLES, one JSON line each, until Ctrl-C / SIGTERM.",
            "listen",
            listen,
            click.argument("tables", nargs=-1, required=True, metavar="TABLE..."),
            click.option("--max-events", type=int, help="stop after this many events"),
            click.option(
                "--timeout", type=click.FloatRange(min=0), help="stop after this many seconds"
            ),
        )
    if base is None:
        _add_standalone_commands(app)
    else:
        app.add_command(local_command(local or _settings_defaults(base)))
    return app


def _add_standalone_commands(app: click.Group) -> None:
    click.version_option(version(), prog_name="onyx-py", message="%(prog)s %(version)s")(app)
    app.add_command(local_command())

    @app.command("help", hidden=True)
    @click.pass_context
    def help_command(ctx: click.Context) -> None:
        """Print this help."""
        Output().raw(app.get_help(ctx.parent or ctx) + "\n")

    @app.command("version")
    def version_command() -> None:
        """Print the version of onyx-py."""
        Output().line(f"onyx-py {version()}")


def _settings_defaults(base: BaseConfig) -> Callable[[], LocalDefaults]:
    """Onyx Local's host, port and data dir from the framework's resolved settings."""

    def defaults() -> LocalDefaults:
        try:
            settings = base()
        except OnyxError:
            settings = None  # not configured yet: Onyx Local is where the credentials come from
        if settings is None:
            return local_defaults()
        return local_defaults(settings.base_url, config_file_of(settings))

    return defaults
