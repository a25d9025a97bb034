"""Bounded waits: one call never outlives ``request_deadline_seconds``, across its retries, even
against a server that accepts connections and never answers."""

from __future__ import annotations

import threading

import pytest

import onyx_database
from onyx_database import OnyxServerError, OnyxTimeoutError, ResolvedConfig
from onyx_database._config import DEFAULT_DEADLINE_SECONDS
from onyx_database.local import LocalServer

from .conftest import Figure, client_config
from .helpers import silent_server

pytestmark = pytest.mark.reliability

# Without a deadline these calls would wait 30 s x 4 tries; the test waits at most this long for
# the call to end (an upper bound on a hang, not a timing assertion).
HANG = 20.0


def _config(url: str) -> ResolvedConfig:
    return ResolvedConfig(
        database_id="db",
        api_key="key",
        api_secret="secret",
        base_url=url,
        request_timeout_seconds=30.0,
        max_retries=3,
        request_deadline_seconds=1.0,
    )


def test_a_server_that_never_answers_is_bounded_by_the_deadline(figure: Figure) -> None:
    errors: list[BaseException] = []
    with silent_server() as (url, connected, accepted):
        with onyx_database.init(config=_config(url)) as db:

            def call() -> None:
                try:
                    db.find_by_id("Item", "x")
                except OnyxTimeoutError as exc:
                    errors.append(exc)

            caller = threading.Thread(target=call)
            caller.start()
            assert connected.wait(HANG)
            caller.join(HANG)
            assert not caller.is_alive(), "the call outlived its deadline"
        connections = len(accepted)
    (error,) = errors
    assert "deadline of 1 s" in str(error)
    assert DEFAULT_DEADLINE_SECONDS < 60
    figure(
        "find_by_id against a server that never answers (timeout 30 s, 3 retries, deadline 1 s)",
        f"OnyxTimeoutError naming the deadline after {connections} connection(s), "
        f"not after 4 x 30 s; default deadline {DEFAULT_DEADLINE_SECONDS:g} s",
    )


@pytest.mark.anyio
async def test_async_calls_are_bounded_too() -> None:
    with silent_server() as (url, _connected, _accepted):
        async with onyx_database.init_async(config=_config(url)) as db:
            with pytest.raises(OnyxTimeoutError, match="deadline"):
                await db.find_by_id("Item", "x")


def test_no_backoff_is_waited_past_the_deadline(server: LocalServer) -> None:
    server.reset_request_counts()
    server.faults.clear()
    server.faults.fail_next(10, status=503, retry_after=5.0)
    config = client_config(server, request_deadline_seconds=1.0, max_retries=5)
    with onyx_database.init(config=config) as db, pytest.raises(OnyxServerError) as info:
        db.find_by_id("Item", "x")  # a 5 s Retry-After would pass the 1 s deadline: not waited
    server.faults.clear()
    assert info.value.status == 503
    assert server.request_count("GET", "/data/{db}/{table}/{pk}") == 1


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
