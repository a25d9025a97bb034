"""``settings.ONYX`` aliases → one pooled :class:`~onyx_database.OnyxDatabase` per alias.

Shaped like Django's ``django.db.connections``::

    # settings.py
    ONYX = {
        "default": {"base_url": "http://127.0.0.1:8787", "database_id": "...",
                    "api_key": "...", "api_secret": "..."},
        "analytics": {"database_id": "analytics-db"},   # key and secret from env / files
    }

    from onyx_django import connections, db
    connections["analytics"].from_table("Event").count()
    db.save("User", {"id": "u1"})                        # the "default" alias

Each alias's options go to the SDK's explicit config layer; the environment and config files fill
the gaps (the ``ONYX_DATABASE_*`` variables only when they name the same database, see
:func:`~onyx_database.config_from_options`). The pooled client is created lazily, once per
process (a forked child makes its own).
``connections[alias]`` hands out a light ``with_options()`` view of that pool for the current
thread or task; views are dropped on ``request_finished``. No TCP connection is opened per request.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

from asgiref.local import Local
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from onyx_database import AsyncOnyxDatabase, OnyxDatabase, ResolvedConfig, config_from_options

__all__ = ["DEFAULT_ALIAS", "ConnectionHandler", "connections", "db"]

DEFAULT_ALIAS = "default"


def onyx_settings() -> dict[str, dict[str, Any]]:
    """``settings.ONYX`` validated for shape (``{"default": {}}`` when it is not set)."""
    raw: object = getattr(django_settings, "ONYX", None)
    if raw is None:
        return {DEFAULT_ALIAS: {}}
    if not isinstance(raw, Mapping):
        raise ImproperlyConfigured(
            f"settings.ONYX must be a dict of aliases, got {type(raw).__name__}"
        )
    aliases: dict[str, dict[str, Any]] = {}
    for alias, options in raw.items():
        if not isinstance(alias, str) or not isinstance(options, Mapping):
            raise ImproperlyConfigured(
                f"settings.ONYX[{alias!r}] must be a dict of SDK options, got "
                f"{type(options).__name__}"
            )
        aliases[alias] = dict(options)
    return aliases


def _hints(where: str) -> tuple[str, ...]:
    """What to put in ``settings.py``, first among the ways to configure an alias."""
    return (
        f'{where} = {{"database_id": "...", "api_key": "...", "api_secret": "..."}} in settings.py',
        '(add "base_url": "http://127.0.0.1:8787" for Onyx Local; check with manage.py check)',
    )


class ConnectionHandler:
    """Lazily creates and caches one pooled client per ``settings.ONYX`` alias.

    ``connections["default"]`` is a per-thread/per-task view of the pool;
    ``connections.pool("default")`` the pooled client itself.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[str, OnyxDatabase] = {}
        self._pid = os.getpid()
        self._local = Local()
        self._async_pools: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, AsyncOnyxDatabase]
        ] = weakref.WeakKeyDictionary()
        self._blocked: str | None = None
        self._routers: tuple[tuple[Any, ...], list[Any]] | None = None
        self._derived: dict[str, dict[str, Any]] = {}
        self._derived_names: dict[tuple[str, str], str] = {}

    # -- test isolation ----------------------------------------------------------------------

    def block(self, reason: str) -> None:
        """Refuse every client until :meth:`unblock` (``onyx_django.testing`` does this for
        tests that did not ask for Onyx, as pytest-django blocks the database)."""
        self._blocked = reason
        self._local.views = {}

    def unblock(self) -> None:
        """Allow clients again."""
        self._blocked = None

    def _check_blocked(self) -> None:
        if self._blocked is not None:
            raise RuntimeError(self._blocked)

    # -- the pooled clients ------------------------------------------------------------------

    def _check_fork(self) -> None:
        if os.getpid() != self._pid:
            # Sockets inherited across fork() must not be shared: forget, never close, them.
            self._pools = {}
            self._local = Local()  # also a new epoch: no result cache crosses a fork
            self._async_pools = weakref.WeakKeyDictionary()
            self._pid = os.getpid()

    def settings(self, alias: str) -> dict[str, Any]:
        """The SDK options of ``alias``; :class:`ImproperlyConfigured` for an unknown alias."""
        derived = self._derived.get(alias)
        if derived is not None:
            return dict(derived)
        aliases = onyx_settings()
        if alias not in aliases:
            raise ImproperlyConfigured(
                f"The Onyx alias {alias!r} is not in settings.ONYX (aliases: {', '.join(aliases)})"
            )
        return aliases[alias]

    def config(self, alias: str = DEFAULT_ALIAS) -> ResolvedConfig:
        """The resolved config of ``alias``: its options, then the environment and config files
        (the ``ONYX_DATABASE_*`` variables only when they name the same database, as for Flask;
        see :func:`~onyx_database.config_from_options`)."""
        where = f"settings.ONYX[{alias!r}]"
        return config_from_options(self.settings(alias), where=where, hints=_hints(where))

    def pool(self, alias: str = DEFAULT_ALIAS) -> OnyxDatabase:
        """The process's pooled client of ``alias``, created on first use."""
        self._check_blocked()
        self._check_fork()
        existing = self._pools.get(alias)
        if existing is not None:
            return existing
        with self._lock:
            existing = self._pools.get(alias)
            if existing is None:
                existing = OnyxDatabase(self.config(alias))
                self._pools[alias] = existing
            return existing

    def async_pool(self, alias: str = DEFAULT_ALIAS) -> AsyncOnyxDatabase:
        """The async client of ``alias`` for the running event loop (one per alias per loop,
        since an ``httpx.AsyncClient`` belongs to one loop). Close with :meth:`aclose_all`."""
        self._check_blocked()
        self._check_fork()
        alias = self._overridden(alias)
        loop = asyncio.get_running_loop()
        clients = self._async_pools.setdefault(loop, {})
        client = clients.get(alias)
        if client is None:
            client = AsyncOnyxDatabase(self.config(alias))
            clients[alias] = client
        return client

    async def aclose_all(self) -> None:
        """Close the running event loop's async clients (e.g. at ASGI lifespan shutdown)."""
        clients = self._async_pools.pop(asyncio.get_running_loop(), {})
        for client in clients.values():
            await client.aclose()

    def __iter__(self) -> Iterator[str]:
        return iter(onyx_settings())

    # -- routing -------------------------------------------------------------------------------

    def routers(self) -> list[Any]:
        """The router instances of ``settings.ONYX_ROUTERS`` (dotted paths, classes or
        instances; like ``DATABASE_ROUTERS``), cached until the setting changes."""
        configured = getattr(django_settings, "ONYX_ROUTERS", None) or []
        key = tuple(id(item) if not isinstance(item, str) else item for item in configured)
        cached = self._routers
        if cached is not None and cached[0] == key:
            return cached[1]
        routers: list[Any] = []
        for item in configured:
            router = import_string(item) if isinstance(item, str) else item
            routers.append(router() if isinstance(router, type) else router)
        self._routers = (key, routers)
        return routers

    def route(self, model: type[Any], *, write: bool = False, **hints: Any) -> str:
        """The alias for reading (or writing) ``model``: the first router's answer that is not
        None (``db_for_read`` / ``db_for_write``, as Django's), else ``"default"``.

        >>> connections.route(object)
        'default'
        """
        method = "db_for_write" if write else "db_for_read"
        for router in self.routers():
            choose = getattr(router, method, None)
            alias = choose(model, **hints) if choose is not None else None
            if alias:
                return str(alias)
        return DEFAULT_ALIAS

    def initialized(self) -> list[str]:
        """Aliases whose pooled client exists in this process."""
        self._check_fork()
        return sorted(self._pools)

    # -- per-request views -------------------------------------------------------------------

    def _views(self) -> dict[str, OnyxDatabase]:
        views = getattr(self._local, "views", None)
        if views is None:
            views = {}
            self._local.views = views
        return cast("dict[str, OnyxDatabase]", views)

    def __getitem__(self, alias: str) -> OnyxDatabase:
        """A light view of ``alias``'s pool for this thread or task (same one until released)."""
        self._check_blocked()
        self._check_fork()
        alias = self._overridden(alias)
        views = self._views()
        view = views.get(alias)
        if view is None:
            view = self.pool(alias).with_options()
            views[alias] = view
        return view

    # -- per-request overrides ------------------------------------------------------------------

    def _overridden(self, alias: str) -> str:
        overrides: dict[str, str] | None = getattr(self._local, "overrides", None)
        return overrides.get(alias, alias) if overrides else alias

    @contextmanager
    def override(self, alias: str = DEFAULT_ALIAS, **options: Any) -> Iterator[None]:
        """Within the block, in this thread or task only, ``connections[alias]`` and the
        querysets on ``alias`` use a client made with ``options`` on top of the alias's settings:
        a user's own ``api_key``/``api_secret`` (row-level auth), a ``partition``, a timeout.

        Each distinct set of options gets its own pooled client, created once and kept until
        :meth:`close_all`; credentials stay in memory and never appear in alias names, logs or
        errors. ``with connections.override(api_key=key, api_secret=secret): ...``
        """
        base = self.settings(alias)
        key = repr(sorted((name, repr(value)) for name, value in options.items()))
        with self._lock:
            name = self._derived_names.get((alias, key))
            if name is None:
                name = f"{alias}+override{len(self._derived_names) + 1}"
                self._derived_names[(alias, key)] = name
                self._derived[name] = {**base, **options}
        previous: dict[str, str] = getattr(self._local, "overrides", None) or {}
        self._local.overrides = {**previous, alias: name}
        try:
            yield
        finally:
            self._local.overrides = previous

    def has_view(self, alias: str = DEFAULT_ALIAS) -> bool:
        """Whether this thread or task holds a view of ``alias`` right now."""
        return alias in self._views()

    def release_views(self, **_signal_kwargs: Any) -> None:
        """Drop this thread's or task's views (connected to ``request_finished``); querysets'
        result caches filled before are not served again (a new :meth:`epoch` starts)."""
        self._local.views = {}
        self._local.epoch = object()

    def epoch(self) -> object:
        """A token that changes whenever this thread's or task's views are released (every
        request): a queryset's result cache is valid only within the epoch that filled it."""
        token = getattr(self._local, "epoch", None)
        if token is None:
            token = object()
            self._local.epoch = token
        return token

    def close_all(self, **_signal_kwargs: Any) -> None:
        """Close every pooled client (the next use creates a new one)."""
        with self._lock:
            pools, self._pools = self._pools, {}
            self._derived, self._derived_names = {}, {}
        self._local.views = {}
        self._local.epoch = object()
        for client in pools.values():
            client.close()

    def setting_changed(self, *, setting: str, **_signal_kwargs: Any) -> None:
        """Receiver of Django's ``setting_changed``: ``override_settings(ONYX=...)`` reconnects."""
        if setting == "ONYX":
            self.close_all()


class _DefaultProxy:
    """Forwards attribute access to ``connections["default"]`` (like ``django.db.connection``)."""

    def __init__(self, handler: ConnectionHandler) -> None:
        object.__setattr__(self, "_handler", handler)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # introspection (doctest, inspect.unwrap) must not connect
            raise AttributeError(name)
        return getattr(self._handler[DEFAULT_ALIAS], name)

    def __repr__(self) -> str:
        return f"<onyx_django.db proxy to {self._handler[DEFAULT_ALIAS]!r}>"


connections = ConnectionHandler()
"""The process's handler; ``connections["analytics"]`` is that alias's client view."""

db = cast("OnyxDatabase", _DefaultProxy(connections))
"""The ``"default"`` alias's client (a proxy to ``connections["default"]``)."""
