"""No query can stall Onyx Local: regex time limits off the GIL, a per-query time budget, and
queries cancelled when their client leaves. Waits are on events and counters, never on clocks."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from onyx_database.local import LocalServer

CATASTROPHIC = "(a|a)+b"  # exponential backtracking in re and regex alike: 2^n steps
SCHEMA: dict[str, Any] = {
    "entities": [
        {
            "name": "User",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "",
            "attributes": [
                {"name": "id", "type": "String", "isNullable": False},
                {"name": "username", "type": "String", "isNullable": True},
            ],
        }
    ]
}


def matches(pattern: str) -> dict[str, Any]:
    criteria = {"field": "username", "operator": "MATCHES", "value": pattern}
    return {"conditions": {"conditionType": "SingleCondition", "criteria": criteria}}


def wait_until(condition: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Wait for a condition (a safety cap, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


class Local:
    def __init__(self, server: LocalServer) -> None:
        self.server = server
        headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
        self.client = httpx.Client(base_url=server.url, headers=headers, timeout=60)
        self.data = f"/data/{server.database_id}"

    def query(self, body: dict[str, Any]) -> httpx.Response:
        return self.client.put(f"{self.data}/query/User", json=body)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Local]:
    with LocalServer(tmp_path, schema=SCHEMA, regex_timeout=0.3, query_timeout=30) as server:
        api = Local(server)
        try:
            saved = api.client.put(
                f"{api.data}/User",
                json=[{"id": "evil", "username": "a" * 40}, {"id": "ok", "username": "aab"}],
            )
            assert saved.status_code == 200, saved.text
            yield api
        finally:
            api.client.close()


def test_a_catastrophic_matches_is_stopped_with_a_clear_422(local: Local) -> None:
    response = local.query(matches(CATASTROPHIC))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "REGEX_TIMEOUT"
    assert CATASTROPHIC in body["message"] and "0.3 s" in body["message"]
    ok = local.query(matches("a+b"))  # the server is fine afterwards
    assert [r["id"] for r in ok.json()["records"]] == ["ok"]


def test_replace_uses_the_same_bounded_engine(local: Local) -> None:
    fields = {"fields": [f"replace(username, '{CATASTROPHIC}', 'x')"]}
    response = local.query(fields)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "REGEX_TIMEOUT"
    plain = local.query({**fields, **matches("a+b")})
    assert plain.json()["records"] == [{f"replace(username, '{CATASTROPHIC}', 'x')": "x"}]


def test_the_query_time_budget_answers_422_query_timeout(tmp_path: Path) -> None:
    with LocalServer(tmp_path, schema=SCHEMA, regex_timeout=60, query_timeout=0.5) as server:
        api = Local(server)
        with api.client:
            api.client.put(f"{api.data}/User", json={"id": "evil", "username": "a" * 60})
            response = api.query(matches(CATASTROPHIC))
            assert response.status_code == 422, response.text
            assert response.json()["code"] == "QUERY_TIMEOUT"
            assert "0.5 s" in response.json()["message"]
            assert server.query_stats.timed_out == 1
            count = api.client.put(f"{api.data}/query/count/User", json=matches(CATASTROPHIC))
            assert count.status_code == 422
            assert count.json()["code"] == "QUERY_TIMEOUT"


def test_other_requests_are_answered_while_a_heavy_query_runs(tmp_path: Path) -> None:
    with LocalServer(tmp_path, schema=SCHEMA, regex_timeout=5, query_timeout=30) as server:
        api = Local(server)
        with api.client:
            api.client.put(f"{api.data}/User", json={"id": "evil", "username": "a" * 60})
            heavy_done = threading.Event()
            outcome: list[httpx.Response] = []

            def heavy() -> None:
                with httpx.Client(base_url=server.url, headers=api.client.headers) as other:
                    outcome.append(
                        other.put(f"{api.data}/query/User", json=matches(CATASTROPHIC), timeout=60)
                    )
                heavy_done.set()

            thread = threading.Thread(target=heavy)
            thread.start()
            wait_until(lambda: server.query_stats.running == 1, "the heavy query to start")
            for _ in range(5):  # cheap requests, each answered while the heavy one runs
                assert api.client.get(f"{api.data}/User/evil").status_code == 200
                assert api.client.put(f"{api.data}/User", json={"id": "x"}).status_code == 200
            assert not heavy_done.is_set()
            assert server.query_stats.running == 1
            thread.join(timeout=60)
            assert outcome[0].status_code == 422
            assert outcome[0].json()["code"] == "REGEX_TIMEOUT"


def test_a_query_whose_client_left_is_cancelled(tmp_path: Path) -> None:
    # 1,000 rows at ~0.1 s of regex each: minutes of work unless the query is stopped.
    with LocalServer(tmp_path, schema=SCHEMA, regex_timeout=10, query_timeout=300) as server:
        api = Local(server)
        with api.client:
            rows = [{"id": f"u{i}", "username": "a" * 18 + f"-{i}"} for i in range(1000)]
            assert api.client.put(f"{api.data}/User", json=rows).status_code == 200
            body = json.dumps(matches(CATASTROPHIC)).encode()
            request = (
                f"PUT {api.data}/query/User HTTP/1.1\r\nHost: local\r\n"
                f"x-onyx-key: {server.api_key}\r\nx-onyx-secret: {server.api_secret}\r\n"
                f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
            ).encode() + body
            with socket.create_connection(("127.0.0.1", server.port)) as raw:
                raw.sendall(request)
                wait_until(lambda: server.query_stats.running == 1, "the query to start")
            # the client is gone; the server notices and stops the query
            wait_until(lambda: server.query_stats.cancelled == 1, "the query to be cancelled")
            wait_until(lambda: server.query_stats.running == 0, "the worker to be free")
            assert server.query_stats.timed_out == 0
            assert api.client.get(f"{api.data}/User/u1").status_code == 200


def test_a_long_sql_statement_is_interrupted_and_an_update_rolls_back(tmp_path: Path) -> None:
    # A budget of a microsecond is spent before SQLite's first progress check (every 50,000
    # steps): a scan of 20,000 rows is interrupted there, with no regular expression involved.
    with LocalServer(tmp_path, schema=SCHEMA, query_timeout=1e-6) as server:
        api = Local(server)
        with api.client:
            rows = [{"id": f"u{i:05}", "username": "plain"} for i in range(20_000)]
            assert api.client.put(f"{api.data}/User", json=rows).status_code == 200
            unindexed = {
                "conditions": {
                    "conditionType": "SingleCondition",
                    "criteria": {"field": "username", "operator": "EQUAL", "value": "nobody"},
                }
            }  # counting it scans every row, however the engine compiles it
            scan = api.client.put(f"{api.data}/query/count/User", json=unindexed)
            assert scan.status_code == 422, scan.text
            assert scan.json()["code"] == "QUERY_TIMEOUT"
            update = api.client.put(
                f"{api.data}/query/update/User", json={"updates": {"username": "changed"}}
            )
            assert update.status_code == 422, update.text
            server.stop()
        with LocalServer(tmp_path, query_timeout=None) as unlimited:
            api = Local(unlimited)
            with api.client:
                changed = {
                    "conditions": {
                        "conditionType": "SingleCondition",
                        "criteria": {"field": "username", "operator": "EQUAL", "value": "changed"},
                    }
                }
                counted = api.client.put(f"{api.data}/query/count/User", json=changed)
                assert counted.json() == 0  # the interrupted update changed nothing
                total = api.client.put(f"{api.data}/query/count/User", json={})
                assert total.json() == 20_000


def test_streams_bound_their_regular_expressions(local: Local) -> None:
    path = f"{local.data}/query/stream/User"
    initial = local.client.put(
        path,
        params={"includeQueryResults": "true", "keepAlive": "false"},
        json=matches(CATASTROPHIC),
    )
    assert initial.status_code == 422, initial.text
    assert initial.json()["code"] == "REGEX_TIMEOUT"
    with local.client.stream(
        "PUT", path, params={"keepAlive": "true"}, json=matches(CATASTROPHIC)
    ) as response:
        assert response.status_code == 200
        wait_until(lambda: local.server.open_streams == 1, "the stream to open")
        local.client.put(f"{local.data}/User", json={"id": "evil2", "username": "a" * 40})
        local.client.put(f"{local.data}/User", json={"id": "good", "username": "aaab"})
        for line in response.iter_lines():
            event = json.loads(line) if line else {"action": "KEEP_ALIVE"}
            if event["action"] != "KEEP_ALIVE":
                break
    # the catastrophic value was given up on (no match) and the stream went on to the next
    assert (event["action"], event["entity"]["id"]) == ("CREATE", "good")
