"""Fault injection, request counters and simulated latency."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest

from onyx_database.local import LocalServer
from onyx_database.local._app import ROUTE_TEMPLATES
from onyx_database.local._faults import RequestLog

from .conftest import Api


def test_fail_next_answers_without_executing(api: Api) -> None:
    api.server.faults.fail_next(2, status=503, retry_after=0.25, method="PUT")
    for _ in range(2):
        response = api.save("Item", {"id": "a"})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "0.25"
        assert response.json()["code"] == "INJECTED_FAULT"
    assert api.client.get(api.data("Item/a")).status_code == 404  # nothing was saved
    assert api.save("Item", {"id": "a"}).status_code == 200


def test_fail_next_matches_method_and_path(api: Api) -> None:
    api.server.faults.fail_next(1, status=500, path_contains="/query/")
    assert api.client.get(api.data("Item/a")).status_code == 404
    assert api.query("Item").status_code == 500
    assert api.query("Item").status_code == 200


def test_drop_next_closes_the_connection(api: Api) -> None:
    api.server.faults.drop_next(1, method="GET")
    with pytest.raises(httpx.RemoteProtocolError):
        api.client.get(api.data("Item/a"))
    assert api.client.get(api.data("Item/a")).status_code == 404


def test_clear_disarms(api: Api) -> None:
    api.server.faults.fail_next(5)
    api.server.faults.clear()
    assert api.query("Item").status_code == 200


def test_faults_need_test_hooks(tmp_path: object) -> None:
    server = LocalServer(str(tmp_path))
    with pytest.raises(RuntimeError, match="test_hooks"):
        server.faults.fail_next(1)


def test_request_counts_by_template_and_concrete_path(api: Api) -> None:
    server = api.server
    before = server.request_count("PUT", "/data/{db}/Item")
    template = server.request_count("PUT", "/data/{db}/{table}")
    server.faults.fail_next(1, method="PUT")
    api.save("Item", {"id": "a"})
    api.save("Item", {"nope": 1})
    assert server.request_count("PUT", "/data/{db}/Item") == before + 2
    assert server.request_count("PUT", "/data/{db}/{table}") == template + 2
    assert server.request_count("PUT", f"/data/{api.db}/Item") == before + 2
    assert server.request_count("GET", "/data/{db}/Item") == 0


def test_request_log_is_bounded_and_exact_by_template_past_its_limit() -> None:
    log = RequestLog(ROUTE_TEMPLATES, limit=3)
    log.database_id = "db1"
    log.record("PUT", "/data/db1/Item", "/data/{db}/{table}")
    log.record("GET", "/data/db1/Item/i0", "/data/{db}/{table}/{pk}")
    log.record("GET", "/data/db1/Item/i1", "/data/{db}/{table}/{pk}")
    assert log.count("GET", "/data/{db}/Item/i1") == 1  # at the limit, still exact
    for k in range(2, 1000):  # past it: new paths are kept by template only
        log.record("GET", f"/data/db1/Item/i{k}", "/data/{db}/{table}/{pk}")
    log.record("PUT", "/data/db1/Item", "/data/{db}/{table}")
    log.record("GET", "/nowhere/1", "")
    assert len(log._counts) == 3 and len(log._untracked) == 2
    assert log.count("GET", "/data/{db}/{table}/{pk}") == 1000
    assert log.count("*", "/data/{db}/{table}/{pk}") == 1000
    assert log.count("PUT", "/data/{db}/{table}") == 2
    assert log.count("DELETE", "/data/{db}/{table}/{pk}") == 0  # a template never requested
    with pytest.raises(RuntimeError, match="reset_request_counts"):
        log.count("GET", "/data/{db}/Item/i1")  # may be short: refused, not guessed
    with pytest.raises(RuntimeError, match="more than 3 distinct request paths"):
        log.count("PUT", "/data/db1/Item")
    log.reset()
    log.record("GET", "/data/db1/Item/i1", "/data/{db}/{table}/{pk}")
    assert log.count("GET", "/data/{db}/Item/i1") == 1
    assert log.count("GET", "/data/{db}/{table}/{pk}") == 1


def test_latency_does_not_serialize_requests(api: Api) -> None:
    # Ordering, not timing: a request held in the injected latency must not hold up another.
    headers = dict(api.client.headers)
    path = api.data("query/count/Item")

    async def overtake() -> bool:
        # a long client timeout: the held request may only end by being cancelled
        async with httpx.AsyncClient(
            base_url=api.server.url, headers=headers, timeout=300.0
        ) as client:
            before = api.server.request_count("PUT", path)  # earlier tests may have counted
            api.server.latency_ms = 600_000  # the first request sleeps until cancelled
            held = asyncio.ensure_future(client.put(path, json={}))
            while api.server.request_count("PUT", path) == before:
                await asyncio.sleep(0.01)
            api.server.latency_ms = 0
            answer = await client.put(path, json={})  # answered while the first still sleeps
            overtaken = not held.done()
            held.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await held
        assert answer.status_code == 200
        return overtaken

    assert asyncio.run(overtake())
