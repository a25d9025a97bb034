"""Every answer of Onyx Local carries an ``x-request-id``: the client's own when it sent a usable
one, else one the server made up, unique per request; the SDK records it."""

from __future__ import annotations

import httpx
import pytest

import onyx_database
from onyx_database import record_requests
from onyx_database.local import LocalServer

from .conftest import Api


def test_every_answer_has_its_own_request_id(api: Api) -> None:
    saved = api.save("Item", {"id": "r1", "name": "one"})
    found = api.client.get(api.data("Item/r1"))
    missing = api.client.get(api.data("Item/nope"))
    ids = [r.headers.get("x-request-id") for r in (saved, found, missing)]
    assert [saved.status_code, found.status_code, missing.status_code] == [200, 200, 404]
    assert all(ids) and len(set(ids)) == 3, ids


def test_unauthorized_and_unrouted_answers_have_one_too(local_server: LocalServer) -> None:
    with httpx.Client(base_url=local_server.url) as client:
        refused = client.get(f"/data/{local_server.database_id}/Item/r1")
        unrouted = client.get("/no/such/route/at/all")
    assert refused.status_code == 401 and refused.headers["x-request-id"]
    assert unrouted.status_code in (401, 404) and unrouted.headers["x-request-id"]


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [("trace-42", True), ("a" * 128, True), ("a" * 129, False), ("two words", False)],
)
def test_a_usable_client_request_id_is_echoed(api: Api, sent: str, echoed: bool) -> None:
    answer = api.client.get(api.data("Item/nope"), headers={"x-request-id": sent})
    assert answer.status_code == 404
    assert (answer.headers["x-request-id"] == sent) is echoed
    assert answer.headers["x-request-id"]


def test_the_sdk_records_the_request_id(local_server: LocalServer, api: Api) -> None:
    api.save("Item", {"id": "r2"})
    with onyx_database.init(**local_server.config()) as db, record_requests() as recorded:
        db.find_by_id("Item", "r2")
    assert len(recorded) == 1 and recorded[0].request_id
