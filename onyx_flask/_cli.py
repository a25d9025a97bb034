"""``flask onyx gen`` and ``flask onyx schema ...``: the ``onyx-py`` commands, with the app's
Onyx configuration."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from onyx_database import ResolvedConfig
from onyx_database.codegen._commands import main_gen, main_schema

__all__ = ["onyx_cli"]

onyx_cli = AppGroup("onyx", help="Onyx Cloud Database commands, using this app's Onyx config.")

_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


@contextmanager
def _app_config_flags(config: ResolvedConfig) -> Iterator[list[str]]:
    """``--config FILE --database-id ID --base-url URL`` describing the app's resolved config.

    The credentials go into a private temporary file (mode 0600, deleted afterwards), never
    onto the command line.
    """
    document = {
        "databaseId": config.database_id,
        "baseUrl": config.base_url,
        "aiBaseUrl": config.ai_base_url,
        "apiKey": config.api_key,
        "apiSecret": config.api_secret,
    }
    if config.partition is not None:
        document["partition"] = config.partition
    with tempfile.TemporaryDirectory(prefix="onyx-flask-") as directory:
        path = Path(directory) / "onyx-database.json"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(document, file)
        yield [
            "--config",
            str(path),
            "--database-id",
            config.database_id,
            "--base-url",
            config.base_url,
        ]


@onyx_cli.command("gen", context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def gen_command(args: tuple[str, ...]) -> None:
    """Generate typed pydantic models (``onyx-py gen``; see ``flask onyx gen --help``)."""
    with _app_config_flags(_config()) as flags:
        _run(main_gen, [*flags, *args])


@onyx_cli.command("schema", context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def schema_command(args: tuple[str, ...]) -> None:
    """Schema get | publish | validate | diff | info | history (``onyx-py schema``)."""
    if not args or args[0].startswith("-"):
        # No subcommand (or just --help): argparse prints the usage.
        _run(main_schema, list(args))
        return
    with _app_config_flags(_config()) as flags:
        # The app's flags come first, so flags given on the command line win (argparse keeps
        # the last value).
        _run(main_schema, [args[0], *flags, *args[1:]])


def _config() -> ResolvedConfig:
    from ._extension import Onyx

    state = current_app.extensions.get("onyx")
    extension = getattr(state, "extension", None)
    if not isinstance(extension, Onyx):
        raise click.UsageError("this app has no Onyx extension; call Onyx(app) or init_app(app)")
    return extension.config(current_app)


def _run(main: Callable[..., int], argv: list[str]) -> None:
    code = main(argv)  # writes to sys.stdout / sys.stderr, which click's runner captures
    if code:
        click.get_current_context().exit(code)
