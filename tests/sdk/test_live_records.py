"""save / find / delete / insert / create / batch_save against Onyx Local over real HTTP."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import onyx_database
from onyx_database import (
    OnyxBatchError,
    OnyxConflictError,
    OnyxDatabase,
    OnyxNotFoundError,
    OnyxServerError,
    OnyxUnauthorizedError,
    OnyxUsageError,
    eq,
)
from onyx_database.local import LocalServer

from .integration import client_config

ITEM_PATH = "/data/{db}/Item"


class Kind(enum.Enum):
    GOLD = "gold"


@dataclasses.dataclass(slots=True)
class Item:
    id: str
    name: str
    price: Decimal
    createdAt: dt.datetime


def test_save_find_delete_round_trip(db: OnyxDatabase) -> None:
    created = dt.datetime(2025, 9, 4, 20, 8, 18, 345000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    saved = db.save(
        "Item", Item(id="i1", name=Kind.GOLD.value, price=Decimal("9.5"), createdAt=created)
    )
    assert saved["id"] == "i1"
    found = db.find_by_id(Item, "i1")
    assert found is not None
    assert found["name"] == "gold"
    assert found["price"] == 9.5
    assert found["createdAt"] == "2025-09-04T18:08:18.345Z"
    assert db.delete("Item", "i1") is True
    assert db.find_by_id("Item", "i1") is None
    with pytest.raises(OnyxNotFoundError):
        db.delete("Item", "i1")


def test_save_a_list_returns_the_list(db: OnyxDatabase) -> None:
    saved = db.save("Item", [{"id": "a", "score": 1}, {"id": "b", "score": uuid.UUID(int=0).int}])
    assert [row["id"] for row in saved] == ["a", "b"]
    assert db.from_table("Item").count() == 2


def test_insert_and_create_conflict(db: OnyxDatabase, server: LocalServer) -> None:
    inserted = db.insert("Item", [{"id": "n1"}, {"id": "n2"}])
    assert [row["id"] for row in inserted] == ["n1", "n2"]
    assert db.create("Item", {"id": "n3", "name": "third"})["name"] == "third"
    with pytest.raises(OnyxConflictError) as conflict:
        db.create("Item", {"id": "n3", "name": "overwrite?"})
    assert conflict.value.status == 409
    with pytest.raises(OnyxConflictError):
        db.insert("Item", {"id": "n1"})
    found = db.find_by_id("Item", "n3")
    assert found is not None and found["name"] == "third"  # the stored row is unchanged
    with pytest.raises(OnyxUsageError):
        db.create("Item", [{"id": "n4"}])
    assert server.request_count("POST", ITEM_PATH) == 4  # the list was rejected before sending


def test_batch_save_chunks(db: OnyxDatabase, server: LocalServer) -> None:
    total = db.batch_save(
        "Item", ({"id": f"b{n:03d}", "score": n} for n in range(25)), batch_size=10
    )
    assert total == 25
    assert db.from_table("Item").count() == 25
    assert server.request_count("PUT", ITEM_PATH) == 3


def test_batch_save_failing_chunk(db: OnyxDatabase, server: LocalServer) -> None:
    def items() -> Iterator[dict[str, Any]]:
        for n in range(30):
            if n == 10:  # chunk 0 has been sent by now: chunks are built lazily
                server.faults.fail_next(1, status=503, method="PUT", path_contains="/Item")
            yield {"id": f"f{n:03d}"}

    with pytest.raises(OnyxBatchError) as info:
        db.batch_save("Item", items(), batch_size=10)
    error = info.value
    assert (error.committed_chunks, error.failed_chunk, error.committed_records) == ([0], 1, 10)
    assert isinstance(error.__cause__, OnyxServerError)
    assert error.__cause__.status == 503
    assert db.from_table("Item").count() == 10
    assert server.request_count("PUT", ITEM_PATH) == 2  # the failed write was not re-sent


def test_find_by_id_miss_and_unknown_table(db: OnyxDatabase) -> None:
    assert db.find_by_id("Item", "nobody") is None


def test_find_by_id_in_unknown_table_raises(db: OnyxDatabase) -> None:
    with pytest.raises(OnyxNotFoundError):
        db.find_by_id("NoSuchTable", "x")


def test_unknown_table_in_a_query_raises(db: OnyxDatabase) -> None:
    with pytest.raises(OnyxNotFoundError):
        db.from_table("NoSuchTable").list()


def test_wrong_secret_is_unauthorized(server: LocalServer) -> None:
    wrong = "definitely-wrong-secret-123"
    config = client_config(server, api_secret=wrong)
    with onyx_database.init(config=config) as db, pytest.raises(OnyxUnauthorizedError) as info:
        db.find_by_id("Item", "x")
    assert info.value.status == 401
    assert wrong not in str(info.value)


WEIRD_IDS = [
    "a/b",
    "q?x=1&y=2",
    "frag#ment",
    "100%",
    "%2F-already-encoded",
    "with space",
    "plus+sign",
    "ünïcødé-日本",
    "..",
    "semi;colon,comma",
]


@pytest.mark.parametrize("pk", WEIRD_IDS)
def test_weird_ids_round_trip(db: OnyxDatabase, pk: str) -> None:
    db.save("Item", {"id": pk, "name": "weird"})
    found = db.find_by_id("Item", pk)
    assert found is not None and found["id"] == pk
    assert db.from_table("Item").where(eq("id", pk)).count() == 1
    assert db.delete("Item", pk) is True
    assert db.find_by_id("Item", pk) is None


def test_partitions(db: OnyxDatabase) -> None:
    db.save(
        "Tenanted",
        [{"id": "x", "tenant": "A", "name": "in A"}, {"id": "x", "tenant": "B", "name": "in B"}],
    )
    db.save("Tenanted", {"id": "y", "tenant": "A/1 & co", "name": "odd partition"})
    found_a = db.find_by_id("Tenanted", "x", partition="A")
    assert found_a is not None and found_a["name"] == "in A"
    found_b = db.find_by_id("Tenanted", "x", partition="B")
    assert found_b is not None and found_b["name"] == "in B"
    assert db.from_table("Tenanted").in_partition("A").count() == 1
    assert db.from_table("Tenanted").in_partition("A/1 & co").list()[0]["id"] == "y"

    tenant_b = db.with_options(partition="B")
    found = tenant_b.find_by_id("Tenanted", "x")
    assert found is not None and found["name"] == "in B"
    assert [row["name"] for row in tenant_b.from_table("Tenanted").list()] == ["in B"]
    assert tenant_b.delete("Tenanted", "x") is True
    assert db.find_by_id("Tenanted", "x", partition="B") is None
    assert db.find_by_id("Tenanted", "x", partition="A") is not None


def test_config_default_partition(server: LocalServer) -> None:
    with onyx_database.init(config=client_config(server, partition="A")) as db:
        db.save("Tenanted", [{"id": "p", "tenant": "A"}, {"id": "q", "tenant": "B"}])
        assert [row["id"] for row in db.from_table("Tenanted").list()] == ["p"]
        assert db.from_table("Tenanted").count() == 1
        assert db.find_by_id("Tenanted", "q") is None
        assert db.find_by_id("Tenanted", "q", partition="B") is not None
