"""No secret in any traceback or log line.

Every kind of error the SDK raises is produced for real (a refused connection, a server that never
answers, a lost answer, 4xx, 5xx, batch, stream and config errors, async too), then searched for
the API key, the API secret and a stored secret value in:

- ``traceback.TracebackException(..., capture_locals=True)`` output (what ``pytest --showlocals``
  and most error reporters print);
- a ``rich`` traceback with ``show_locals=True``;
- everything reachable from the exception: ``__cause__``, ``__context__``, attributes, and the
  locals of every frame of its traceback, walked through containers (what Sentry serializes).

The test code never holds a credential in a local that a traceback frame would show: clients
are built from fixtures through functions, so a leak found is the SDK's.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import reprlib
import socket
import traceback
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.traceback import Traceback

import onyx_database
from onyx_database import (
    AsyncOnyxDatabase,
    OnyxBatchError,
    OnyxConfigError,
    OnyxConnectionError,
    OnyxDatabase,
    OnyxError,
    OnyxHTTPError,
    OnyxSerializationError,
    OnyxStreamError,
    OnyxTimeoutError,
    ReconnectPolicy,
    eq,
    resolve_config,
)
from onyx_database.local import LocalServer

from .conftest import Figure, client_config
from .helpers import LosingProxy, silent_server

pytestmark = pytest.mark.reliability

STORED_SECRET = "stored-secret-value-7f3a9c"
WRONG_SECRET = "wrong-secret-d41d8cd98f00b204"
ONE_SHOT = ReconnectPolicy(initial_delay=0.01, max_delay=0.01, max_attempts=1)


def _needles(server: LocalServer) -> list[str]:
    return [server.api_key, server.api_secret, STORED_SECRET, WRONG_SECRET]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _generated_repr(value: Any) -> bool:
    """A dataclass whose ``repr`` is the generated one: reporters walk its ``repr=True`` fields
    (rich does); any other object is shown by its ``repr``."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return False
    code = getattr(type(value).__repr__, "__code__", None)
    return code is not None and code.co_filename in (dataclasses.__file__, reprlib.__file__)


def _walk(value: Any, seen: set[int], out: list[str], depth: int = 0) -> None:
    """Text of everything an error reporter could serialize from ``value``."""
    if id(value) in seen or depth > 8:
        return
    seen.add(id(value))
    if isinstance(value, str | bytes | bytearray):
        out.append(value if isinstance(value, str) else bytes(value).decode("latin-1"))
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _walk(key, seen, out, depth + 1)
            _walk(item, seen, out, depth + 1)
        return
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _walk(item, seen, out, depth + 1)
        return
    if isinstance(value, BaseException):
        for attr in ("__cause__", "__context__", "args", "__notes__"):
            _walk(getattr(value, attr, None), seen, out, depth + 1)
        _walk(vars(value), seen, out, depth + 1)
        tb = value.__traceback__
        while tb is not None:
            _walk(dict(tb.tb_frame.f_locals), seen, out, depth + 1)
            tb = tb.tb_next
        return
    if _generated_repr(value):
        for field in dataclasses.fields(value):
            if field.repr:
                _walk(getattr(value, field.name, None), seen, out, depth + 1)
        return
    try:
        out.append(repr(value))
    except Exception as exc:
        out.append(f"<repr failed: {exc!r}>")


def renderings(error: BaseException) -> dict[str, str]:
    """The error as three reporters would show it."""
    plain = "".join(
        traceback.TracebackException.from_exception(error, capture_locals=True).format()
    )
    # rich's own extraction of the traceback with locals (what its renderer prints); rendering
    # the panels as well would only add syntax-highlighted source lines
    trace = Traceback.extract(
        type(error),
        error,
        error.__traceback__,
        show_locals=True,
        locals_max_length=100,
        locals_max_string=2000,  # longer than any credential: a secret is never cut short
    )
    rich_text = "\n".join(
        f"{stack.exc_type}: {stack.exc_value}\n"
        + "\n".join(
            f"{name} = {node.render(max_width=400)}"
            for frame in stack.frames
            for name, node in (frame.locals or {}).items()
        )
        for stack in trace.stacks
    )
    reachable: list[str] = []
    _walk(error, set(), reachable)
    return {"traceback": plain, "rich": rich_text, "reachable": "\n".join(reachable)}


