"""Runs an ``onyx-py`` command (``gen``, ``schema``) with a ``settings.ONYX`` alias's config.

The alias's options are resolved through the SDK's config chain, written to a private
temporary config file (mode 0600, removed afterwards) and handed to the command with
``--config``, ``--database-id`` and ``--base-url``.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, OutputWrapper

from onyx_database import OnyxConfigError, resolve_config

from .._connections import connections

__all__ = ["OnyxPyMain", "run_onyx_py"]

OnyxPyMain = Callable[..., int]


def run_onyx_py(
    main: OnyxPyMain,
    argv: Sequence[str],
    alias: str,
    stdout: OutputWrapper,
    stderr: OutputWrapper,
) -> None:
    """Run ``main(argv + config flags)``; a non-zero exit becomes ``CommandError(returncode=)``."""
    try:
        config = resolve_config(connections.settings(alias))
    except (OnyxConfigError, ImproperlyConfigured) as exc:
        raise CommandError(f"settings.ONYX[{alias!r}]: {exc}", returncode=2) from exc
    out = io.StringIO()
    err = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="onyx-django-") as directory:
        path = Path(directory) / "onyx-database.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(
                {
                    "databaseId": config.database_id,
                    "baseUrl": config.base_url,
                    "apiKey": config.api_key,
                    "apiSecret": config.api_secret,
                },
                handle,
            )
        flags = ["--config", str(path), "--database-id", config.database_id]
        code = main([*argv, *flags, "--base-url", config.base_url], stdout=out, stderr=err)
    stdout.write(out.getvalue(), ending="")
    stderr.write(err.getvalue(), ending="")
    if code != 0:
        raise CommandError(f"onyx-py exited with status {code}", returncode=code)
