"""Runs an ``onyx-py`` command (``gen``, ``schema``) with a ``settings.ONYX`` alias's config.

The alias's options are resolved through the SDK's config chain and handed to the command as its
explicit config layer (flags given on the command line win); nothing is written to disk.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

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
    # The alias's settings are the explicit config layer; flags on the command line win.
    code = main(list(argv), stdout=out, stderr=err, config=config)
    stdout.write(out.getvalue(), ending="")
    stderr.write(err.getvalue(), ending="")
    if code != 0:
        raise CommandError(f"onyx-py exited with status {code}", returncode=code)
