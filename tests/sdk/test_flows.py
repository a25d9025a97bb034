from __future__ import annotations

from typing import Any

import pytest

from onyx_database import OnyxBatchError, OnyxConnectionError, OnyxDecodeError, OnyxServerError
from onyx_database._flows import Sleep, adrive, batch_flow, drive, pages_flow, retry_flow
from onyx_database._request import RawResponse, Request, save_request
from onyx_database._retry import RetryPolicy

READ = Request("GET", ("data", "db", "User", "1"), idempotent=True)
WRITE = Request("PUT", ("data", "db", "User"), body={"id": 1})


class Script:
    """A performer that answers requests from a script and records every effect."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.effects: list[Any] = []

    def __call__(self, effect: Any) -> Any:
        self.effects.append(effect)
        if isinstance(effect, Sleep):
            return None
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def async_call(self, effect: Any) -> Any:
        return self(effect)


def run_retry(request: Request, script: Script, retries: int = 3) -> RawResponse:
    policy = RetryPolicy(max_retries=retries, backoff_seconds=0.1)
    (response,) = drive(retry_flow(request, policy, lambda: 1.0), script)
    return response  # type: ignore[no-any-return]


def test_retry_flow_backs_off_then_succeeds() -> None:
    script = Script(
        OnyxConnectionError("refused"),
        RawResponse(503, {}),
        RawResponse(429, {"retry-after": "2"}),
        RawResponse(200, {}, b"{}"),
    )
    assert run_retry(READ, script).status == 200
    sleeps = [effect.seconds for effect in script.effects if isinstance(effect, Sleep)]
    assert sleeps == [0.1, 0.2, 2.0]
    assert sum(1 for effect in script.effects if isinstance(effect, Request)) == 4


def test_retry_flow_gives_up_with_the_last_answer() -> None:
    script = Script(*(RawResponse(503, {}) for _ in range(3)))
    assert run_retry(READ, script, retries=2).status == 503
    assert not script.answers


def test_retry_flow_reraises_connection_errors_when_exhausted() -> None:
    script = Script(OnyxConnectionError("a"), OnyxConnectionError("b"))
    with pytest.raises(OnyxConnectionError, match="b"):
        run_retry(READ, script, retries=1)


def test_writes_are_sent_exactly_once() -> None:
    script = Script(RawResponse(503, {}))
    assert run_retry(WRITE, script).status == 503
    assert script.effects == [WRITE]
    script = Script(OnyxConnectionError("reset"))
    with pytest.raises(OnyxConnectionError):
        run_retry(WRITE, script)
    assert script.effects == [WRITE]


def test_zero_retries() -> None:
    script = Script(RawResponse(503, {}))
    assert run_retry(READ, script, retries=0).status == 503
    assert script.effects == [READ]


def page_request(token: str | None) -> Request:
    return Request("PUT", ("q",), (("nextPage", token),) if token else (), idempotent=True)


def test_pages_flow_walks_every_page() -> None:
    script = Script(
        {"records": [1, 2], "nextPage": "t1"},
        {"records": [3], "nextPage": "t2"},
        {"records": [4], "nextPage": None},
    )
    pages = list(drive(pages_flow(page_request), script))
    assert [page.records for page in pages] == [[1, 2], [3], [4]]
    assert [effect.params for effect in script.effects] == [
        (),
        (("nextPage", "t1"),),
        (("nextPage", "t2"),),
    ]


def test_pages_flow_stops_lazily() -> None:
    script = Script({"records": [1], "nextPage": "t1"}, {"records": [2], "nextPage": None})
    iterator = drive(pages_flow(page_request), script)
    assert next(iterator).records == [1]
    iterator.close()
    assert len(script.effects) == 1  # the second page was never requested


def test_pages_flow_refuses_a_looping_server() -> None:
    script = Script(*({"records": [1], "nextPage": "same"} for _ in range(3)))
    with pytest.raises(OnyxDecodeError, match="twice"):
        list(drive(pages_flow(page_request), script))


def test_batch_flow_chunks_in_order() -> None:
    script = Script("ok", "ok", "ok")
    flow = batch_flow(range(5), 2, lambda body: save_request("db", "T", body))
    assert [size for size, _ in drive(flow, script)] == [2, 2, 1]
    assert [effect.body for effect in script.effects] == [[0, 1], [2, 3], [4]]


def test_batch_flow_failure_names_committed_chunks() -> None:
    cause = OnyxServerError("boom", status=503)
    script = Script("ok", "ok", cause, "never")
    flow = batch_flow(range(10), 3, lambda body: save_request("db", "T", body))
    with pytest.raises(OnyxBatchError) as info:
        list(drive(flow, script))
    error = info.value
    assert error.committed_chunks == [0, 1]
    assert error.failed_chunk == 2
    assert error.committed_records == 6
    assert error.chunk_size == 3
    assert error.__cause__ is cause
    assert "chunk 2" in str(error)
    assert len(script.effects) == 3


def test_batch_flow_lost_answer_is_an_unknown_chunk_not_a_failure() -> None:
    cause = OnyxConnectionError("reset after sending", outcome_unknown=True)
    script = Script("ok", cause)
    flow = batch_flow(range(4), 2, lambda body: save_request("db", "T", body))
    with pytest.raises(OnyxBatchError) as info:
        list(drive(flow, script))
    error = info.value
    assert error.outcome_unknown
    assert (error.committed_chunks, error.unknown_chunks, error.failed_chunks) == ([0], [1], [])
    assert error.unknown_records == 2 and error.committed_records == 2
    assert error.not_sent_from is None  # the unknown chunk was the last one
    assert "may have been applied" in str(error) and "no chunk committed" not in str(error)


def test_retry_flow_never_waits_past_the_deadline() -> None:
    now = [0.0]

    class Clocked(Script):
        def __call__(self, effect: Any) -> Any:
            if isinstance(effect, Sleep):
                now[0] += effect.seconds
            else:
                now[0] += 1.0  # every attempt takes a second
            return super().__call__(effect)

    policy = RetryPolicy(max_retries=10, backoff_seconds=0.5)
    errors = [OnyxConnectionError(f"refused {n}") for n in range(10)]
    script = Clocked(*errors)
    flow = retry_flow(READ, policy, lambda: 1.0, deadline=3.0, clock=lambda: now[0])
    with pytest.raises(OnyxConnectionError, match="refused 1"):
        list(drive(flow, script))
    assert now[0] <= 3.0  # attempt (1 s), wait 0.5 s, attempt (1 s): a 1 s wait would pass 3 s
    statuses = Clocked(*(RawResponse(503, {}) for _ in range(10)))
    flow = retry_flow(READ, policy, lambda: 1.0, deadline=now[0] + 1.2, clock=lambda: now[0])
    (last,) = drive(flow, statuses)
    assert last.status == 503 and len(statuses.answers) == 9


def test_batch_flow_serialization_failure_is_a_batch_error() -> None:
    script = Script("ok")
    flow = batch_flow([{"a": 1}, {"b": object()}], 1, lambda body: save_request("db", "T", body))
    with pytest.raises(OnyxBatchError) as info:
        list(drive(flow, script))
    assert info.value.committed_chunks == [0]
    assert "entities[1].b" in str(info.value)


@pytest.mark.anyio
async def test_async_driver_runs_the_same_flows() -> None:
    ok = RawResponse(200, {}, b"{}")
    script = Script(OnyxConnectionError("refused"), ok, {"records": [2], "nextPage": None})
    policy = RetryPolicy(max_retries=1, backoff_seconds=0.0)
    first = [
        item async for item in adrive(retry_flow(READ, policy, lambda: 0.0), script.async_call)
    ]
    assert first == [ok]
    assert [type(effect) for effect in script.effects] == [Request, Sleep, Request]
    pages = [page async for page in adrive(pages_flow(page_request, "t"), script.async_call)]
    assert [page.records for page in pages] == [[2]]
