"""The ``Onyx`` Flask extension: config, the pooled client, per-context views and helpers."""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from flask import Flask, abort, current_app, g

from onyx_database import (
    Condition,
    OnyxConfigError,
    OnyxDatabase,
    QueryBuilder,
    ResolvedConfig,
    StreamHandle,
)
from onyx_database._config import _SPELLING_TO_FIELD, ConfigResolver

from ._pagination import Pagination, paginate_query

__all__ = ["FLAT_CONFIG_KEYS", "Onyx"]

T = TypeVar("T")

FLAT_CONFIG_KEYS: dict[str, str] = {
    "ONYX_DATABASE_ID": "database_id",
    "ONYX_BASE_URL": "base_url",
    "ONYX_API_KEY": "api_key",
    "ONYX_API_SECRET": "api_secret",
    "ONYX_PARTITION": "partition",
    "ONYX_CONFIG_PATH": "config_path",
}
"""Flat ``app.config`` keys and the SDK option each one sets (they outrank ``ONYX``)."""

_G_ATTR = "_onyx_db"
_HINT = (
    "Set app.config['ONYX'] = {'database_id': ..., 'api_key': ..., 'api_secret': ...} "
    "(or the flat keys ONYX_DATABASE_ID / ONYX_API_KEY / ONYX_API_SECRET), the environment "
    "variables ONYX_DATABASE_ID / ONYX_DATABASE_API_KEY / ONYX_DATABASE_API_SECRET, or an "
    "onyx-database.json config file."
)

ViewOptionsLoader = Callable[[], Mapping[str, Any] | None]


class _OnyxState:
    """What one app keeps in ``app.extensions["onyx"]``: config, the pooled client, a lock."""

    def __init__(self, extension: Onyx, config: ResolvedConfig) -> None:
        self.extension = extension
        self.config = config
        self._lock = threading.Lock()
        self._client: OnyxDatabase | None = None
        self._pid = 0

    def client(self) -> OnyxDatabase:
        """The pooled client, created on first use (and again in a forked child process)."""
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
            return self._client

    @property
    def is_open(self) -> bool:
        return self._client is not None and self._pid == os.getpid()

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
            if client is not None and self._pid == os.getpid():
                client.close()


def _close_at_exit(ref: weakref.ReferenceType[_OnyxState]) -> None:
    state = ref()
    if state is not None:
        state.close()


