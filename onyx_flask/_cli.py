"""``flask onyx ...``: the ``onyx-py`` commands (``gen``, ``schema ...``, ``export``,
``import``, ``shell``, ``local``) with this app's Onyx configuration as their explicit config
layer, and ``flask onyx listen``: the change-stream bridge (sending ``onyx_flask.signals``) in
the foreground."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup, ScriptInfo

from onyx_database import OnyxSettingsError, ResolvedConfig
from onyx_database.cli import LocalDefaults, build_app, config_file_of, local_defaults

if TYPE_CHECKING:
    from ._extension import Onyx

__all__ = ["onyx_cli"]

onyx_cli = AppGroup("onyx", help="Onyx Cloud Database commands, using this app's Onyx config.")


def _app() -> Flask:
    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        return app
    # A command mounted with add_command gets no app context pushed for it: load the app.
    return click.get_current_context().ensure_object(ScriptInfo).load_app()


def _extension(app: Flask) -> Onyx:
    from ._extension import Onyx

    state = app.extensions.get("onyx")
    extension = getattr(state, "extension", None)
    if not isinstance(extension, Onyx):
        raise click.UsageError("this app has no Onyx extension; call Onyx(app) or init_app(app)")
    return extension


def _config() -> ResolvedConfig:
    app = _app()
    return _extension(app).config(app)


def _local_defaults() -> LocalDefaults:
    """Onyx Local's host, port and data dir from the app's settings, written or not: on the
    first start the credentials file they name does not exist yet (Onyx Local writes it)."""
    app = _app()
    try:
        pool = _extension(app)._state(app).pool(None)
    except RuntimeError:
        return local_defaults()  # only ONYX_BINDS: Onyx Local's own defaults
    pending = pool.pending
    if pending is not None:
        return local_defaults(pending.base_url, pending.config_file(pending.options))
    try:
        config = pool.config
    except OnyxSettingsError:
        return local_defaults()
    return local_defaults(config.base_url, config_file_of(config))


# The verbs' own commands, resolving the config from the app (FlaskGroup pushes its context).
for _name, _command in build_app(_config, name="onyx", local=_local_defaults).commands.items():
    onyx_cli.add_command(_command, _name)


@onyx_cli.command("listen")
@click.argument("tables", nargs=-1, required=True)
@click.option("--max-events", type=click.IntRange(min=1), help="Stop after this many events.")
@click.option("--timeout", type=click.FloatRange(min=0), help="Stop after this many seconds.")
def listen_command(tables: tuple[str, ...], max_events: int | None, timeout: float | None) -> None:
    """Send the onyx_flask.signals for live changes of TABLES, printing one line per event,
    until Ctrl-C / SIGTERM, --max-events or --timeout."""
    from ._listen import run_listen

    app = _app()
    extension = _extension(app)
    run_listen(
        app,
        lambda table: extension.listen(table, app=app),
        list(dict.fromkeys(tables)),
        max_events=max_events,
        timeout=timeout,
    )
