"""``onyx_async``: the official SDK's async facade (``await``-able clients from ``init``)."""

from __future__ import annotations

from . import _config
from ._facade import init_async

__all__ = ["OnyxAsyncFacade", "onyx_async"]


class OnyxAsyncFacade:
    """The ``onyx_async`` object of the official SDK: ``onyx_async.init(...)`` gives an
    :class:`~onyx_database.AsyncOnyxDatabase` (the same options as ``onyx.init``).

    >>> from onyx_database import onyx_async
    >>> callable(onyx_async.init)
    True
    """

    __slots__ = ()

    init = staticmethod(init_async)

    @staticmethod
    def clear_cache_config() -> None:
        """Forget cached configurations (env and file changes are seen by the next ``init``)."""
        _config.clear_cache_config()

    def __repr__(self) -> str:
        return "<onyx_async facade: init(), clear_cache_config()>"


onyx_async = OnyxAsyncFacade()
