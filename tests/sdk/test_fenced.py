"""Fenced mutations (official 2.5.2 contract) end to end against Onyx Local."""

from __future__ import annotations

from typing import Any

import pytest

from onyx_database import (
    AsyncOnyxDatabase,
    OnyxClientError,
    OnyxConflictError,
    OnyxDatabase,
    OnyxUsageError,
    eq,
    gt,
)


def _guard(**expected: Any) -> dict[str, Any]:
    return {"table": "Item", "id": "lease", "expected": expected or {"name": "worker-a"}}


@pytest.fixture
def lease(onyx_db: OnyxDatabase) -> OnyxDatabase:
    onyx_db.save("Item", {"id": "lease", "name": "worker-a", "qty": 8})
    onyx_db.save(
        "TenantNote",
        [
            {"id": "n1", "tenant": "t1", "text": "a", "rank": 1},
            {"id": "n2", "tenant": "t1", "text": "b", "rank": 2},
            {"id": "n3", "tenant": "t2", "text": "c", "rank": 1},
        ],
    )
    return onyx_db


def _notes(db: OnyxDatabase, tenant: str) -> dict[str, Any]:
    rows = db.from_table("TenantNote").in_partition(tenant).list()
    return {row["id"]: row["text"] for row in rows}


def test_fenced_save_applies_while_the_guard_holds(lease: OnyxDatabase) -> None:
    answer = lease.fenced_save(
        "TenantNote",
        [{"id": "n4", "tenant": "t1", "text": "d"}, {"id": "n5", "tenant": "t1", "text": "e"}],
        guard=_guard(name="worker-a", qty=8),
    )
    assert answer == {"applied": True, "affected": 2}
    assert set(_notes(lease, "t1")) == {"n1", "n2", "n4", "n5"}


def test_a_stale_or_missing_guard_is_409_and_changes_nothing(lease: OnyxDatabase) -> None:
    with pytest.raises(OnyxConflictError, match="changed"):
        lease.fenced_save("TenantNote", {"id": "n9", "tenant": "t1"}, guard=_guard(qty=7))
    missing = {"table": "Item", "id": "nope", "expected": {"qty": 1}}
    with pytest.raises(OnyxConflictError, match="does not exist"):
        lease.fenced_delete_where(
            "TenantNote", partition="t1", filters=gt("rank", 0), guard=missing
        )
    assert set(_notes(lease, "t1")) == {"n1", "n2"}


def test_fenced_delete_where_stays_in_its_partition(lease: OnyxDatabase) -> None:
    answer = lease.fenced_delete_where(
        "TenantNote", partition="t1", filters=eq("rank", 1), guard=_guard()
    )
    assert answer == {"applied": True, "affected": 1}
    assert set(_notes(lease, "t1")) == {"n2"}
    assert set(_notes(lease, "t2")) == {"n3"}  # same rank, other partition: untouched


def test_fenced_update_where_changes_the_row_its_filter_pins(lease: OnyxDatabase) -> None:
    answer = lease.fenced_update_where(
        "TenantNote",
        partition="t1",
        filters=eq("id", "n2") & eq("rank", 2),
        updates={"text": "B"},
        guard=_guard(),
    )
    assert answer == {"applied": True, "affected": 1}
    assert _notes(lease, "t1") == {"n1": "a", "n2": "B"}
    # the server refuses a filter that does not pin one row by id, or uses OR
    for filters in (eq("rank", 2), eq("id", "n2") | eq("id", "n1")):
        with pytest.raises(OnyxClientError):
            lease.fenced_update_where(
                "TenantNote", partition="t1", filters=filters, updates={"text": "x"}, guard=_guard()
            )
    assert _notes(lease, "t1") == {"n1": "a", "n2": "B"}


def test_bad_fenced_calls_fail_before_sending(lease: OnyxDatabase) -> None:
    with pytest.raises(OnyxUsageError, match="unsupported keys"):
        lease.fenced_save("TenantNote", {"id": "x"}, guard={**_guard(), "owner": "me"})
    with pytest.raises(OnyxUsageError, match="expected"):
        lease.fenced_save("TenantNote", {"id": "x"}, guard={"table": "Item", "id": "lease"})
    with pytest.raises(OnyxUsageError, match="1 to 500"):
        lease.fenced_save("TenantNote", [], guard=_guard())
    with pytest.raises(OnyxUsageError, match="concrete partition"):
        lease.fenced_delete_where(
            "TenantNote", partition="ALL", filters=eq("rank", 1), guard=_guard()
        )
    with pytest.raises(OnyxUsageError, match="non-empty"):
        lease.fenced_update_where(
            "TenantNote", partition="t1", filters=eq("id", "n1"), updates={}, guard=_guard()
        )


@pytest.mark.anyio
async def test_fenced_update_async_with_an_official_filter(
    onyx_async_db: AsyncOnyxDatabase,
) -> None:
    await onyx_async_db.save("Item", {"id": "lease", "name": "worker-a"})
    await onyx_async_db.save("TenantNote", {"id": "n1", "tenant": "t1", "rank": 1})
    official_filter = {
        "conditionType": "SingleCondition",
        "criteria": {"field": "id", "operator": "EQUAL", "value": "n1"},
    }
    answer = await onyx_async_db.fenced_update_where(
        "TenantNote", partition="t1", filters=official_filter, updates={"rank": 5}, guard=_guard()
    )
    assert answer == {"applied": True, "affected": 1}
    found = await onyx_async_db.find_by_id("TenantNote", "n1", partition="t1")
    assert found is not None and found["rank"] == 5
