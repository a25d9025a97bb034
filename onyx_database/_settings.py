"""Configuration from a web framework's settings (Flask's ``app.config``, a Django alias).

Two steps, so each framework keeps its own shape of settings::

    from onyx_database import config_from_options, settings_options

    app_config = {"ONYX_DATABASE_ID": "db", "ONYX_DATABASE_API_KEY": "k",
                  "ONYX": {"api_secret": "s", "base_url": "http://127.0.0.1:8787"}}
    options = settings_options(app_config)          # flat ONYX_* keys + the ONYX dict
    config = config_from_options(options, where="app.config", environ={})
    config.database_id                              # 'db'

Two rules no framework adapter may bend:

* a setting spelled in a way Onyx does not know is an error naming the valid spellings, never
  silently ignored;
* when the settings name a database (id, URL, key or secret), the ``ONYX_DATABASE_*``
  environment variables are used only if ``ONYX_DATABASE_ID`` names the same database: a stale
  environment can never point an app at another database or lend it another database's key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._config import _ENV, _SPELLING_TO_FIELD, ConfigResolver, ResolvedConfig
from ._errors import OnyxConfigError

__all__ = [
    "FLAT_SETTINGS",
    "OnyxSettingsError",
    "config_from_options",
    "settings_options",
]


class OnyxSettingsError(OnyxConfigError, RuntimeError):
    """A framework's Onyx settings are missing, misspelled or invalid.

    A ``RuntimeError`` (the convention of Flask extensions) and an :class:`OnyxConfigError`.
    The message is a few short lines that say what to set; it never holds a key or a secret.
    """


FLAT_SETTINGS: dict[str, str] = {
    "ONYX_DATABASE_ID": "database_id",
    "ONYX_BASE_URL": "base_url",
    "ONYX_API_KEY": "api_key",
    "ONYX_API_SECRET": "api_secret",
    "ONYX_CONFIG_PATH": "config_path",
    # The environment variables' own names are accepted as settings too.
    **{variable: option for option, variables in _ENV.items() for variable in variables},
}
"""Flat ``ONYX_*`` setting names and the SDK option each one sets. They include every
environment variable name (``ONYX_DATABASE_API_KEY`` ...) and outrank the ``ONYX`` dict."""

_DATABASE_OPTIONS = ("database_id", "base_url", "api_key", "api_secret")
_DATABASE_VARIABLES = tuple(v for option in _DATABASE_OPTIONS for v in _ENV.get(option, ()))

DEFAULT_HINTS: tuple[str, ...] = (
    "the environment variables ONYX_DATABASE_ID, ONYX_DATABASE_API_KEY, ONYX_DATABASE_API_SECRET",
    "or an onyx-database.json file (see ONYX_CONFIG_PATH)",
    "or run `onyx-py local` here: its ./.onyx-local/onyx-database.json is found",
)


def _option(spelling: str) -> str | None:
    if spelling in ("config_path", "configPath"):
        return "config_path"
    return _SPELLING_TO_FIELD.get(spelling)


def settings_options(
    settings: Mapping[str, Any],
    *,
    dict_key: str = "ONYX",
    extension_keys: Sequence[str] = (),
    where: str = "app.config",
) -> dict[str, Any]:
    """The SDK options named by ``settings``: its ``dict_key`` dict (``ONYX``) overlaid with the
    flat keys of :data:`FLAT_SETTINGS`. Any other ``ONYX_*`` key not in ``extension_keys``
    raises :class:`OnyxSettingsError` naming the valid keys.

    >>> settings_options({"ONYX": {"databaseId": "a"}, "ONYX_DATABASE_ID": "b", "DEBUG": True})
    {'database_id': 'b'}
    """
    raw = settings.get(dict_key)
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise OnyxSettingsError(
            f"{where}[{dict_key!r}] must be a dict of Onyx options, got {type(raw).__name__}."
        )
    options: dict[str, Any] = dict(raw)
    allowed = set(FLAT_SETTINGS) | set(extension_keys) | {dict_key}
    unknown = sorted(
        key
        for key in settings
        if isinstance(key, str) and key.startswith(f"{dict_key}_") and key not in allowed
    )
    if unknown:
        valid = sorted(allowed - {dict_key})
        raise OnyxSettingsError(
            f"Unknown Onyx setting{'s' if len(unknown) > 1 else ''} in {where}: "
            f"{', '.join(unknown)}.\n"
            f"Valid {dict_key}_* keys:\n"
            + "\n".join(f"  {name}" for name in valid)
            + f"\nor a {where}[{dict_key!r}] dict of SDK options."
        )
    for key, option in FLAT_SETTINGS.items():
        value = settings.get(key)
        if value is None:
            continue
        for spelling in [k for k in options if _option(k) == option]:
            del options[spelling]
        options[option] = value
    canonical: dict[str, Any] = {}
    for key, value in options.items():
        name = _option(key) if isinstance(key, str) else None
        canonical[name or key] = value  # unknown spellings reach the resolver, which names them
    return canonical


def _names_database(options: Mapping[str, Any]) -> bool:
    return any(options.get(name) not in (None, "") for name in _DATABASE_OPTIONS)


def isolated_environ(options: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without the ``ONYX_DATABASE_*`` variables when ``options`` name a database
    that ``ONYX_DATABASE_ID`` does not.

    >>> env = {"ONYX_DATABASE_ID": "other", "ONYX_DATABASE_API_KEY": "k", "HOME": "/h"}
    >>> isolated_environ({"database_id": "mine"}, env)
    {'HOME': '/h'}
    >>> sorted(isolated_environ({"database_id": "other"}, env))
    ['HOME', 'ONYX_DATABASE_API_KEY', 'ONYX_DATABASE_ID']
    """
    kept = dict(environ)
    if not _names_database(options):
        return kept
    env_id = (environ.get("ONYX_DATABASE_ID") or "").strip()
    own_id = options.get("database_id")
    if env_id and own_id is not None and str(own_id).strip() == env_id:
        return kept
    for variable in _DATABASE_VARIABLES:
        kept.pop(variable, None)
    return kept


def config_from_options(
    options: Mapping[str, Any],
    *,
    where: str = "app.config",
    hints: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    home: Path | None = None,
    cwd: Path | None = None,
) -> ResolvedConfig:
    """Resolve ``options`` (from :func:`settings_options`, or a Django alias's dict) through the
    SDK's config chain, with the environment isolated as the module docstring says.

    Raises :class:`OnyxSettingsError` with a short multi-line message: what is wrong, then
    ``hints`` (the framework's own ways to set it) and the environment / file alternatives.

    >>> config_from_options({"database_id": "db"}, environ={}, home=Path("/nonexistent"),
    ...                     cwd=Path("/nonexistent"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    onyx_database._settings.OnyxSettingsError: Onyx is not configured (app.config): ...
    """
    env = isolated_environ(options, os.environ if environ is None else environ)
    try:
        return ConfigResolver(environ=env, home=home, cwd=cwd).resolve_uncached(options)
    except OnyxConfigError as exc:
        problem = str(exc)
        # The resolver's message goes on to list every source it tried: keep what was wrong.
        for marker in ("\n", " Valid options:"):
            problem = problem.split(marker, 1)[0]
        lines = [f"Onyx is not configured ({where}): {problem.strip()}", "Set one of:"]
        lines += [f"  {hint}" for hint in (*hints, *DEFAULT_HINTS)]
        error = OnyxSettingsError("\n".join(lines))
    raise error
