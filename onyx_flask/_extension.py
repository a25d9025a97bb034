"""The ``Onyx`` Flask extension: config, one pooled client per bind, per-context views, helpers."""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from flask import Flask, current_app, g, has_app_context

from onyx_database import (
    FLAT_SETTINGS,
    ChangeBridge,
    Condition,
    OnyxDatabase,
    OnyxSettingsError,
    QueryBuilder,
    ReconnectPolicy,
    RecordedRequest,
    ResolvedConfig,
    WriteEvent,
    add_request_listener,
    add_write_listener,
    config_from_options,
    settings_options,
)

from . import _batches
from ._json import install_json, not_found
from ._pagination import Pagination, paginate_query
from .signals import models_committed, records_written

__all__ = ["EXTENSION_KEYS", "FLAT_CONFIG_KEYS", "Onyx", "get_recorded_requests"]

T = TypeVar("T")

FLAT_CONFIG_KEYS: dict[str, str] = dict(FLAT_SETTINGS)
"""Flat ``app.config`` keys and the SDK option each one sets (they outrank ``ONYX``); the
environment variables' names (``ONYX_DATABASE_API_KEY`` ...) are among them."""

EXTENSION_KEYS: tuple[str, ...] = (
    "ONYX_BINDS",
    "ONYX_RECORD_REQUESTS",
    "ONYX_JSON_PROVIDER",
    "ONYX_JSON_ERRORS",
)
"""The extension's own ``app.config`` keys (written back with their defaults)."""

_G_VIEWS = "_onyx_views"
_G_RECORDED = "_onyx_recorded_requests"
_HINTS = (
    "app.config['ONYX'] = {'database_id': ..., 'api_key': ..., 'api_secret': ...}",
    "the flat keys ONYX_DATABASE_ID, ONYX_DATABASE_API_KEY, ONYX_DATABASE_API_SECRET in app.config",
)

ViewOptionsLoader = Callable[[], Mapping[str, Any] | None]
Bind = str | None


class _Pending:
    """A bind whose settings name a credentials file that does not exist yet: the file Onyx
    Local writes on its first start (``flask onyx local`` must be able to load the app then).
    Resolved again when the bind is first used; until then its settings stay as written."""

    def __init__(self, options: Mapping[str, Any], where: str, hints: tuple[str, ...]) -> None:
        self.options = options
        self.where = where
        self.hints = hints

    @staticmethod
    def config_file(options: Mapping[str, Any]) -> str | None:
        """The credentials file ``options`` name (``config_path`` or ``ONYX_CONFIG_PATH``)."""
        named = (
            options.get("config_path")
            or options.get("configPath")
            or os.environ.get("ONYX_CONFIG_PATH")
        )
        return str(named) if named else None

    @classmethod
    def of(cls, options: Mapping[str, Any], where: str, hints: tuple[str, ...]) -> _Pending | None:
        """A pending bind when the only problem of ``options`` is a credentials file that does
        not exist yet; raises :class:`OnyxSettingsError` for any other problem (a misspelt
        option, a bad value), checked with stand-in credentials."""
        named = cls.config_file(options)
        if named is None or os.path.lexists(named):
            return None
        without_file = {k: v for k, v in options.items() if k not in ("config_path", "configPath")}
        stand_in = {"database_id": "pending", "api_key": "pending", "api_secret": "pending"}
        environ = {k: v for k, v in os.environ.items() if k != "ONYX_CONFIG_PATH"}
        config_from_options({**without_file, **stand_in}, where=where, hints=hints, environ=environ)
        return cls(options, where, hints)

    def resolve(self) -> ResolvedConfig:
        return config_from_options(self.options, where=self.where, hints=self.hints)

    @property
    def base_url(self) -> str | None:
        url = (
            self.options.get("base_url")
            or self.options.get("baseUrl")
            or os.environ.get("ONYX_DATABASE_BASE_URL")
        )
        return str(url) if url else None


