"""Uncertain outcomes are said as such: when the answer to a write is lost after the server
committed it (a proxy forwards the request to Onyx Local, waits for the whole answer, then resets
the client's connection), the error says the write may have been applied, and a batch error lists
chunks committed, unknown and not sent separately; every record the server committed is there."""

from __future__ import annotations

from typing import Any

import pytest

import onyx_database
from onyx_database import (
    OnyxBatchError,
    OnyxConflictError,
    OnyxConnectionError,
    OnyxDatabase,
)
from onyx_database.local import LocalServer

from .conftest import Figure, client_config
from .helpers import LosingProxy

pytestmark = pytest.mark.reliability


def _count(db: OnyxDatabase) -> int:
    return db.from_table("Item").count()


def _records(prefix: str, n: int) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i:05d}", "n": i} for i in range(n)]


def test_a_save_whose_answer_is_lost_may_have_been_applied(
    db: OnyxDatabase, server: LocalServer, figure: Figure
) -> None:
    with (
        LosingProxy(server.url, lambda number, request: True) as proxy,
        onyx_database.init(config=client_config(server, base_url=proxy.url)) as lossy,
    ):
        with pytest.raises(OnyxConnectionError) as info:
            lossy.save("Item", {"id": "s1", "n": 1})
        assert info.value.outcome_unknown
        assert "may have been applied" in str(info.value)
        with pytest.raises(OnyxConnectionError) as insert_info:
            lossy.insert("Item", {"id": "s2", "n": 2})
        assert insert_info.value.outcome_unknown
        assert proxy.lost == 2
    assert db.find_by_id("Item", "s1") is not None  # it was applied, as the error warned
    # the safe retry of a create: insert again; a 409 proves the lost insert had landed
    with pytest.raises(OnyxConflictError):
        db.insert("Item", {"id": "s2", "n": 2})
    figure(
        "save / insert whose answer is lost after the commit",
        "OnyxConnectionError with outcome_unknown=True; record present; retried insert → 409",
    )


def test_a_lost_5000_record_batch_is_unknown_not_failed(
    db: OnyxDatabase, server: LocalServer, figure: Figure
) -> None:
    with (
        LosingProxy(server.url, lambda number, request: True) as proxy,
        onyx_database.init(config=client_config(server, base_url=proxy.url)) as lossy,
        pytest.raises(OnyxBatchError) as info,
    ):
        lossy.batch_save("Item", _records("b", 5000), batch_size=5000)
    error = info.value
    assert error.outcome_unknown
    assert (error.committed_chunks, error.unknown_chunks, error.failed_chunks) == ([], [0], [])
    assert error.unknown_records == 5000 and error.not_sent_from is None
    assert "no chunk committed" in str(error) and "may have been applied" in str(error)
    present = _count(db)
    assert present == 5000  # all-or-nothing: the unknown chunk was applied whole
    figure(
        "5,000-record batch (one chunk), answer lost after the commit",
        f"OnyxBatchError unknown_chunks=[0] (not 'failed'); {present:,}/5,000 present",
    )


def test_a_batch_error_lists_committed_unknown_and_unsent_chunks(
    db: OnyxDatabase, server: LocalServer, figure: Figure
) -> None:
    with (
        LosingProxy(server.url, lambda number, request: number == 2) as proxy,
        onyx_database.init(config=client_config(server, base_url=proxy.url)) as lossy,
        pytest.raises(OnyxBatchError) as info,
    ):
        lossy.batch_save("Item", _records("c", 5000), batch_size=1000)
    error = info.value
    assert error.committed_chunks == [0, 1] and error.committed_records == 2000
    assert error.unknown_chunks == [2] and error.unknown_records == 1000
    assert error.failed_chunks == [] and error.not_sent_from == 3
    present = {row["id"] for row in db.from_table("Item").list()}
    committed = {f"c{i:05d}" for i in range(2000)}
    unknown = {f"c{i:05d}" for i in range(2000, 3000)}
    assert committed <= present
    assert unknown <= present or not unknown & present  # the unknown chunk: all or nothing
    assert not present - committed - unknown  # nothing of the chunks not sent
    figure(
        "5,000 records in 5 chunks, 3rd answer lost",
        f"committed [0, 1], unknown [2], not sent from 3; {len(present):,} present "
        "(2,000 committed + 1,000 of the unknown chunk, all or nothing)",
    )


@pytest.mark.anyio
async def test_async_save_whose_answer_is_lost(db: OnyxDatabase, server: LocalServer) -> None:
    with LosingProxy(server.url, lambda number, request: True) as proxy:
        async with onyx_database.init_async(
            config=client_config(server, base_url=proxy.url)
        ) as lossy:
            with pytest.raises(OnyxConnectionError) as info:
                await lossy.save("Item", {"id": "a1"})
    assert info.value.outcome_unknown
    assert db.find_by_id("Item", "a1") is not None


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
