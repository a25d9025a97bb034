"""``LocalServer``: Onyx Local on 127.0.0.1, run by uvicorn in a background thread."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from ._app import ROUTE_TEMPLATES, OnyxApp, Settings
from ._bind import RemoteBindWarning, remote_bind_warning
from ._budget import DEFAULT_QUERY_TIMEOUT, DEFAULT_REGEX_TIMEOUT, QueryStats
from ._changes import ChangeBus
from ._datadir import (
    CredentialsUnreadable,
    DataDirLock,
    prepare_dir,
    private_file,
    read_credentials,
)
from ._faults import Faults, RequestLog
from ._handlers import Services, publish
from ._limits import (
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_BODY,
    ConnectionStats,
    best_http_protocol,
    guarded_protocol,
)
from ._paging import PageTokens
from ._schema import SchemaInvalid
from ._schema_safety import DataLossRefused, describe
from ._secret_box import SecretBox, SecretUnreadable
from ._secrets import encrypt_stored
from ._storage import Storage
from ._streams import StreamHub

__all__ = ["CONFIG_FILE", "DATABASE_FILE", "LocalServer"]

CONFIG_FILE = "onyx-database.json"
DATABASE_FILE = "onyx.sqlite3"


def _read_schema(schema: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema, dict):
        return schema
    loaded = json.loads(Path(schema).read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{schema}: a schema file must hold a JSON object")
    return loaded


def _write_private(path: Path, text: str) -> None:
    """Write a file readable by its owner only, atomically."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(scratch, 0o600)
    os.replace(scratch, path)


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when installed (the [local] extra), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


