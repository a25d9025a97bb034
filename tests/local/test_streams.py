"""Onyx Local's query streams over raw HTTP: lines, events per write path, keep-alives, slow
consumers, disconnects, faults and shutdown."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import msgpack
import pytest

from onyx_database.local import LocalServer

from .conftest import Api, schema, where


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.fixture
def streams(api: Api) -> Iterator[Api]:
    api.server.keep_alive_interval = 0.2
    api.server.stream_buffer = 10_000
    yield api
    _wait(lambda: api.server.open_streams == 0, "streams to close")
    api.server.keep_alive_interval = 15.0


class Lines:
    """Reads a streaming response line by line in a thread, so tests can wait on lines."""

    def __init__(self, response: httpx.Response) -> None:
        self.items: list[dict[str, Any]] = []
        self.ended = threading.Event()
        self._cond = threading.Condition()
        self._response = response
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for line in self._response.iter_lines():
                if line:
                    with self._cond:
                        self.items.append(json.loads(line))
                        self._cond.notify_all()
        except (httpx.HTTPError, httpx.StreamError):
            pass  # the server ended the stream, or the test closed the response under the reader
        finally:
            self.ended.set()
            with self._cond:
                self._cond.notify_all()

    def changes(self) -> list[tuple[str, Any]]:
        with self._cond:
            return [
                (i["action"], (i["entity"] or {}).get("id"))
                for i in self.items
                if i["action"] != "KEEP_ALIVE"
            ]

    def wait(self, predicate: Callable[[Lines], bool], timeout: float = 15.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self), timeout):
                raise AssertionError(f"timed out; lines so far: {self.items}")

    def join(self) -> None:
        self._thread.join(10)


@contextmanager
def _open(api: Api, table: str, body: Any = None, **params: str) -> Iterator[Lines]:
    params.setdefault("keepAlive", "true")
    before = api.server.open_streams
    with httpx.Client(base_url=api.server.url, headers=dict(api.client.headers)) as client:
        request = client.build_request(
            "PUT", api.data(f"query/stream/{table}"), json=body or {}, params=params, timeout=30
        )
        response = client.send(request, stream=True)
        lines: Lines | None = None
        try:
            assert response.status_code == 200
            if params["keepAlive"] == "true":
                _wait(lambda: api.server.open_streams > before, "the stream to open")
            lines = Lines(response)
            yield lines
        finally:
            response.close()
            if lines is not None:
                lines.join()


def test_events_for_every_write_path(streams: Api) -> None:
    api = streams
    with _open(api, "Item", where("qty", "GREATER_THAN", 0)) as lines:
        db = api.db
        assert api.save("Item", {"id": "a", "qty": 1}).status_code == 200  # CREATE
        assert api.save("Item", {"id": "a", "qty": 2}).status_code == 200  # UPDATE
        assert api.save("Item", [{"id": "b", "qty": 1}, {"id": "z", "qty": 0}]).is_success
        assert api.client.post(f"/data/{db}/Item", json={"id": "c", "qty": 5}).is_success
        update = {"updates": {"qty": 7}, **where("id", "EQUAL", "b")}
        assert api.client.put(api.data("query/update/Item"), json=update).json() == 1
        stop = {"updates": {"qty": 0}, **where("id", "EQUAL", "a")}
        assert api.client.put(api.data("query/update/Item"), json=stop).json() == 1
        assert api.client.put(api.data("query/delete/Item"), json=where("id", "EQUAL", "b")).json()
        assert api.client.delete(api.data("Item/c")).is_success
        assert api.client.delete(api.data("Item/z")).is_success  # never matched: no event
        expected = [
            ("CREATE", "a"),
            ("UPDATE", "a"),
            ("CREATE", "b"),
            ("CREATE", "c"),
            ("UPDATE", "b"),
            ("DELETE", "a"),  # updated so that it no longer matches
            ("DELETE", "b"),
            ("DELETE", "c"),
        ]
        lines.wait(lambda ls: len(ls.changes()) >= len(expected))
        assert lines.changes() == expected


def test_initial_results_keep_alive_false_and_heartbeats(streams: Api) -> None:
    api = streams
    api.save("Item", [{"id": "a", "qty": 1}, {"id": "b", "qty": 0}])
    response = api.client.put(
        api.data("query/stream/Item"),
        json=where("qty", "GREATER_THAN", 0),
        params={"includeQueryResults": "true", "keepAlive": "false"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert [json.loads(line) for line in response.text.splitlines()] == [
        {"action": "QUERY_RESPONSE", "entity": api.records("Item", where("id", "EQUAL", "a"))[0]}
    ]
    with _open(api, "Item", includeQueryResults="false") as lines:
        lines.wait(lambda ls: sum(i["action"] == "KEEP_ALIVE" for i in ls.items) >= 2)
        assert all(i == {"action": "KEEP_ALIVE", "entity": None} for i in lines.items)


def test_partition_scope(streams: Api) -> None:
    api = streams
    with _open(api, "Note", {"partition": "t1"}) as lines:
        api.save("Note", {"id": "n1", "tenant": "t2", "rank": 1})
        api.save("Note", {"id": "n2", "tenant": "t1", "rank": 1})
        lines.wait(lambda ls: len(ls.changes()) >= 1)
        assert lines.changes() == [("CREATE", "n2")]


def test_msgpack_value_stream(streams: Api) -> None:
    api = streams
    api.save("Item", {"id": "a", "qty": 1})
    response = api.client.put(
        api.data("query/stream/Item"),
        content=msgpack.packb({}),
        headers={"content-type": "application/vnd.msgpack", "accept": "application/vnd.msgpack"},
        params={"includeQueryResults": "true", "keepAlive": "false"},
    )
    assert response.headers["content-type"] == "application/vnd.msgpack"
    values = msgpack.Unpacker(raw=False)
    values.feed(response.content)
    decoded = list(values)
    assert decoded[0] is None  # the flush sentinel
    assert [(v["action"], v["entity"]["id"]) for v in decoded[1:]] == [("QUERY_RESPONSE", "a")]


def test_disconnect_unsubscribes(streams: Api) -> None:
    api = streams
    subscriptions = len(api.server.changes.subscriptions())
    with _open(api, "Item") as _lines:
        assert len(api.server.changes.subscriptions()) == subscriptions + 1
    _wait(lambda: api.server.open_streams == 0, "the server to notice the disconnect")
    assert len(api.server.changes.subscriptions()) == subscriptions


def test_faults_cut_and_close_immediately(streams: Api) -> None:
    api = streams
    with _open(api, "Item") as lines:
        assert api.server.faults.cut_streams() == 1
        lines.ended.wait(10)
        assert lines.ended.is_set()
    api.server.faults.close_streams_immediately(True)
    before = api.server.stream_connections
    response = api.client.put(api.data("query/stream/Item"), params={"keepAlive": "true"}, json={})
    assert (response.status_code, response.content) == (200, b"")
    assert api.server.stream_connections == before + 1
    assert api.server.request_count("PUT", "/data/{db}/query/stream/{table}") >= 2


def test_slow_consumer_is_cut_off_with_bounded_memory(streams: Api) -> None:
    api = streams
    api.server.stream_buffer = 20
    url = httpx.URL(api.server.url)
    body = b"{}"
    head = (
        f"PUT /data/{api.db}/query/stream/Item?keepAlive=true HTTP/1.1\r\n"
        f"Host: {url.host}:{url.port}\r\nx-onyx-key: {api.server.api_key}\r\n"
        f"x-onyx-secret: {api.server.api_secret}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((url.host, int(url.port or 80)))
    try:
        existing = set(map(id, api.server.changes.subscriptions()))
        sock.sendall(head + body)
        _wait(lambda: api.server.open_streams == 1, "the stream to open")
        (subscription,) = [s for s in api.server.changes.subscriptions() if id(s) not in existing]
        blob = "x" * 20_000
        peak = 0
        batches = 0
        while not subscription.overflowed:  # the consumer reads nothing meanwhile
            batches += 1
            assert batches < 400, "the stream never overflowed"
            rows = [{"id": f"i{batches}-{n}", "qty": 1, "name": blob} for n in range(50)]
            assert api.save("Item", rows).status_code == 200
            peak = max(peak, subscription.pending)
        assert peak <= 20
        _wait(lambda: subscription.closed, "the overflowed subscription to be dropped")
        assert subscription not in api.server.changes.subscriptions()
        sock.settimeout(30)
        received = bytearray()
        while not received.endswith(b"0\r\n\r\n"):  # the chunked body's last chunk
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            received += chunk
    finally:
        sock.close()
    lines = [line for line in bytes(received).split(b"\r\n") if line.startswith(b"{")]
    last = json.loads(lines[-1])
    assert last["action"] == "ERROR"
    assert last["error"]["code"] == "STREAM_OVERFLOW"
    assert "too slow" in last["error"]["message"]


def test_stop_ends_open_streams_promptly(tmp_path: Path) -> None:
    with LocalServer(tmp_path, schema=schema(), keep_alive_interval=30) as server:
        headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            path = f"/data/{server.database_id}/query/stream/Item"
            with client.stream("PUT", path, params={"keepAlive": "true"}, json={}) as response:
                assert response.status_code == 200
                _wait(lambda: server.open_streams == 1, "the stream to open")
                started = time.monotonic()
                server.stop()
                # unended streams would hold stop for 10 s; generous for a loaded machine
                assert time.monotonic() - started < 8.0
                assert list(response.iter_lines()) == []  # a clean, empty end
