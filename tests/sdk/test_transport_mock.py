"""Client-side transport behaviour over ``httpx.MockTransport`` (headers, encoding, error
mapping, redaction, retry counts). Server behaviour is tested against Onyx Local elsewhere."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import msgpack
import pytest

import onyx_database
from onyx_database import (
    OnyxBatchError,
    OnyxConnectionError,
    OnyxDatabase,
    OnyxNotFoundError,
    OnyxServerError,
    OnyxTimeoutError,
    OnyxUnauthorizedError,
    OnyxUsageError,
    ResolvedConfig,
    eq,
)

from .conftest import KEY, SECRET

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self, handler: Handler | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.handler = handler or (lambda request: httpx.Response(200, json={"ok": True}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.handler(request)


def make_db(config: ResolvedConfig, recorder: Recorder, **changes: Any) -> OnyxDatabase:
    return onyx_database.init(
        config=dataclasses.replace(config, **changes), transport=httpx.MockTransport(recorder)
    )


def test_headers_of_a_get_and_a_put(config: ResolvedConfig) -> None:
    recorder = Recorder()
    with make_db(config, recorder) as db:
        db.find_by_id("User", "u1")
        db.save("User", {"id": "u1"})
    get, put = recorder.requests
    assert get.headers["x-onyx-key"] == KEY
    assert get.headers["x-onyx-secret"] == SECRET
    assert get.headers["accept"] == "application/json"
    assert get.headers["user-agent"] == f"onyx-py/{onyx_database.__version__}"
    assert "content-type" not in get.headers
    assert put.headers["content-type"] == "application/json"
    assert json.loads(put.content) == {"id": "u1"}


def test_weird_ids_reach_the_wire_encoded(config: ResolvedConfig) -> None:
    recorder = Recorder()
    with make_db(config, recorder) as db:
        db.find_by_id("User", "a/b?c#d&e%f g ü", partition="p/1")
    assert recorder.requests[0].url.raw_path == (
        b"/data/db-1/User/a%2Fb%3Fc%23d%26e%25f%20g%20%C3%BC?partition=p%2F1"
    )


def test_msgpack_wire_format(config: ResolvedConfig) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/query/User"):
            packed = msgpack.packb({"records": [{"id": "u1"}], "nextPage": None})
            return httpx.Response(
                200, content=packed, headers={"content-type": "application/vnd.msgpack"}
            )
        return httpx.Response(200, json={"id": "u1"})  # a JSON reply is fine whatever was asked

    recorder = Recorder(handler)
    with make_db(config, recorder, wire_format="msgpack") as db:
        assert db.save("User", {"id": "u1"}) == {"id": "u1"}
        assert db.from_table("User").list() == [{"id": "u1"}]
    save, query = recorder.requests
    assert save.headers["content-type"] == "application/vnd.msgpack"
    assert save.headers["accept"] == "application/vnd.msgpack, application/json;q=0.9"
    assert msgpack.unpackb(save.content) == {"id": "u1"}
    assert msgpack.unpackb(query.content)["type"] == "SelectQuery"


def test_find_by_id_404_codes(config: ResolvedConfig) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        code = request.url.path.rsplit("/", 1)[-1]
        if code == "nocode":
            return httpx.Response(404, text="")
        return httpx.Response(404, json={"error": {"message": "missing", "code": code}})

    with make_db(config, Recorder(handler)) as db:
        assert db.find_by_id("User", "NOT_FOUND") is None
        assert db.find_by_id("User", "nocode") is None
        with pytest.raises(OnyxNotFoundError) as info:
            db.find_by_id("User", "TABLE_NOT_FOUND")
        assert info.value.code == "TABLE_NOT_FOUND"


def test_http_errors_are_typed_and_never_crash_on_odd_bodies(config: ResolvedConfig) -> None:
    bodies = iter(
        [
            httpx.Response(401, json={"error": "bad credentials"}),
            httpx.Response(500, content=b"\x00\xff garbage"),
        ]
    )
    with make_db(config, Recorder(lambda request: next(bodies))) as db:
        with pytest.raises(OnyxUnauthorizedError, match="bad credentials"):
            db.save("User", {})
        with pytest.raises(OnyxServerError):
            db.save("User", {})


@pytest.mark.parametrize(
    ("exc", "error_class"),
    [
        (httpx.ConnectError("refused"), OnyxConnectionError),
        (httpx.ReadTimeout("slow"), OnyxTimeoutError),
        (httpx.ConnectTimeout("slow"), OnyxTimeoutError),
        (httpx.RemoteProtocolError("dropped"), OnyxConnectionError),
        (httpx.InvalidURL("bad"), OnyxConnectionError),
    ],
)
def test_httpx_exceptions_map_to_onyx_errors(
    config: ResolvedConfig, exc: Exception, error_class: type[Exception]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    recorder = Recorder(handler)
    with make_db(config, recorder) as db, pytest.raises(error_class) as info:
        db.find_by_id("User", "u1")
    # the httpx exception (its request carries the credentials) is described, never chained
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert type(exc).__name__ in str(info.value)
    assert not info.value.outcome_unknown  # a read: nothing to apply
    assert len(recorder.requests) == 3  # max_retries=2: reads are retried on connection errors


@pytest.mark.parametrize(
    ("exc", "unknown"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("slow"), False),
        (httpx.PoolTimeout("busy"), False),
        (httpx.ReadTimeout("slow"), True),
        (httpx.ReadError("reset"), True),
        (httpx.RemoteProtocolError("dropped"), True),
        (httpx.WriteError("broken pipe"), True),
    ],
)
def test_a_write_whose_answer_was_lost_says_it_may_have_been_applied(
    config: ResolvedConfig, exc: Exception, unknown: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with make_db(config, Recorder(handler)) as db, pytest.raises(OnyxConnectionError) as info:
        db.save("User", {"id": "u1"})
    assert info.value.outcome_unknown is unknown
    assert ("may have been applied" in str(info.value)) is unknown


@pytest.mark.parametrize(
    ("status", "unknown"), [(502, True), (504, True), (503, False), (500, False)]
)
def test_a_gateway_error_to_a_write_is_an_unknown_outcome(
    config: ResolvedConfig, status: int, unknown: bool
) -> None:
    recorder = Recorder(lambda request: httpx.Response(status))
    with make_db(config, recorder, max_retries=0) as db:
        with pytest.raises(OnyxServerError) as info:
            db.save("User", {"id": "u1"})
        assert info.value.outcome_unknown is unknown
        assert ("may have been applied" in str(info.value)) is unknown
        with pytest.raises(OnyxServerError) as read:
            db.find_by_id("User", "u1")
        assert not read.value.outcome_unknown  # a read applies nothing


def test_writes_are_never_retried(config: ResolvedConfig) -> None:
    recorder = Recorder(lambda request: httpx.Response(503, headers={"retry-after": "0"}))
    with make_db(config, recorder) as db:
        for call in (
            lambda: db.save("User", {"id": 1}),
            lambda: db.insert("User", {"id": 1}),
            lambda: db.create("User", {"id": 1}),
            lambda: db.delete("User", "1"),
        ):
            with pytest.raises(OnyxServerError):
                call()
    assert [request.method for request in recorder.requests] == ["PUT", "POST", "POST", "DELETE"]


def test_reads_are_retried_on_503_and_429(config: ResolvedConfig) -> None:
    answers = iter(
        [
            httpx.Response(503),
            httpx.Response(429, headers={"retry-after": "0"}),
            httpx.Response(200, json={"records": [{"id": 1}], "nextPage": None}),
            httpx.Response(504),
            httpx.Response(200, json=3),
        ]
    )
    recorder = Recorder(lambda request: next(answers))
    with make_db(config, recorder) as db:
        assert db.from_table("User").list() == [{"id": 1}]
        assert db.from_table("User").count() == 3
    assert len(recorder.requests) == 5


def test_max_retries_zero_sends_once(config: ResolvedConfig) -> None:
    recorder = Recorder(lambda request: httpx.Response(503))
    with make_db(config, recorder, max_retries=0) as db, pytest.raises(OnyxServerError):
        db.find_by_id("User", "1")
    assert len(recorder.requests) == 1


def test_create_rejects_lists_and_batch_save_reports_chunks(config: ResolvedConfig) -> None:
    calls = iter([httpx.Response(200, json=[]), httpx.Response(500, json={"message": "disk full"})])
    recorder = Recorder(lambda request: next(calls))
    with make_db(config, recorder) as db:
        with pytest.raises(OnyxUsageError, match="insert"):
            db.create("User", [{"id": 1}])
        with pytest.raises(OnyxBatchError) as info:
            db.batch_save("User", ({"id": n} for n in range(5)), batch_size=2)
        with pytest.raises(OnyxUsageError):
            db.batch_save("User", {"id": 1})
    assert info.value.committed_chunks == [0]
    assert info.value.failed_chunks == [1] and info.value.unknown_chunks == []
    assert info.value.not_sent_from == 2 and not info.value.outcome_unknown
    assert isinstance(info.value.__cause__, OnyxServerError)
    assert len(recorder.requests) == 2


def test_with_options_shares_the_pool_and_sets_headers(config: ResolvedConfig) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"records": [], "nextPage": None}))
    db = make_db(config, recorder)
    view = db.with_options(
        partition="tenant", headers={"X-Request-Id": "r1", "x-onyx-secret": "evil"}
    )
    with view:
        view.from_table("User").list()
        view.find_by_id("User", "1")
    assert view._transport is db._transport
    db.from_table("User").list()  # the pool outlived the view's `with`
    db.close()
    query, find, plain = recorder.requests
    assert query.url.params["partition"] == "tenant"
    assert json.loads(query.content)["partition"] == "tenant"
    assert find.url.params["partition"] == "tenant"
    assert find.headers["x-request-id"] == "r1"
    assert find.headers["x-onyx-secret"] == SECRET  # callers cannot override credentials
    assert "partition" not in plain.url.params
    with pytest.raises(OnyxUsageError, match="closed"):
        db.find_by_id("User", "1")


def test_with_options_timeout_reaches_httpx(config: ResolvedConfig) -> None:
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={})

    with make_db(config, Recorder(handler), request_timeout_seconds=7.0) as db:
        db.find_by_id("User", "1")
        db.with_options(request_timeout_seconds=0.5).find_by_id("User", "1")
    assert seen[0]["read"] == 7.0
    assert seen[1]["read"] == 0.5


def test_a_passed_http_client_is_not_closed(config: ResolvedConfig) -> None:
    client = httpx.Client(transport=httpx.MockTransport(Recorder()))
    with onyx_database.init(config=config, http_client=client) as db:
        db.find_by_id("User", "1")
    assert not client.is_closed
    client.close()
    with pytest.raises(OnyxUsageError):
        onyx_database.init(
            config=config, http_client=client, transport=httpx.MockTransport(Recorder())
        )


def test_secret_never_in_logs_or_errors(
    config: ResolvedConfig, caplog: pytest.LogCaptureFixture
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            raise httpx.ConnectError(f"cannot reach host for {SECRET}")
        return httpx.Response(
            400, json={"error": {"message": f"secret {SECRET} and key {KEY} rejected"}}
        )

    caplog.set_level(logging.INFO, logger="onyx_database")
    with make_db(config, Recorder(handler), debug=True, max_retries=0) as db:
        with pytest.raises(OnyxConnectionError) as connection_error:
            db.find_by_id("User", SECRET)
        with pytest.raises(onyx_database.OnyxClientError) as http_error:
            db.save("User", {"token": SECRET, "who": KEY})
    logged = caplog.text
    assert "onyx request GET" in logged
    assert "onyx response PUT" in logged
    for text in (
        logged,
        str(connection_error.value),
        str(http_error.value),
        repr(http_error.value),
    ):
        assert SECRET not in text
        assert KEY not in text
    assert "[REDACTED]" in logged
    assert KEY[:4] + "****" in logged


def test_logging_is_off_by_default(
    config: ResolvedConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="onyx_database")
    with make_db(config, Recorder()) as db:
        db.find_by_id("User", "1")
    assert "onyx request" not in caplog.text


def test_unserializable_entity_fails_before_sending(config: ResolvedConfig) -> None:
    recorder = Recorder()
    with make_db(config, recorder) as db:
        with pytest.raises(onyx_database.OnyxSerializationError, match=r"entity\.when"):
            db.save("User", {"when": object()})
        with pytest.raises(onyx_database.OnyxSerializationError, match=r"entities\[1\]"):
            db.save("User", [{}, {"x": object()}])
    assert recorder.requests == []


@pytest.mark.anyio
async def test_async_client_over_mock_transport(config: ResolvedConfig) -> None:
    pages = iter(
        [
            httpx.Response(503),
            httpx.Response(200, json={"records": [{"id": 1}], "nextPage": "t"}),
            httpx.Response(200, json={"records": [{"id": 2}], "nextPage": None}),
        ]
    )
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return next(pages)

    db = onyx_database.init_async(config=config, transport=httpx.MockTransport(handler))
    async with db:
        query = db.from_table("User").where(eq("a", 1)).page_size(1)
        assert [row async for row in query] == [{"id": 1}, {"id": 2}]
    assert [request.url.params.get("nextPage") for request in seen] == [None, None, "t"]
    assert seen[0].url.params["pageSize"] == "1"
