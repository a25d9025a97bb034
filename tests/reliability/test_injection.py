"""SQL and regex injection through the SDK against Onyx Local: field names, values, table names,
ids, partitions, resolver names and resolver scripts carrying SQL are harmless (a value is stored
and read back verbatim; a name is answered 4xx); no answer is a 5xx; the database file's tables
and a canary table are unchanged. A catastrophic regex in MATCHES is answered within its budget
while the server keeps answering others."""

from __future__ import annotations

import copy
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from onyx_database import (
    OnyxDatabase,
    OnyxError,
    OnyxHTTPError,
    OnyxUsageError,
    asc,
    eq,
    matches,
)
from onyx_database.local import LocalServer

from .conftest import SCHEMA, Figure

pytestmark = pytest.mark.reliability

PAYLOADS = [
    "'; DROP TABLE Item; --",
    '" OR ""="',
    "1 OR 1=1",
    "x'); DELETE FROM Item; --",
    "Item; DROP TABLE Item",
    "' UNION SELECT name, sql FROM sqlite_master --",
    "1; ATTACH DATABASE '/tmp/onyx-pwned.db' AS pwned; --",
    "%' OR '1'='1",
    "]; DROP TABLE Item; --",
    "`id`) VALUES (1); DROP TABLE Item; --",
]
CANARY = [{"id": f"canary-{n}", "n": n, "name": "canary"} for n in range(5)]
HANG = 60.0
# exponential backtracking in re and regex alike: 2^40 steps on a 40-character value unbounded
CATASTROPHIC = "(a|a)+b"  # an upper bound for a hang, not a timing assertion


def _tables(server: LocalServer) -> list[tuple[str, str]]:
    path = Path(server.data_dir) / "onyx.sqlite3"
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall()
    finally:
        connection.close()
    return [(str(kind), str(name)) for kind, name in rows]


class Outcomes:
    """Runs each attempt, keeping what the server answered; a 5xx or another error fails."""

    def __init__(self) -> None:
        self.answers: dict[str, int] = {"2xx": 0, "4xx": 0, "refused before sending": 0}

    def attempt(self, action: Callable[[], Any]) -> Any:
        try:
            result = action()
        except OnyxHTTPError as exc:
            if exc.status >= 500:
                raise AssertionError(f"{exc.status}: {exc}") from None
            self.answers["4xx"] += 1
            return None
        except OnyxUsageError:
            self.answers["refused before sending"] += 1
            return None
        self.answers["2xx"] += 1
        return result

    @property
    def total(self) -> int:
        return sum(self.answers.values())


def _attack(db: OnyxDatabase, outcomes: Outcomes, index: int, payload: str) -> None:
    record_id = f"v{index}"
    # values: stored and read back verbatim
    outcomes.attempt(lambda: db.save("Item", {"id": record_id, "name": payload}))
    found = db.from_table("Item").where(eq("name", payload)).list()
    assert [row["id"] for row in found] == [record_id]
    assert db.find_by_id("Item", record_id)["name"] == payload  # type: ignore[index]
    # ids: in the URL path and in the body
    outcomes.attempt(lambda: db.save("Item", {"id": payload, "n": index}))
    assert db.find_by_id("Item", payload)["n"] == index  # type: ignore[index]
    outcomes.attempt(lambda: db.delete("Item", payload))
    # field names: conditions, sorting, selection, grouping, updates
    query = db.from_table("Item")
    outcomes.attempt(lambda: query.where(eq(payload, 1)).list())
    outcomes.attempt(lambda: query.order_by(asc(payload)).list())
    outcomes.attempt(lambda: query.select(payload).list())
    outcomes.attempt(lambda: query.group_by(payload).select(payload).list())
    outcomes.attempt(lambda: query.where(eq("id", "none")).set_updates({payload: 1}).update())
    outcomes.attempt(lambda: db.save("Item", {"id": f"f{index}", payload: 1}))
    # table names and partitions
    outcomes.attempt(lambda: db.from_table(payload).list())
    outcomes.attempt(lambda: db.save(payload, {"id": "x"}))
    outcomes.attempt(lambda: db.find_by_id(payload, "x"))
    outcomes.attempt(lambda: db.from_table("Item").in_partition(payload).count())
    outcomes.attempt(lambda: db.find_by_id("Item", "canary-0", resolvers=[payload]))


def _attack_resolvers(db: OnyxDatabase, outcomes: Outcomes, payload: str) -> None:
    """Resolver scripts are parsed, never evaluated."""
    schema = copy.deepcopy(SCHEMA)
    script = f'db.from("Item").where(eq("name", "{payload}")).list()'
    schema["entities"][0]["resolvers"] = [{"name": "evil", "resolver": script}]
    outcomes.attempt(lambda: db.update_schema(schema, publish=False))
    raw = copy.deepcopy(SCHEMA)
    raw["entities"][0]["resolvers"] = [{"name": "evil", "resolver": payload}]
    outcomes.attempt(lambda: db.update_schema(raw, publish=False))


def test_sql_injection_everywhere_is_harmless(
    db: OnyxDatabase, server: LocalServer, figure: Figure
) -> None:
    db.save("Item", CANARY)
    before = _tables(server)
    outcomes = Outcomes()
    for index, payload in enumerate(PAYLOADS):
        _attack(db, outcomes, index, payload)
    for payload in PAYLOADS:
        _attack_resolvers(db, outcomes, payload)
    assert _tables(server) == before
    canary = db.from_table("Item").where(eq("name", "canary")).list()
    assert sorted(row["id"] for row in canary) == [row["id"] for row in CANARY]
    figure(
        f"SQL injection: {len(PAYLOADS)} payloads through values, ids, field names (where, "
        "sort, select, group, update, save), table names, partitions, resolver names and scripts",
        f"{outcomes.total} requests: {outcomes.answers['2xx']} harmless 2xx, "
        f"{outcomes.answers['4xx']} 4xx, {outcomes.answers['refused before sending']} refused "
        "by the SDK, 0 x 5xx; sqlite_master and the canary rows unchanged",
    )


def test_catastrophic_regex_is_bounded(
    db: OnyxDatabase, server: LocalServer, figure: Figure
) -> None:
    db.save("Item", [{"id": f"r{n}", "name": "a" * 40 + "!"} for n in range(20)])
    answer: dict[str, Any] = {}
    done = threading.Event()

    def heavy() -> None:
        try:
            query = db.from_table("Item").where(matches("name", CATASTROPHIC))
            answer["rows"] = query.list()
        except OnyxError as exc:
            answer["error"] = exc
        done.set()

    thread = threading.Thread(target=heavy)
    thread.start()
    # the server keeps answering other requests meanwhile
    assert db.find_by_id("Item", "r0") is not None
    assert done.wait(HANG), "a catastrophic regex held the server"
    thread.join()
    error = answer.get("error")
    if error is not None:
        assert isinstance(error, OnyxHTTPError) and error.status < 500, error
        outcome = f"{error.status} {error.code}"
    else:
        assert answer["rows"] == []
        outcome = "200, no match"
    figure(
        f"catastrophic regex {CATASTROPHIC} in MATCHES on 20 x 41-character values",
        f"answered {outcome}; the server answered other requests meanwhile",
    )