class LeakCheck:
    def __init__(self, needles: list[str]) -> None:
        self.needles = needles
        self.errors: list[tuple[str, BaseException]] = []

    def check(self, label: str, error: BaseException) -> None:
        assert isinstance(error, OnyxError), f"{label}: raised {type(error).__name__}"
        self.errors.append((label, error))
        for where, text in renderings(error).items():
            for needle in self.needles:
                assert needle not in text, f"{label}: a credential in the {where} view:\n{text}"

    def raises(self, label: str, action: Callable[[], Any]) -> BaseException:
        try:
            action()
        except OnyxError as exc:
            error: BaseException = exc
        else:
            raise AssertionError(f"{label}: no error")
        self.check(label, error)
        return error

    async def araises(self, label: str, action: Callable[[], Awaitable[Any]]) -> BaseException:
        try:
            await action()
        except OnyxError as exc:
            error: BaseException = exc
        else:
            raise AssertionError(f"{label}: no error")
        self.check(label, error)
        return error


@pytest.fixture
def leaks(server: LocalServer) -> LeakCheck:
    server.reset_data()
    server.faults.clear()
    return LeakCheck(_needles(server))


def _db(server: LocalServer, **changes: Any) -> OnyxDatabase:
    return onyx_database.init(config=client_config(server, **changes))


def _adb(server: LocalServer, **changes: Any) -> AsyncOnyxDatabase:
    return onyx_database.init_async(config=client_config(server, **changes))


def _wrong(server: LocalServer) -> OnyxDatabase:
    return _db(server, api_secret=WRONG_SECRET)


def test_sync_errors_carry_no_credentials(
    server: LocalServer, leaks: LeakCheck, figure: Figure
) -> None:
    refused = f"http://127.0.0.1:{_closed_port()}"
    with _db(server, base_url=refused, max_retries=1) as db:
        leaks.raises("connection refused (read)", lambda: db.find_by_id("Item", "x"))
        leaks.raises("connection refused (write)", lambda: db.save("Item", {"id": "x"}))
    with silent_server() as (url, _connected, _accepted):
        with _db(server, base_url=url, request_timeout_seconds=0.2, max_retries=0) as db:
            error = leaks.raises("read timeout", lambda: db.find_by_id("Item", "x"))
            assert isinstance(error, OnyxTimeoutError)
            error = leaks.raises("write timeout", lambda: db.save("Item", {"id": "x"}))
            assert error.outcome_unknown  # type: ignore[attr-defined]
        with _db(server, base_url=url, request_deadline_seconds=0.3) as db:
            leaks.raises("deadline", lambda: db.find_by_id("Item", "x"))
    with (
        LosingProxy(server.url, lambda number, request: True) as proxy,
        _db(server, base_url=proxy.url) as db,
    ):
        error = leaks.raises("lost answer of a save", lambda: db.save("Item", {"id": "l1"}))
        assert error.outcome_unknown  # type: ignore[attr-defined]
        leaks.raises(
            "lost answer of a batch",
            lambda: db.batch_save("Item", [{"id": f"b{n}"} for n in range(10)], batch_size=5),
        )
    with _db(server, max_retries=0) as db:
        db.save("Item", {"id": "exists"})
        leaks.raises("404 table", lambda: db.find_by_id("NoSuchTable", "x"))
        leaks.raises("409", lambda: db.insert("Item", {"id": "exists"}))
        leaks.raises("400 query", lambda: db.from_table("Item").where(eq("noSuchField", 1)).list())
        leaks.raises("422 value", lambda: db.save("Item", {"id": "v", "n": "not a number"}))
        leaks.raises("secret 404", lambda: db.get_secret("no-such-secret"))
        server.faults.fail_next(1, status=500, method="PUT", path_contains="/secret/")
        leaks.raises("secret 500", lambda: db.put_secret("api", STORED_SECRET))
        server.faults.fail_next(1, status=500)
        leaks.raises("500", lambda: db.find_by_id("Item", "exists"))
        server.faults.fail_next(1, status=503, retry_after=0)
        leaks.raises("503", lambda: db.save("Item", {"id": "y"}))
        server.faults.fail_next(1, status=500, method="PUT")
        error = leaks.raises(
            "batch error",
            lambda: db.batch_save("Item", [{"id": f"c{n}"} for n in range(10)], batch_size=5),
        )
        assert isinstance(error, OnyxBatchError)
        error = leaks.raises("serialization", lambda: db.save("Item", {"id": "s", "n": object()}))
        assert isinstance(error, OnyxSerializationError)
        leaks.raises("AI endpoint", lambda: db.chat("hello"))
    with _wrong(server) as db:
        leaks.raises("401", lambda: db.find_by_id("Item", "x"))
        leaks.raises("401 write", lambda: db.save("Item", {"id": "x"}))
    figure(
        "sync error kinds searched (plain + rich traceback with locals, reachable objects)",
        f"{len(leaks.errors)} errors, 0 with the key, secret or a stored secret",
    )


