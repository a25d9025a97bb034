"""The configuration a verb runs with: a resolved config, or a function resolving it on first
use (so ``gen --source file`` never needs credentials), layered under the connection flags."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

from onyx_database import OnyxDatabase, ResolvedConfig, init, resolve_config

__all__ = ["ConfigSource", "connect", "layered", "resolved"]

ConfigSource: TypeAlias = ResolvedConfig | Callable[[], ResolvedConfig]
"""What every verb takes: a :class:`~onyx_database.ResolvedConfig`, or a function returning
one (called only by verbs that talk to the server)."""

_BASE_FIELDS = ("database_id", "base_url", "api_key", "api_secret", "ai_base_url", "partition")


def layered(
    base: ResolvedConfig | None = None,
    *,
    config_path: str | None = None,
    database_id: str | None = None,
    base_url: str | None = None,
) -> Callable[[], ResolvedConfig]:
    """The config chain with ``base`` (a framework's resolved settings) as its explicit layer
    and the ``--config`` / ``--database-id`` / ``--base-url`` flags on top; resolved fresh (not
    the process cache) when the verb first needs it.

    >>> cfg = ResolvedConfig(database_id="db1", api_key="k", api_secret="s")
    >>> layered(cfg, base_url="http://127.0.0.1:9")().base_url
    'http://127.0.0.1:9'
    """

    def resolve() -> ResolvedConfig:
        explicit: dict[str, Any] = {}
        if base is not None:
            explicit = {name: getattr(base, name) for name in _BASE_FIELDS}
            explicit = {name: value for name, value in explicit.items() if value is not None}
            if database_id and database_id != base.database_id:
                explicit = {}  # another database: never reuse this one's key and secret
        if config_path:
            explicit["config_path"] = config_path
        if database_id:
            explicit["database_id"] = database_id
        if base_url:
            explicit["base_url"] = base_url
        return resolve_config(explicit, environ=os.environ)

    return resolve


def resolved(config: ConfigSource) -> ResolvedConfig:
    """``config`` itself, or what its function resolves."""
    return config if isinstance(config, ResolvedConfig) else config()


@contextmanager
def connect(config: ConfigSource) -> Iterator[OnyxDatabase]:
    """A client for ``config``, closed at the end of the block."""
    with init(config=resolved(config)) as db:
        yield db
