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
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from ._app import OnyxApp, Settings
from ._changes import ChangeBus
from ._faults import Faults, RequestLog
from ._handlers import Services, publish
from ._paging import PageTokens
from ._schema import SchemaInvalid
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
    HTTPS instead of HTTP.
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
    ) -> None:
        self.data_dir = Path(data_dir)
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
        self._log = RequestLog()
        self._settings = Settings(api_key="", api_secret="", latency_ms=float(latency_ms))
        self._credentials: dict[str, str] = {}
        self._storage: Storage | None = None
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
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._load_credentials()
        storage = Storage(self.data_dir / DATABASE_FILE, self._changes)
        self._storage = storage
        try:
            if self._schema is not None:
                self.publish_schema(_read_schema(self._schema))
            self._serve(storage)
        except BaseException:
            self._storage = None
            storage.close()
            raise
        self._write_config()
        return self

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
        services = Services(storage, self.database_id, PageTokens(key))
        app = OnyxApp(services, self._settings, self._faults, self._log, self._streams)
        self._streams.reopen()
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="auto",  # httptools when installed (the [local] extra), else h11
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
        self._server = self._thread = self._socket = self._storage = None

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
        stored: dict[str, Any] = {}
        if self.config_path.exists():
            try:
                loaded = json.loads(self.config_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            stored = loaded if isinstance(loaded, dict) else {}
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
        (``/data/{db}/{table}``). Failed and fault-injected requests count too."""
        return self._log.count(method, path)

    def reset_request_counts(self) -> None:
        self._log.reset()

    def _require_storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("the server is not started")
        return self._storage

    def reset_data(self) -> None:
        """Empty every table in every partition and reset sequences; keep the schema."""
        self._require_storage().reset()

    def publish_schema(self, doc: dict[str, Any]) -> None:
        """Save and publish a schema (like ``PUT /schemas/{db}?publish=true``).

        Raises ``ValueError`` listing every problem when the document is invalid.
        """
        try:
            publish(self._require_storage(), doc, publish=True)
        except SchemaInvalid as invalid:
            raise ValueError("invalid schema: " + "; ".join(invalid.errors)) from None