class _Pool:
    """One bind's pooled client, created on first use (and again in a forked child process)."""

    def __init__(self, state: _OnyxState, bind: Bind, config: ResolvedConfig | _Pending) -> None:
        self._state = weakref.ref(state)
        self.bind = bind
        self._config = config if isinstance(config, ResolvedConfig) else None
        self.pending = config if isinstance(config, _Pending) else None
        self._lock = threading.RLock()
        self._client: OnyxDatabase | None = None
        self._pid = 0
        self._unlisten: Callable[[], None] | None = None

    @property
    def resolved(self) -> ResolvedConfig | None:
        """The config if resolved already (no I/O)."""
        return self._config

    @property
    def config(self) -> ResolvedConfig:
        config = self._config
        if config is not None:
            return config
        with self._lock:
            if self._config is None and self.pending is not None:
                self._config = self.pending.resolve()  # raises while the file is still missing
                self.pending = None
            assert self._config is not None
            return self._config

    def client(self) -> OnyxDatabase:
        pid = os.getpid()
        client = self._client
        if client is not None and self._pid == pid:
            return client
        with self._lock:
            if self._client is None or self._pid != pid:
                # After a fork the parent's sockets are not ours: start a fresh pool and leave
                # the parent's client alone.
                self._client = OnyxDatabase(self.config)
                self._pid = pid
                self._unlisten = add_write_listener(self._written, client=self._client)
            return self._client

    def _written(self, event: WriteEvent) -> None:
        state = self._state()
        app = None if state is None else state.app()
        if app is None or not (records_written.receivers or models_committed.receivers):
            return
        change = _batches.Change.of(event, self.bind)
        _batches.collect(app, change)
        if records_written.receivers:
            records_written.send(app, **change.signal_kwargs())

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
            unlisten, self._unlisten = self._unlisten, None
            if unlisten is not None:
                unlisten()
            if client is not None and self._pid == os.getpid():
                client.close()


class _OnyxState:
    """What one app keeps in ``app.extensions["onyx"]``: per-bind configs and pools."""

    def __init__(
        self,
        extension: Onyx,
        app: Flask,
        configs: dict[Bind, ResolvedConfig | _Pending],
        default_error: OnyxSettingsError | None,
    ) -> None:
        self.extension = extension
        self.app = weakref.ref(app)
        self.pools = {bind: _Pool(self, bind, config) for bind, config in configs.items()}
        self.default_error = default_error
        self.json_errors = bool(app.config["ONYX_JSON_ERRORS"])
        self._stop_recording: Callable[[], None] | None = None

    @property
    def config(self) -> ResolvedConfig:
        return self.pool(None).config

    @property
    def database_ids(self) -> frozenset[str]:
        return frozenset(
            config.database_id
            for config in (pool.resolved for pool in self.pools.values())
            if config is not None
        )

    def pool(self, bind: Bind) -> _Pool:
        pool = self.pools.get(bind)
        if pool is not None:
            return pool
        if bind is None:
            raise RuntimeError(
                "This app has no default Onyx database (only ONYX_BINDS); pass bind=... or "
                f"set app.config['ONYX'].\n{self.default_error}"
            )
        raise KeyError(
            f"Bind key {bind!r} is not in app.config['ONYX_BINDS'] "
            f"(known: {', '.join(sorted(str(key) for key in self.pools if key)) or 'none'})."
        )

    def client(self, bind: Bind = None) -> OnyxDatabase:
        return self.pool(bind).client()

    def record(self) -> None:
        state = weakref.ref(self)

        def listener(recorded: RecordedRequest) -> None:
            me = state()
            if me is None or not has_app_context():
                return
            if current_app._get_current_object() is not me.app():  # type: ignore[attr-defined]
                return
            if recorded.database_id in me.database_ids:
                g.setdefault(_G_RECORDED, []).append(recorded)

        self._stop_recording = add_request_listener(listener)

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()

    def __del__(self) -> None:
        if self._stop_recording is not None:
            self._stop_recording()


def get_recorded_requests() -> list[RecordedRequest]:
    """The Onyx requests of the current app context (every bind), oldest first, when the app
    has ``ONYX_RECORD_REQUESTS`` on (the default under ``DEBUG`` or ``TESTING``); else ``[]``.

    ::

        from onyx_flask import get_recorded_requests

        @app.after_request
        def log_onyx(response):
            for r in get_recorded_requests():
                app.logger.debug("%s %s -> %s in %.3fs", r.method, r.path, r.status, r.duration)
            return response
    """
    return list(g.get(_G_RECORDED, [])) if has_app_context() else []


def _resolve_or_defer(
    options: Mapping[str, Any], where: str, hints: tuple[str, ...]
) -> ResolvedConfig | _Pending:
    """The resolved config, or a :class:`_Pending` one when its credentials file is not
    written yet; any other problem raises :class:`OnyxSettingsError` at once."""
    try:
        return config_from_options(options, where=where, hints=hints)
    except OnyxSettingsError:
        pending = _Pending.of(options, where, hints)
        if pending is None:
            raise
        return pending


