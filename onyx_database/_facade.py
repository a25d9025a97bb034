"""Entry points: :func:`init`, :func:`init_async` and the ``onyx`` facade of the official SDK."""

from __future__ import annotations

import dataclasses
from typing import Unpack

import httpx

from . import _config
from ._async_client import AsyncOnyxDatabase
from ._client import OnyxDatabase
from ._config import ResolvedConfig, SealedOptions
from ._errors import OnyxConfigError
from ._options import ClientOptions

__all__ = ["OnyxFacade", "init", "init_async", "onyx"]

_OVERRIDABLE = frozenset(f.name for f in dataclasses.fields(ResolvedConfig) if f.name != "sources")


def _resolve(config: ResolvedConfig | None, options: SealedOptions) -> ResolvedConfig:
    # options.values is read inline, never bound to a local: this frame shows in tracebacks
    if config is not None:
        if not isinstance(config, ResolvedConfig):
            raise OnyxConfigError(
                f"config= expects a ResolvedConfig, got {type(config).__name__}; "
                "pass plain options as keyword arguments instead"
            )
        unknown = sorted(set(options.values) - _OVERRIDABLE)
        if unknown:
            raise OnyxConfigError(
                f"with config=, other keywords must be ResolvedConfig fields to override; "
                f"unknown: {', '.join(unknown)}"
            )
        return dataclasses.replace(config, **options.values) if options.values else config
    return _config.resolve_config(options.values)


def init(
    *,
    config: ResolvedConfig | None = None,
    transport: httpx.BaseTransport | None = None,
    http_client: httpx.Client | None = None,
    **options: Unpack[ClientOptions],
) -> OnyxDatabase:
    """Create a sync client; options not given are found through the config chain.

    ``options`` are typed (:class:`ClientOptions`: every option, in snake_case or the official
    camelCase spelling). ``transport`` plugs in an httpx transport (``httpx.MockTransport``,
    ``httpx.HTTPTransport`` with proxies or TLS settings); ``http_client`` a whole
    ``httpx.Client`` that the SDK then never closes. ``config`` takes a ready
    :class:`ResolvedConfig` (other keywords then override its fields:
    ``init(config=cfg, wire_format="msgpack")``).

    >>> db = init(database_id="db1", api_key="key", api_secret="secret",
    ...           base_url="http://127.0.0.1:9")
    >>> db.database_id
    'db1'
    >>> db.close()
    """
    sealed = SealedOptions(options)  # this frame's locals show in tracebacks: no raw secret
    del options
    return OnyxDatabase(_resolve(config, sealed), transport=transport, http_client=http_client)


def init_async(
    *,
    config: ResolvedConfig | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    http_client: httpx.AsyncClient | None = None,
    **options: Unpack[ClientOptions],
) -> AsyncOnyxDatabase:
    """Create an async client (same options as :func:`init`; ``transport`` is an
    ``httpx.AsyncBaseTransport`` and ``http_client`` an ``httpx.AsyncClient``).

    ::

        async with init_async(database_id="db1") as db:
            rows = await db.from_table("User").list()
    """
    sealed = SealedOptions(options)  # this frame's locals show in tracebacks: no raw secret
    del options
    return AsyncOnyxDatabase(_resolve(config, sealed), transport=transport, http_client=http_client)


class OnyxFacade:
    """The ``onyx`` object of the official SDK, so ``onyx.init(...)`` code keeps working.

    >>> from onyx_database import onyx
    >>> callable(onyx.init) and callable(onyx.init_async)
    True
    """

    __slots__ = ()

    init = staticmethod(init)
    init_async = staticmethod(init_async)

    @staticmethod
    def clear_cache_config() -> None:
        """Forget cached configurations (env and file changes are seen by the next ``init``)."""
        _config.clear_cache_config()

    def __repr__(self) -> str:
        return "<onyx facade: init(), init_async(), clear_cache_config()>"


onyx = OnyxFacade()
