"""Runs an ``onyx-py`` verb (:mod:`onyx_database.cli`) with a ``settings.ONYX`` alias's config.

The alias's resolved configuration is handed to the verb as is; its output goes to the
command's ``stdout`` / ``stderr`` and a non-zero exit code becomes a ``CommandError``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, cast

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, OutputWrapper

from onyx_database import OnyxConfigError, ResolvedConfig
from onyx_database.cli import Output, guarded

from .._connections import connections

__all__ = ["alias_config", "run_verb"]


class _Stream(io.TextIOBase):
    """An ``OutputWrapper`` as a plain text stream (it would end every write with a newline)."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> int:
        self._wrapper.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self._wrapper.flush()

    def isatty(self) -> bool:
        return bool(self._wrapper.isatty())


def alias_config(alias: str) -> ResolvedConfig:
    """The resolved config of ``alias``; a ``CommandError`` (exit 2) when it cannot be."""
    try:
        return connections.config(alias)
    except (OnyxConfigError, ImproperlyConfigured) as exc:
        raise CommandError(f"settings.ONYX[{alias!r}]: {exc}", returncode=2) from exc


def run_verb(
    prog: str,
    stdout: OutputWrapper,
    stderr: OutputWrapper,
    call: Callable[[Output], int],
) -> None:
    """Run ``call(output)``; a non-zero exit becomes ``CommandError(returncode=)``."""
    out = Output(cast(IO[str], _Stream(stdout)), cast(IO[str], _Stream(stderr)))
    code = guarded(prog, out, lambda: call(out))
    if code != 0:
        raise CommandError(f"{prog} exited with status {code}", returncode=code)