def _close_at_exit(ref: weakref.ReferenceType[_OnyxState]) -> None:
    state = ref()
    if state is not None:
        state.close()


def _bind_of(table: object) -> Bind:
    bind = getattr(table, "__bind_key__", None) if isinstance(table, type) else None
    return bind if isinstance(bind, str) else None


class Onyx:
    """Onyx for Flask: one pooled :class:`~onyx_database.OnyxDatabase` per app and bind, a
    cheap per-app-context view at :attr:`db`, ``get_or_404`` / ``first_or_404`` /
    ``one_or_404`` / ``paginate``, write signals, request recording, JSON answers, and the
    ``flask onyx`` command group.

    ::

        onyx = Onyx()

        def create_app():
            app = Flask(__name__)
            app.config["ONYX"] = {"database_id": "db", "api_key": "k", "api_secret": "s"}
            app.config["ONYX_BINDS"] = {"analytics": {"database_id": "db2", ...}}
            onyx.init_app(app)
            return app

    The app is never stored on the extension; per-app state lives in
    ``app.extensions["onyx"]``, so one ``Onyx`` object can serve several apps.
    """

    def __init__(self, app: Flask | None = None, *, add_cli: bool = True) -> None:
        self._add_cli = add_cli
        self._view_options: ViewOptionsLoader | None = None
        if app is not None:
            self.init_app(app)

    # -- setup -----------------------------------------------------------------------------------

    def init_app(self, app: Flask) -> None:
        """Register the extension on ``app``.

        Reads, once: ``app.config["ONYX"]`` (a dict of SDK options) and the flat keys in
        :data:`FLAT_CONFIG_KEYS` (which outrank the dict), ``ONYX_BINDS`` (bind key → dict of
        options), ``ONYX_RECORD_REQUESTS`` (default: ``DEBUG or TESTING``),
        ``ONYX_JSON_PROVIDER`` (default ``True``) and ``ONYX_JSON_ERRORS`` (default ``False``);
        defaults are written back with ``setdefault``. Any other ``ONYX_*`` key raises.
        When ``app.config`` names a database, the ``ONYX_DATABASE_*`` environment variables
        are used only if ``ONYX_DATABASE_ID`` is that same database. Raises
        :class:`~onyx_database.OnyxSettingsError` (a ``RuntimeError`` and an
        ``OnyxConfigError``) at once when the config is invalid or incomplete, and
        ``RuntimeError`` when the app already has an Onyx extension. No network I/O happens.

        One case waits: when the settings name a credentials file (``config_path`` or
        ``ONYX_CONFIG_PATH``) that does not exist yet — the file Onyx Local writes on its first
        start, e.g. by ``flask onyx local`` — that bind is resolved when first used, and raises
        the same error then if the file is still missing.
        """
        if "onyx" in app.extensions:
            raise RuntimeError(
                "This Flask app already has an 'onyx' extension registered; call init_app once "
                "per app."
            )
        app.config.setdefault("ONYX", {})
        app.config.setdefault("ONYX_BINDS", {})
        app.config.setdefault("ONYX_RECORD_REQUESTS", bool(app.debug or app.testing))
        app.config.setdefault("ONYX_JSON_PROVIDER", True)
        app.config.setdefault("ONYX_JSON_ERRORS", False)
        configs, default_error = self._resolve(app)
        state = _OnyxState(self, app, configs, default_error)
        app.extensions["onyx"] = state
        if app.config["ONYX_RECORD_REQUESTS"]:
            state.record()
        atexit.register(_close_at_exit, weakref.ref(state))
        app.teardown_appcontext(self._teardown)
        app.shell_context_processor(lambda: {"onyx": self})
        install_json(app, provider=bool(app.config["ONYX_JSON_PROVIDER"]), errors=state.json_errors)
        if self._add_cli:
            from ._cli import onyx_cli

            app.cli.add_command(onyx_cli)

    @staticmethod
    def _resolve(
        app: Flask,
    ) -> tuple[dict[Bind, ResolvedConfig | _Pending], OnyxSettingsError | None]:
        options = settings_options(app.config, extension_keys=EXTENSION_KEYS)
        binds = app.config["ONYX_BINDS"]
        if not isinstance(binds, Mapping):
            raise OnyxSettingsError(
                "app.config['ONYX_BINDS'] must be a dict of bind key -> dict of Onyx options, "
                f"got {type(binds).__name__}."
            )
        configs: dict[Bind, ResolvedConfig | _Pending] = {}
        default_error: OnyxSettingsError | None = None
        try:
            configs[None] = _resolve_or_defer(options, "app.config", _HINTS)
        except OnyxSettingsError as exc:
            if options or not binds:
                raise
            default_error = exc  # Flask-SQLAlchemy's rule: the binds alone are enough
        for key, bind_options in binds.items():
            where = f"app.config['ONYX_BINDS'][{key!r}]"
            if not isinstance(key, str) or not isinstance(bind_options, Mapping):
                raise OnyxSettingsError(f"{where} must be a dict of Onyx options.")
            configs[key] = _resolve_or_defer(
                bind_options, where, (f"{where} = {{'database_id': ..., ...}}",)
            )
        return configs, default_error

    def view_options(self, loader: ViewOptionsLoader) -> ViewOptionsLoader:
        """Decorator: ``loader()`` returns keyword arguments for ``with_options`` (``partition``,
        ``request_timeout_seconds``, ``headers``) used to build :attr:`db` in each app context.

        ::

            @onyx.view_options
            def tenant_partition():
                return {"partition": g.tenant_id} if "tenant_id" in g else None
        """
        self._view_options = loader
        return loader

    # -- clients ---------------------------------------------------------------------------------

    def _state(self, app: Flask | None = None) -> _OnyxState:
        target = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
        state = target.extensions.get("onyx")
        if not isinstance(state, _OnyxState) or state.extension is not self:
            raise RuntimeError(
                "The current Flask app is not registered with this 'Onyx' instance. Did you forget "
                "to call 'init_app', or did you create multiple 'Onyx' instances?"
            )
        return state

    def config(self, app: Flask | None = None, *, bind: Bind = None) -> ResolvedConfig:
        """The resolved SDK configuration of ``app`` (default: the current app) and ``bind``."""
        return self._state(app).pool(bind).config

    @property
    def binds(self) -> tuple[str, ...]:
        """The bind keys of the current app (``ONYX_BINDS``)."""
        return tuple(str(key) for key in self._state().pools if key is not None)

    def get_client(self, app: Flask | None = None, *, bind: Bind = None) -> OnyxDatabase:
        """The pooled client of ``app`` (default: the current app) for ``bind`` (default: the
        ``ONYX`` database); thread-safe, created on first use, one per bind per app. Use it
        directly in background threads that have no app context.

        ``onyx.get_client(bind="analytics").from_table("Event").count()``
        """
        return self._state(app).client(bind)

    @property
    def client(self) -> OnyxDatabase:
        """The pooled client of the current app (see :meth:`get_client`)."""
        return self.get_client()

    @property
    def db(self) -> OnyxDatabase:
        """A light ``with_options`` view of the default pooled client for the current app
        context (see :meth:`get_db`)."""
        return self.get_db()

    def get_db(self, bind: Bind = None) -> OnyxDatabase:
        """A light ``with_options`` view of ``bind``'s pooled client for the current app context.

        The same object for the whole app context (one request), a new one for the next; all
        share the app's connection pool. Built with the :meth:`view_options` loader's options,
        and dropped when the app context tears down.
        """
        views: dict[Bind, OnyxDatabase] = g.setdefault(_G_VIEWS, {})
        view = views.get(bind)
        if view is not None:
            return view
        client = self._state().client(bind)
        options = dict(self._view_options() or {}) if self._view_options is not None else {}
        view = views[bind] = client.with_options(**options)
        return view

    def _teardown(self, exc: BaseException | None) -> None:
        try:
            _batches.send(current_app._get_current_object(), exc)  # type: ignore[attr-defined]
        finally:
            views = g.pop(_G_VIEWS, None)
            if isinstance(views, dict):
                for view in views.values():
                    view.close()  # a view's close() never closes the shared pool

    def close(self, app: Flask | None = None) -> None:
        """Close every connection pool of ``app`` (default: the current app), cancelling its
        :meth:`listen` streams. Idempotent; the next use opens a new pool. Also runs at
        interpreter exit."""
        self._state(app).close()

    def get_recorded_requests(self) -> list[RecordedRequest]:
        """The Onyx requests the current app context made so far (every bind), when
        ``ONYX_RECORD_REQUESTS`` is on: :class:`~onyx_database.RecordedRequest` items with
        method, templated path, status, duration, table and request id; never a secret.
        Flask-SQLAlchemy's ``get_recorded_queries()`` for Onyx."""
        return get_recorded_requests()

    def listen(
        self,
        table: str | type[Any],
        *,
        where: Condition | None = None,
        app: Flask | None = None,
        bind: Bind = None,
        reconnect: ReconnectPolicy | None = None,
    ) -> ChangeBridge:
        """Bridge the changes of ``table`` (a name or a model class) to the blinker signals in
        :mod:`onyx_flask.signals`: each ``CREATE`` / ``UPDATE`` / ``DELETE`` sends
        ``record_created`` / ``record_updated`` / ``record_deleted`` inside an app context, with
        ``app`` (default: the current app) as sender, **at least once**: changes written while
        the stream was disconnected (server restart, network cut, overflow) are delivered
        after it reconnects (see :class:`~onyx_database.ChangeBridge`). Runs on the app's
        pooled client (the model's ``__bind_key__`` or ``bind``) in a background thread;
        returns the bridge (``cancel()``, ``join()``, ``error``). Errors that stop it are
        logged on ``app.logger``. :meth:`close` cancels it."""
        from ._listen import start_listen

        target = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
        client = self.get_client(target, bind=bind if bind is not None else _bind_of(table))
        return start_listen(target, client, table, where, reconnect=reconnect)

    # -- helpers ---------------------------------------------------------------------------------

    def _query(self, source: QueryBuilder[T] | str | type[Any], bind: Bind) -> QueryBuilder[Any]:
        if isinstance(source, QueryBuilder):
            return source
        return self.get_db(bind if bind is not None else _bind_of(source)).from_table(source)

    @overload
    def get_or_404(
        self, table: type[T], pk: str | int, *, bind: Bind = None, description: str | None = None
    ) -> T: ...

    @overload
    def get_or_404(
        self, table: str, pk: str | int, *, bind: Bind = None, description: str | None = None
    ) -> dict[str, Any]: ...

    def get_or_404(
        self,
        table: str | type[Any],
        pk: str | int,
        *,
        bind: Bind = None,
        description: str | None = None,
    ) -> Any:
        """The record of ``table`` (a name or a model class, whose ``__bind_key__`` picks the
        bind) with primary key ``pk``, or abort with 404."""
        db = self.get_db(bind if bind is not None else _bind_of(table))
        record = db.find_by_id(table, pk)
        if record is None:
            not_found(description, json_errors=self._state().json_errors)
        return record

    def first_or_404(
        self,
        query: QueryBuilder[T] | str | type[Any],
        *,
        bind: Bind = None,
        description: str | None = None,
    ) -> Any:
        """The first record of ``query`` (a query, a model class or a table name; one
        ``limit 1`` request), or abort with 404."""
        record = self._query(query, bind).first_or_none()
        if record is None:
            not_found(description, json_errors=self._state().json_errors)
        return record

    def one_or_404(
        self,
        query: QueryBuilder[T] | str | type[Any],
        *,
        bind: Bind = None,
        description: str | None = None,
    ) -> Any:
        """The only record of ``query`` (a query, a model class or a table name), or abort with
        404 when there is none or more than one (one request for at most 2 records)."""
        records = self._query(query, bind).limit(2).list()
        if len(records) != 1:
            not_found(description, json_errors=self._state().json_errors)
        return records[0]

    def paginate(
        self,
        query: QueryBuilder[T] | str | type[Any],
        *,
        bind: Bind = None,
        page: int | None = None,
        per_page: int | None = None,
        max_per_page: int | None = 100,
        error_out: bool = True,
        count: bool = True,
    ) -> Pagination[Any]:
        """One page of ``query`` (a query, a model class or a table name) as a
        :class:`Pagination` (Flask-SQLAlchemy's attribute set).

        ``page``/``per_page`` default to the request's ``?page=`` / ``?per_page=`` (else 1 and
        20); ``per_page`` is capped by ``max_per_page`` (``None``: no cap). With ``error_out``
        a bad value or an empty page other than the first aborts with 404. Onyx has no offset:
        page N reads the first N x per_page records and keeps the last per_page (see
        docs/flask.md); ``count=True`` adds one count request for ``total``.
        """
        return paginate_query(
            self._query(query, bind),
            page=page,
            per_page=per_page,
            max_per_page=max_per_page,
            error_out=error_out,
            count=count,
        )