def test_stream_errors_carry_no_credentials(
    server: LocalServer, leaks: LeakCheck, figure: Figure
) -> None:
    with _db(server) as db:
        handle = db.from_table("NoSuchTable").on_item_added(print).stream(reconnect=ONE_SHOT)
        assert handle.join(30)
        assert handle.error is not None
        leaks.check("stream on an unknown table (handle.error)", handle.error)
        with pytest.raises(OnyxHTTPError) as info:
            next(iter(db.from_table("NoSuchTable").events(reconnect=ONE_SHOT)))
        leaks.check("pull iterator 404", info.value)
        server.stream_buffer = 20
        try:
            db.save("Item", {"id": "first"})
            with db.from_table("Item").events(True, reconnect=ONE_SHOT) as events:
                next(events)  # connects; the initial result arrives
                for burst in range(50):
                    db.save(
                        "Item", [{"id": f"o{burst}-{n}", "name": "x" * 1000} for n in range(200)]
                    )
                    subscriptions = server.changes.subscriptions()
                    if not subscriptions or subscriptions[0].overflowed:
                        break
                else:
                    raise AssertionError("the stream never overflowed")
                with pytest.raises(OnyxStreamError) as overflow:
                    list(events)
            leaks.check("stream overflow", overflow.value)
        finally:
            server.stream_buffer = 10_000
    with _wrong(server) as db:
        with pytest.raises(OnyxHTTPError) as info:
            next(iter(db.from_table("Item").events(reconnect=ONE_SHOT)))
        leaks.check("pull iterator 401", info.value)
    refused = f"http://127.0.0.1:{_closed_port()}"
    with _db(server, base_url=refused) as db:
        with pytest.raises(OnyxConnectionError) as refused_info:
            next(iter(db.from_table("Item").events(reconnect=ONE_SHOT)))
        leaks.check("pull iterator refused", refused_info.value)
    figure("stream error kinds searched", f"{len(leaks.errors)} errors, 0 with a credential")


@pytest.mark.anyio
async def test_async_errors_carry_no_credentials(
    server: LocalServer, leaks: LeakCheck, figure: Figure
) -> None:
    refused = f"http://127.0.0.1:{_closed_port()}"
    async with _adb(server, base_url=refused, max_retries=0) as db:
        await leaks.araises("async refused", lambda: db.find_by_id("Item", "x"))
    async with _adb(server, max_retries=0) as db:
        await leaks.araises("async 404", lambda: db.find_by_id("NoSuchTable", "x"))
        server.faults.fail_next(1, status=500)
        await leaks.araises("async 500", lambda: db.save("Item", {"id": "z"}))
        await leaks.araises(
            "async batch",
            lambda: db.batch_save("Item", [{"id": 1}, {"id": object()}], batch_size=1),
        )

        async def stream_unknown_table() -> None:
            async with db.from_table("NoSuchTable").events(reconnect=ONE_SHOT) as events:
                async for _event in events:
                    pass

        await leaks.araises("async stream 404", stream_unknown_table)
    async with onyx_database.init_async(
        config=client_config(server, api_secret=WRONG_SECRET)
    ) as db:
        await leaks.araises("async 401", lambda: db.find_by_id("Item", "x"))
    figure("async error kinds searched", f"{len(leaks.errors)} errors, 0 with a credential")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _config_options(server: LocalServer) -> dict[str, Any]:
    return {
        "database_id": server.database_id,
        "api_key": server.api_key,
        "api_secret": server.api_secret,
    }