class LocalServer:
    """Onyx Local: the Onyx Cloud HTTP API on 127.0.0.1, stored in SQLite under ``data_dir``.

    On first start a database id, API key and secret are generated and written to
    ``data_dir/onyx-database.json`` (mode 0600) in the canonical config format, so the SDK's
    config chain finds them. Data, credentials and schema survive restarts.

    >>> with LocalServer("/tmp/onyx-demo", schema="onyx.schema.json") as server:  # doctest: +SKIP
    ...     server.url
    'http://127.0.0.1:54321'

    ``test_hooks=True`` enables :attr:`faults` (503s with ``Retry-After``, dropped
    connections, cut streams) and :attr:`changes` recording; ``keep_alive_interval`` is the
    seconds between ``KEEP_ALIVE`` lines on idle query streams and ``stream_buffer`` the events a
    stream may have pending before a slow consumer is cut off; ``latency_ms`` delays every
    answer without blocking other requests. ``tls_cert`` and ``tls_key`` (PEM files) serve
    HTTPS instead of HTTP; any other ``host`` than loopback over plain HTTP warns
    (:class:`RemoteBindWarning`).

    Limits: a query (query, count, find, update or delete by query) gets ``query_timeout``
    seconds (``None``: no limit) and each regular-expression evaluation ``regex_timeout``
    seconds, else it answers 422 (``QUERY_TIMEOUT`` / ``REGEX_TIMEOUT``); a body larger than
    ``max_body`` bytes answers 413; a connection whose request headers take longer than
    ``header_timeout`` seconds, or whose body stops arriving for as long, gets 408 and is closed.

    ``access_log=True`` logs one line per request to the ``onyx_database.local.access`` logger
    (level INFO): method, path without its query string, status (``dropped`` when the
    connection was closed without an answer) and milliseconds, e.g.
    ``GET /data/<db>/User/u1 200 0.4 ms``. Bodies and query values are never logged.
    """

    def __init__(
        self,
        data_dir: str | Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        schema: str | Path | dict[str, Any] | None = None,
        latency_ms: float = 0,
        test_hooks: bool = False,
        keep_alive_interval: float = 15.0,
        stream_buffer: int = 10_000,
        tls_cert: str | Path | None = None,
        tls_key: str | Path | None = None,
        query_timeout: float | None = DEFAULT_QUERY_TIMEOUT,
        regex_timeout: float = DEFAULT_REGEX_TIMEOUT,
        max_body: int = DEFAULT_MAX_BODY,
        header_timeout: float = DEFAULT_HEADER_TIMEOUT,
        access_log: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.access_log = access_log
        self.host = host
        self._requested_port = port
        self._schema = schema
        self._streams = StreamHub(
            keep_alive_interval=keep_alive_interval, buffer_size=stream_buffer
        )
        if (tls_cert is None) != (tls_key is None):
            raise ValueError("HTTPS needs both tls_cert and tls_key")
        self.tls_cert = None if tls_cert is None else Path(tls_cert)
        self.tls_key = None if tls_key is None else Path(tls_key)
        self._faults = Faults(enabled=test_hooks, streams=self._streams)
        self._log = RequestLog(ROUTE_TEMPLATES)
        if query_timeout is not None and query_timeout <= 0:
            raise ValueError("query_timeout must be > 0 (or None for no limit)")
        if regex_timeout <= 0 or header_timeout <= 0 or max_body < 1:
            raise ValueError("regex_timeout, header_timeout and max_body must be > 0")
        self._settings = Settings(
            api_key="",
            api_secret="",
            latency_ms=float(latency_ms),
            query_timeout=query_timeout,
            regex_timeout=float(regex_timeout),
            max_body=int(max_body),
            body_timeout=float(header_timeout),
        )
        self.header_timeout = float(header_timeout)
        self._connection_stats = ConnectionStats()
        self._query_stats = QueryStats()
        self._credentials: dict[str, str] = {}
        self._storage: Storage | None = None
        self._lock: DataDirLock | None = None
        self._secret_box: SecretBox | None = None
        self._changes = ChangeBus()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._port = 0
        self._crash: BaseException | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> LocalServer:
        """Open the data dir, bind the port and serve in a background thread; returns once
        the socket accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        prepare_dir(self.data_dir)
        lock = DataDirLock(self.data_dir)
        lock.acquire()  # before anything is read or written: a second server stops here
        try:
            self._load_credentials()
            private_file(self.data_dir / DATABASE_FILE)  # -wal and -shm inherit its mode
            storage = Storage(self.data_dir / DATABASE_FILE, self._changes)
        except BaseException:
            lock.release()
            raise
        self._storage = storage
        try:
            self._secret_box = SecretBox.open(self.data_dir)
            self._encrypt_stored_secrets(storage, self._secret_box)
            if self._schema is not None:
                remedy = (
                    "start without the schema and publish it with `onyx-py schema publish"
                    " --allow-data-loss` (or LocalServer.publish_schema(doc,"
                    " allow_data_loss=True)) to accept the loss"
                )
                self._publish(_read_schema(self._schema), False, remedy)
            self._serve(storage)
        except BaseException:
            self._storage = None
            storage.close()
            lock.release()
            raise
        self._lock = lock
        lock.record(self.url)
        self._write_config()
        warning = remote_bind_warning(self.host, tls=self.tls_cert is not None)
        if warning is not None:
            warnings.warn(warning, RemoteBindWarning, stacklevel=2)
        return self

    def _encrypt_stored_secrets(self, storage: Storage, box: SecretBox) -> None:
        try:
            encrypt_stored(storage, box)
        except SecretUnreadable:
            raise CredentialsUnreadable(
                f"stored secrets do not decrypt with {self.data_dir / 'onyx-secrets.key'}: it is"
                " not the key they were written with; restore that key file from a backup"
            ) from None

    def _serve(self, storage: Storage) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # says TCP, and without it keep-alive answers stall ~40 ms on delayed ACKs.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
            sock.listen(256)
        except BaseException:
            sock.close()
            raise
        self._socket = sock
        self._port = int(sock.getsockname()[1])
        key = hashlib.sha256(b"onyx-local-pages:" + self.api_secret.encode()).digest()
        services = Services(storage, self.database_id, PageTokens(key), self._secret_box)
        app = OnyxApp(services, self._settings, self._faults, self._log, self._streams)
        app.query_stats = self._query_stats
        app.access_log = self.access_log
        self._streams.reopen()
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            # httptools when installed (the [local] extra), else h11; both with a header timeout
            http=guarded_protocol(
                best_http_protocol(), self.header_timeout, self._connection_stats
            ),
            ws="none",
            timeout_graceful_shutdown=3,
            ssl_certfile=None if self.tls_cert is None else str(self.tls_cert),
            ssl_keyfile=None if self.tls_key is None else str(self.tls_key),
        )
        server = uvicorn.Server(config)
        self._server = server
        self._crash = None
        self._thread = threading.Thread(
            target=self._run, args=(server, sock), name="onyx-local", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._thread.join(timeout=1)
                self._thread = None
                self._socket = None
                sock.close()
                raise RuntimeError(f"Onyx Local failed to start: {self._crash!r}")
            time.sleep(0.005)

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(server.serve(sockets=[sock]))
        except BaseException as error:  # reported by start()
            self._crash = error

    def stop(self) -> None:
        """Stop serving, release the port and close the database."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            self._streams.end_all()  # open streams would hold the graceful shutdown
            server.should_exit = True
            thread.join(timeout=10)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()
        if self._storage is not None:
            self._storage.close()
        if self._lock is not None:
            self._lock.release()
        self._server = self._thread = self._socket = self._storage = self._lock = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- credentials ---------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        """``data_dir/onyx-database.json``."""
        return self.data_dir / CONFIG_FILE

    def _load_credentials(self) -> None:
        # A corrupt file raises: new credentials over it would lock every client out.
        stored = read_credentials(self.config_path) or {}
        credentials = {
            "databaseId": stored.get("databaseId") or str(uuid.uuid4()),
            "apiKey": stored.get("apiKey") or secrets.token_urlsafe(24),
            "apiSecret": stored.get("apiSecret") or secrets.token_urlsafe(32),
        }
        self._credentials = {k: str(v) for k, v in credentials.items()}
        self._settings.api_key = self._credentials["apiKey"]
        self._settings.api_secret = self._credentials["apiSecret"]

    def _write_config(self) -> None:
        _write_private(self.config_path, json.dumps(self.config(), indent=2) + "\n")

    def _require_credentials(self) -> dict[str, str]:
        if not self._credentials:
            self._load_credentials()
        return self._credentials

    @property
    def database_id(self) -> str:
        return self._require_credentials()["databaseId"]

    @property
    def api_key(self) -> str:
        return self._require_credentials()["apiKey"]

    @property
    def api_secret(self) -> str:
        return self._require_credentials()["apiSecret"]

    @property
    def port(self) -> int:
        """The bound port (the real one when started with ``port=0``)."""
        if not self._port:
            raise RuntimeError("the server is not started")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https://`` when serving TLS)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.tls_cert is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    def config(self) -> dict[str, str]:
        """The canonical config dict: ``databaseId``, ``baseUrl``, ``apiKey``, ``apiSecret``,
        and ``aiBaseUrl`` (the same server, whose AI routes answer 501)."""
        return {
            "databaseId": self.database_id,
            "baseUrl": self.url,
            "aiBaseUrl": self.url,
            "apiKey": self.api_key,
            "apiSecret": self.api_secret,
        }

    # -- test and development hooks ----------------------------------------------------------------
    @property
    def faults(self) -> Faults:
        """Fault injection (needs ``test_hooks=True``)."""
        return self._faults

    @property
    def changes(self) -> ChangeBus:
        """The change bus every committed write publishes to, in commit order.

        >>> sub = server.changes.subscribe("User")  # doctest: +SKIP
        >>> [(e.action, e.entity["id"]) for e in sub.drain()]  # doctest: +SKIP
        """
        return self._changes

    @property
    def latency_ms(self) -> float:
        return self._settings.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        self._settings.latency_ms = float(value)

    @property
    def keep_alive_interval(self) -> float:
        """Seconds between ``KEEP_ALIVE`` lines on idle streams (changeable while running)."""
        return self._streams.keep_alive_interval

    @keep_alive_interval.setter
    def keep_alive_interval(self, value: float) -> None:
        if value <= 0:
            raise ValueError("keep_alive_interval must be > 0")
        self._streams.keep_alive_interval = float(value)

    @property
    def stream_buffer(self) -> int:
        """Events one stream may have pending before it is ended as too slow."""
        return self._streams.buffer_size

    @stream_buffer.setter
    def stream_buffer(self, value: int) -> None:
        if value < 1:
            raise ValueError("stream_buffer must be >= 1")
        self._streams.buffer_size = int(value)

    @property
    def query_stats(self) -> QueryStats:
        """Queries stopped by their time budget (``timed_out``), by their client leaving
        (``cancelled``), and running now (``running``)."""
        return self._query_stats

    @property
    def header_timeouts(self) -> int:
        """Connections closed (408) because their request headers did not arrive in time."""
        return self._connection_stats.header_timeouts

    @property
    def open_streams(self) -> int:
        """Query streams open right now."""
        return self._streams.open_count

    @property
    def stream_connections(self) -> int:
        """Query streams accepted since start (200 answers, including ones closed at once)."""
        return self._streams.connections

    def request_count(self, method: str, path: str) -> int:
        """Requests received for ``method`` (``"*"`` for any) and ``path``: concrete
        (``/data/<id>/User``), with ``{db}`` (``/data/{db}/User``) or a route template
        (``/data/{db}/{table}``). Failed and fault-injected requests count too.

        The counters hold at most 10,000 distinct paths between resets, so a long-running
        server does not grow with every id it is asked for: past that, counts by route template
        stay exact and counting by any other path raises :class:`RuntimeError` (call
        :meth:`reset_request_counts` before the requests you count)."""
        return self._log.count(method, path)

    def reset_request_counts(self) -> None:
        """Zero the request counters (every path counts exactly again until the limit)."""
        self._log.reset()

    def _require_storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("the server is not started")
        return self._storage

    def reset_data(self) -> None:
        """Empty every table in every partition and reset sequences; keep the schema."""
        self._require_storage().reset()

    def publish_schema(self, doc: dict[str, Any], *, allow_data_loss: bool = False) -> None:
        """Save and publish a schema (like ``PUT /schemas/{db}?publish=true``).

        Raises ``ValueError`` listing every problem when the document is invalid, or naming
        each table, attribute and record count when publishing would lose stored data (a new
        identifier with duplicates, a type change whose values do not convert, a removed
        attribute or table holding data) unless ``allow_data_loss`` is true.
        """
        self._publish(doc, allow_data_loss, "pass allow_data_loss=True to accept the loss")

    def _publish(self, doc: dict[str, Any], allow_data_loss: bool, remedy: str) -> None:
        try:
            publish(self._require_storage(), doc, publish=True, allow_data_loss=allow_data_loss)
        except SchemaInvalid as invalid:
            raise ValueError("invalid schema: " + "; ".join(invalid.errors)) from None
        except DataLossRefused as refused:
            raise ValueError(describe(refused.losses, remedy)) from None
