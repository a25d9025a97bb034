"""``flask onyx gen`` and ``flask onyx schema ...``: the ``onyx-py`` commands, with the app's
Onyx configuration."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import current_app
from flask.cli import AppGroup

from onyx_database import ResolvedConfig
from onyx_database.codegen._commands import main_gen, main_schema

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


def _config() -> ResolvedConfig:
    from ._extension import Onyx

    state = current_app.extensions.get("onyx")
    extension = getattr(state, "extension", None)
    if not isinstance(extension, Onyx):
        raise click.UsageError("this app has no Onyx extension; call Onyx(app) or init_app(app)")
    return extension.config(current_app)


def _run(main: Callable[..., int], argv: list[str], config: ResolvedConfig | None) -> None:
    # Writes to sys.stdout / sys.stderr, which click's runner captures.
    code = main(argv, config=config)
    if code:
        click.get_current_context().exit(code)