def _environ(server: LocalServer, **extra: str) -> dict[str, str]:
    return {
        "ONYX_DATABASE_ID": server.database_id,
        "ONYX_DATABASE_API_KEY": server.api_key,
        "ONYX_DATABASE_API_SECRET": server.api_secret,
        **extra,
    }


def _bad_file(server: LocalServer, folder: Path) -> Path:
    path = folder / "onyx-database.json"
    text = json.dumps({"databaseId": server.database_id, "apiKey": server.api_key})
    path.write_text(text[:-1] + f', "apiSecret": "{server.api_secret}", oops}}')
    return path


def test_config_errors_carry_no_credentials(
    server: LocalServer, leaks: LeakCheck, tmp_path: Path, figure: Figure
) -> None:
    leaks.raises(
        "init: bad wire_format",
        lambda: onyx_database.init(**_config_options(server), wire_format="xml"),
    )
    leaks.raises(
        "init: bad base_url",
        lambda: onyx_database.init(**_config_options(server), base_url="ftp://nowhere"),
    )
    leaks.raises(
        "init_async: bad max_retries",
        lambda: onyx_database.init_async(**_config_options(server), max_retries="many"),
    )
    leaks.raises(
        "init: unknown option",
        lambda: onyx_database.init(**_config_options(server), api_secrett="typo"),
    )
    leaks.raises(
        "env: bad number",
        lambda: resolve_config(
            environ=_environ(server, ONYX_MAX_RETRIES="lots"), home=tmp_path, cwd=tmp_path
        ),
    )
    leaks.raises(
        "file: invalid JSON holding the secret",
        lambda: resolve_config(
            {"config_path": str(_bad_file(server, tmp_path))},
            environ={},
            home=tmp_path,
            cwd=tmp_path,
        ),
    )
    error = leaks.raises(
        "missing secret",
        lambda: resolve_config(
            {"database_id": server.database_id, "api_key": server.api_key},
            environ={},
            home=tmp_path / "none",
            cwd=tmp_path / "none",
        ),
    )
    assert isinstance(error, OnyxConfigError)
    figure("config error kinds searched", f"{len(leaks.errors)} errors, 0 with a credential")


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture
def every_log_line() -> Iterator[_Lines]:
    handler = _Lines()
    names = ["onyx_database", "httpx", "httpcore"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


def test_no_log_line_has_a_credential(
    server: LocalServer, every_log_line: _Lines, figure: Figure
) -> None:
    """SDK request/response logging (``debug=True``) plus httpx's and httpcore's own DEBUG
    logging, with the key and secret used where they would show: as ids in URLs, as values."""
    server.reset_data()
    server.faults.clear()
    with _db(server, debug=True, max_retries=1) as db:
        db.save("Item", {"id": server.api_secret, "name": server.api_key})
        assert db.find_by_id("Item", server.api_secret) is not None
        assert db.from_table("Item").where(eq("name", server.api_key)).list()
        db.put_secret("api", STORED_SECRET)
        assert db.get_secret("api")["value"] == STORED_SECRET
        server.faults.fail_next(1, status=503, retry_after=0)
        db.find_by_id("Item", server.api_key)
        db.delete("Item", server.api_secret)
        assert db.find_by_id("Item", server.api_secret) is None
        with pytest.raises(OnyxHTTPError):
            db.find_by_id("NoSuchTable", server.api_secret)
    with _wrong(server) as db, pytest.raises(OnyxHTTPError):
        db.find_by_id("Item", WRONG_SECRET)
    lines = every_log_line.lines
    assert any(line.startswith("httpx:") for line in lines)  # httpx's own lines were captured
    assert any(line.startswith("onyx_database:") for line in lines)
    for line in lines:
        for needle in _needles(server):
            assert needle not in line, line
    figure(
        "log lines (SDK debug logging + httpx/httpcore DEBUG) with credentials in URLs and bodies",
        f"{len(lines)} lines, 0 with the key, secret or a stored secret",
    )


def test_httpx_log_filter_masks_the_secret_in_a_url(server: LocalServer) -> None:
    url = f"{server.url}/data/{server.database_id}/Item/{server.api_secret}"
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "HTTP Request: GET %s", (httpx.URL(url),), None
    )
    with _db(server):  # the filter masks the credentials of every open client
        assert logging.getLogger("httpx").filter(record)
    assert server.api_secret not in record.getMessage()
    assert "[REDACTED]" in record.getMessage()
