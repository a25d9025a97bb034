"""``flask onyx gen`` and ``flask onyx schema ...``: the ``onyx-py`` commands, with the app's
Onyx configuration; ``flask onyx listen``: the change-stream bridge in the foreground."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import AppGroup

from onyx_database import ResolvedConfig
from onyx_database.codegen import main_gen, main_schema

if TYPE_CHECKING:
    from ._extension import Onyx

__all__ = ["onyx_cli"]

onyx_cli = AppGroup("onyx", help="Onyx Cloud Database commands, using this app's Onyx config.")

_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


@onyx_cli.command("gen", context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def gen_command(args: tuple[str, ...]) -> None:
    """Generate typed pydantic models (``onyx-py gen``; see ``flask onyx gen --help``)."""
    _run(main_gen, list(args), _config())


@onyx_cli.command("schema", context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def schema_command(args: tuple[str, ...]) -> None:
    """Schema get | publish | validate | diff | info | history (``onyx-py schema``)."""
    if not args or args[0].startswith("-"):
        # No subcommand (or just --help): argparse prints the usage.
        _run(main_schema, list(args), None)
        return
    # The app's settings are the explicit config layer; flags on the command line win.
    _run(main_schema, list(args), _config())


@onyx_cli.command("listen")
@click.argument("tables", nargs=-1, required=True)
@click.option("--max-events", type=click.IntRange(min=1), help="Stop after this many events.")
@click.option("--timeout", type=click.FloatRange(min=0), help="Stop after this many seconds.")
def listen_command(tables: tuple[str, ...], max_events: int | None, timeout: float | None) -> None:
    """Send the onyx_flask.signals for live changes of TABLES, printing one line per event,
    until Ctrl-C / SIGTERM, --max-events or --timeout."""
    from ._listen import run_listen

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    extension = _extension()
    run_listen(
        app,
        lambda table: extension.listen(table, app=app),
        list(dict.fromkeys(tables)),
        max_events=max_events,
        timeout=timeout,
    )


def _extension() -> Onyx:
    from ._extension import Onyx

    state = current_app.extensions.get("onyx")
    extension = getattr(state, "extension", None)
    if not isinstance(extension, Onyx):
        raise click.UsageError("this app has no Onyx extension; call Onyx(app) or init_app(app)")
    return extension


def _config() -> ResolvedConfig:
    return _extension().config(current_app)


def _run(main: Callable[..., int], argv: list[str], config: ResolvedConfig | None) -> None:
    # Writes to sys.stdout / sys.stderr, which click's runner captures.
    code = main(argv, config=config)
    if code:
        click.get_current_context().exit(code)
