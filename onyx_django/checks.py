"""System checks of ``settings.ONYX`` (no network I/O; run by ``manage.py check``), and of the
Onyx models against the published schemas (only under ``manage.py check --database default``).

* ``onyx_django.E001``: ``settings.ONYX`` is not a dict of aliases, an alias is not a dict, or
  there is no ``"default"`` alias.
* ``onyx_django.E002``: an alias names an option the SDK does not know.
* ``onyx_django.E003``: an alias's configuration cannot be resolved (missing database id, key or
  secret after the environment and config files were consulted, or an invalid value).
* ``onyx_django.E010`` to ``E015``, ``W014``: :func:`check_onyx_schema` (tagged ``database``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from onyx_database import CONFIG_OPTIONS, OnyxConfigError, resolve_config

from ._schema_checks import check_onyx_schema

__all__ = ["check_onyx_schema", "check_onyx_settings"]


@register("onyx")
def check_onyx_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Validate ``settings.ONYX``; every problem is an ``Error`` with a hint."""
    raw: object = getattr(settings, "ONYX", None)
    if raw is None:
        raw = {"default": {}}
    if not isinstance(raw, Mapping):
        return [
            Error(
                f"settings.ONYX must be a dict of aliases, got {type(raw).__name__}.",
                hint='Use ONYX = {"default": {"database_id": ..., "api_key": ..., ...}}.',
                id="onyx_django.E001",
            )
        ]
    errors: list[CheckMessage] = []
    if "default" not in raw:
        errors.append(
            Error(
                "settings.ONYX has no 'default' alias.",
                hint='Add ONYX["default"] = {...}; it is what Model.onyx and onyx_django.db use.',
                id="onyx_django.E001",
            )
        )
    for alias, options in raw.items():
        if not isinstance(options, Mapping):
            errors.append(
                Error(
                    f"settings.ONYX[{alias!r}] must be a dict of SDK options, got "
                    f"{type(options).__name__}.",
                    hint='For example {"database_id": "...", "api_key": "...", '
                    '"api_secret": "..."}.',
                    id="onyx_django.E001",
                )
            )
            continue
        unknown = sorted(str(key) for key in options if key not in CONFIG_OPTIONS)
        if unknown:
            errors.append(
                Error(
                    f"settings.ONYX[{alias!r}] has unknown option(s): {', '.join(unknown)}.",
                    hint=f"Valid options: {', '.join(CONFIG_OPTIONS)}.",
                    id="onyx_django.E002",
                )
            )
            continue
        try:
            resolve_config(dict(options))
        except OnyxConfigError as exc:
            errors.append(
                Error(
                    f"settings.ONYX[{alias!r}] cannot be resolved: {exc}",
                    hint="Set the missing options in settings.ONYX, the ONYX_DATABASE_* "
                    "environment variables or an onyx-database.json config file.",
                    id="onyx_django.E003",
                )
            )
    return errors