class Onyx:
    """Onyx for Flask: one pooled :class:`~onyx_database.OnyxDatabase` per app, a cheap
    per-app-context view at :attr:`db`, ``get_or_404`` / ``first_or_404`` / ``paginate``, and
    the ``flask onyx`` command group.

    ::

        onyx = Onyx()

        def create_app():
            app = Flask(__name__)
            app.config["ONYX"] = {"database_id": "db", "api_key": "k", "api_secret": "s"}
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

        Reads, once: ``app.config["ONYX"]`` (a dict of SDK options, default ``{}``) and the flat
        keys in :data:`FLAT_CONFIG_KEYS`, which outrank the dict. Together they are the SDK's
        *explicit* layer, so ``ONYX_DATABASE_*`` environment variables and
        ``onyx-database.json`` files still fill the gaps. Raises :class:`OnyxConfigError` at
        once when the result is invalid or incomplete, and ``RuntimeError`` when the app
        already has an Onyx extension. No network I/O happens here.
        """
        if "onyx" in app.extensions:
            raise RuntimeError(
                "This Flask app already has an 'onyx' extension registered; call init_app once "
                "per app."
            )
        config = self._resolve(app)
        state = _OnyxState(self, config)
        app.extensions["onyx"] = state
        atexit.register(_close_at_exit, weakref.ref(state))
        app.teardown_appcontext(self._teardown)
        app.shell_context_processor(lambda: {"onyx": self})
        if self._add_cli:
            from ._cli import onyx_cli

            app.cli.add_command(onyx_cli)

    @staticmethod
    def _resolve(app: Flask) -> ResolvedConfig:
        options = app.config.setdefault("ONYX", {})
        if not isinstance(options, Mapping):
            raise OnyxConfigError(
                f"app.config['ONYX'] must be a dict of Onyx options, got {type(options).__name__}."
                f" {_HINT}"
            )
        explicit: dict[str, Any] = dict(options)
        for key, option in FLAT_CONFIG_KEYS.items():
            value = app.config.get(key)
            if value is None:
                continue
            for spelling in [k for k in explicit if _same_option(k, option)]:
                del explicit[spelling]
            explicit[option] = value
        try:
            return ConfigResolver().resolve_uncached(explicit)
        except OnyxConfigError as exc:
            message = f"Onyx is not configured for this Flask app: {exc} {_HINT}"
            raise OnyxConfigError(message) from None

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

    def config(self, app: Flask | None = None) -> ResolvedConfig:
        """The resolved SDK configuration of ``app`` (default: the current app)."""
        return self._state(app).config

    def get_client(self, app: Flask | None = None) -> OnyxDatabase:
        """The pooled client of ``app`` (default: the current app); thread-safe, created on
        first use. Use it directly in background threads that have no app context."""
        return self._state(app).client()

    @property
    def client(self) -> OnyxDatabase:
        """The pooled client of the current app (see :meth:`get_client`)."""
        return self.get_client()

    @property
    def db(self) -> OnyxDatabase:
        """A light ``with_options`` view of the pooled client for the current app context.

        The same object for the whole app context (one request), a new one for the next; all
        share the app's connection pool. Built with the :meth:`view_options` loader's options,
        and dropped when the app context tears down.
        """
        view = g.get(_G_ATTR)
        if isinstance(view, OnyxDatabase):
            return view
        client = self._state().client()
        options = dict(self._view_options() or {}) if self._view_options is not None else {}
        view = client.with_options(**options)
        setattr(g, _G_ATTR, view)
        return view

    def _teardown(self, exc: BaseException | None) -> None:
        view = g.pop(_G_ATTR, None)
        if isinstance(view, OnyxDatabase):
            view.close()  # a view's close() never closes the shared pool

    def close(self, app: Flask | None = None) -> None:
        """Close the connection pool of ``app`` (default: the current app), cancelling its
        :meth:`listen` streams. Idempotent; the next use opens a new pool. Also runs at
        interpreter exit."""
        self._state(app).close()

    def listen(
        self, table: str | type[Any], *, where: Condition | None = None, app: Flask | None = None
    ) -> StreamHandle:
        """Bridge a live stream of ``table`` (a name or a model class) to the blinker signals in
        :mod:`onyx_flask.signals`: each ``CREATE`` / ``UPDATE`` / ``DELETE`` sends
        ``record_created`` / ``record_updated`` / ``record_deleted`` inside an app context, with
        ``app`` (default: the current app) as sender. Runs on the app's pooled client in a
        background thread; returns its :class:`~onyx_database.StreamHandle`. Stream errors are
        logged on ``app.logger``. :meth:`close` cancels it."""
        from ._listen import start_listen

        target = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
        return start_listen(target, self.get_client(target), table, where)

    # -- helpers ---------------------------------------------------------------------------------

    @overload
    def get_or_404(self, table: type[T], pk: str | int, *, description: str | None = None) -> T: ...

    @overload
    def get_or_404(
        self, table: str, pk: str | int, *, description: str | None = None
    ) -> dict[str, Any]: ...

    def get_or_404(
        self, table: str | type[Any], pk: str | int, *, description: str | None = None
    ) -> Any:
        """The record of ``table`` with primary key ``pk``, or abort with 404."""
        record = self.db.find_by_id(table, pk)
        if record is None:
            abort(404, description=description)
        return record

    def first_or_404(self, query: QueryBuilder[T], *, description: str | None = None) -> T:
        """The first record of ``query`` (one ``limit 1`` request), or abort with 404."""
        record = query.first_or_none()
        if record is None:
            abort(404, description=description)
        return record

    def paginate(
        self,
        query: QueryBuilder[T],
        *,
        page: int | None = None,
        per_page: int | None = None,
        max_per_page: int | None = 100,
        error_out: bool = True,
        count: bool = True,
    ) -> Pagination[T]:
        """One page of ``query`` as a :class:`Pagination` (Flask-SQLAlchemy's attribute set).

        ``page``/``per_page`` default to the request's ``?page=`` / ``?per_page=`` (else 1 and
        20); ``per_page`` is capped by ``max_per_page`` (``None``: no cap). With ``error_out``
        a bad value or an empty page other than the first aborts with 404. Onyx has no offset:
        page N reads the first N x per_page records and keeps the last per_page (see
        docs/flask.md); ``count=True`` adds one count request for ``total``.
        """
        return paginate_query(
            query,
            page=page,
            per_page=per_page,
            max_per_page=max_per_page,
            error_out=error_out,
            count=count,
        )


def _same_option(spelling: str, option: str) -> bool:
    """Whether ``spelling`` (``databaseId``, ``api_key``...) names the SDK option ``option``."""
    if option == "config_path":
        return spelling in ("config_path", "configPath")
    return _SPELLING_TO_FIELD.get(spelling) == option
