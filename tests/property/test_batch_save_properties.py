"""Property-based test: a batch save answers, stores and publishes exactly the same whether its
records take the table's compiled encoder (``_encoder``) or the general path.

Two Onyx Local servers hold the same schema (every attribute type; partitions by a string, a
boolean and a timestamp; a UUID table).
Each example resets both, saves the same starting records on both, then sends one generated batch
over HTTP: to the first as it is (the encoder takes it when every record is plain), to the second
with an empty ``relationships`` parameter, which sends any save down the general path. The status,
the answer, the change events and the stored rows must be equal. The batches mix plain records
with everything the encoder hands back: values to convert, unknown keys, nested values, nulls
where not allowed, empty and repeated ids, out-of-range numbers, other date forms, non-objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onyx_database.local import LocalServer
from onyx_database.local._encoder import encode_batch
from onyx_database.local._schema import parse_schema

TYPES = {
    "s": "String",
    "c": "Char",
    "b": "Boolean",
    "y": "Byte",
    "h": "Short",
    "i": "Int",
    "l": "Long",
    "f": "Float",
    "d": "Double",
    "t": "Timestamp",
    "o": "EmbeddedObject",
    "e": "EmbeddedList",
}


def _entity(name: str, generator: str, partition: str) -> dict[str, Any]:
    attributes = [{"name": "id", "type": "String", "isNullable": False}]
    attributes += [{"name": n, "type": t, "isNullable": True} for n, t in TYPES.items()]
    attributes.append({"name": "req", "type": "Int", "isNullable": False})
    return {
        "name": name,
        "identifier": {"name": "id", "generator": generator, "type": "String"},
        "partition": partition,
        "attributes": attributes,
        "indexes": [{"name": "i", "type": "DEFAULT"}],
        "resolvers": [],
        "triggers": [],
    }


SCHEMA: dict[str, Any] = {
    "revisionDescription": "batch save properties",
    "entities": [
        _entity("Plain", "None", ""),
        _entity("Parted", "None", "s"),
        _entity("ByFlag", "None", "b"),
        _entity("ByTime", "None", "t"),
        _entity("Generated", "UUID", ""),
    ],
}
TABLES = [e["name"] for e in SCHEMA["entities"]]
EXAMPLES = 150


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LocalServer]]:
    with (
        LocalServer(tmp_path_factory.mktemp("batch-fast"), schema=SCHEMA) as fast,
        LocalServer(tmp_path_factory.mktemp("batch-general"), schema=SCHEMA) as general,
    ):
        yield [fast, general]


@pytest.fixture(scope="module")
def clients(servers: list[LocalServer]) -> Iterator[list[httpx.Client]]:
    made = [
        httpx.Client(
            base_url=f"{s.url}/data/{s.database_id}",
            headers={"x-onyx-key": s.api_key, "x-onyx-secret": s.api_secret},
            timeout=30,
        )
        for s in servers
    ]
    yield made
    for client in made:
        client.close()


BASE = datetime(2024, 1, 1, tzinfo=UTC)


def _iso(ms: int) -> str:
    moment = BASE + timedelta(milliseconds=ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


canonical_dates = st.integers(-(10**12), 10**12).map(_iso)
other_dates = st.sampled_from(
    [
        "2024-01-01",
        "2024-01-01T00:00:00Z",
        "2024-01-01T00:00:00.123456Z",
        "0999-12-31T23:59:59.999Z",
        "2024-02-30T00:00:00.000Z",
        "2024-01-01T24:00:00.000Z",
        "01/02/2024",
        "1704067200000",
        "",
        "not a date",
    ]
)
nested = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("ab", max_size=2),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text("ab", max_size=1), inner),
    max_leaves=4,
)
odd = st.one_of(
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text("0123456789.-eE tru", max_size=4),
    st.sampled_from(["true", "false", "1", "1.5", "-0", "1e3"]),
    nested,
    other_dates,
)
PLAIN: dict[str, st.SearchStrategy[Any]] = {
    "String": st.text("aé1 ", max_size=3),
    "Char": st.text("ab", min_size=1, max_size=1),
    "Boolean": st.booleans(),
    "Byte": st.integers(-(2**7), 2**7 - 1),
    "Short": st.integers(-(2**15), 2**15 - 1),
    "Int": st.integers(-(2**31), 2**31 - 1),
    "Long": st.integers(-(2**63), 2**63 - 1),
    "Float": st.floats(-1e6, 1e6) | st.integers(-5, 5),
    "Double": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**63), 2**63 - 1),
    "Timestamp": canonical_dates,
    "EmbeddedObject": st.none(),
    "EmbeddedList": st.none(),
}
ids = st.sampled_from(["a", "b", "c", "d", "e", "é", "a b"])


@st.composite
def items(draw: st.DrawFn, *, plain: bool) -> Any:
    """One saved item: plain (the encoder's kind) or, sometimes, anything else."""
    if not plain and draw(st.integers(0, 30)) == 0:
        return draw(st.sampled_from([None, "x", 1, [], [{"id": "a"}]]))
    item: dict[str, Any] = {"id": draw(ids), "req": draw(PLAIN["Int"])}
    for name, attr_type in TYPES.items():
        choice = draw(st.integers(0, 5))
        if choice == 0:
            continue  # missing: null
        item[name] = None if choice == 1 else draw(PLAIN[attr_type])
    if not plain:
        for _ in range(draw(st.integers(1, 2))):
            damage = draw(st.integers(0, 4))
            name = draw(st.sampled_from([*TYPES, "id", "req"]))
            if damage == 0:
                item[name] = draw(odd)
            elif damage == 1:
                item[draw(st.sampled_from(["extra", "ID", "_partition"]))] = draw(nested)
            elif damage == 2:
                item[name] = None
            elif damage == 3:
                item["id"] = draw(st.sampled_from(["", None, 1, True]))
            else:
                item.pop(name, None)
    return item


@st.composite
def batches(draw: st.DrawFn) -> tuple[str, str, list[Any], list[Any]]:
    table = draw(st.sampled_from(TABLES))
    method = draw(st.sampled_from(["PUT", "POST"]))
    before = draw(st.lists(items(plain=True), max_size=4))
    plain = draw(st.booleans())
    batch = draw(st.lists(items(plain=plain), min_size=2, max_size=6))
    return table, method, before, batch


def _events(server: LocalServer, subscription: Any) -> list[Any]:
    return [
        (e.table, e.action, e.partition, e.entity, e.previous_entity, e.record, e.previous_record)
        for e in subscription.drain()
    ]


def _stored(client: httpx.Client, table: str) -> list[Any]:
    answer = client.put(f"/query/{table}", json={"type": "SelectQuery"})
    assert answer.status_code == 200, answer.text
    records = answer.json()["records"]
    if table == "Generated":  # generated ids differ between the servers
        records = [{**r, "id": None} for r in records]
    return sorted(records, key=json.dumps)


def _answer(response: httpx.Response, table: str) -> Any:
    body = response.json()
    if table == "Generated" and isinstance(body, list):
        body = [{**r, "id": None} if isinstance(r, dict) else r for r in body]
    return response.status_code, body


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=batches())
def test_the_encoder_saves_what_the_general_path_saves(
    servers: list[LocalServer], clients: list[httpx.Client], case: Any
) -> None:
    table, method, before, batch = case
    for server, client in zip(servers, clients, strict=True):
        server.reset_data()
        if before:
            started = client.put(f"/{table}", params={"relationships": ""}, json=before)
            assert started.status_code == 200, started.text
    subscriptions = [s.changes.subscribe(table) for s in servers]
    try:
        body = json.dumps(batch).encode()
        headers = {"content-type": "application/json"}
        fast = clients[0].request(method, f"/{table}", content=body, headers=headers)
        general = clients[1].request(
            method, f"/{table}", params={"relationships": ""}, content=body, headers=headers
        )
        assert _answer(fast, table) == _answer(general, table)
        events = [_events(s, sub) for s, sub in zip(servers, subscriptions, strict=True)]
    finally:
        for server, subscription in zip(servers, subscriptions, strict=True):
            server.changes.unsubscribe(subscription)
    if table == "Generated":
        events = [
            [(*e[:3], {**e[3], "id": None}, e[4], {**e[5], "id": None}, e[6]) for e in side]
            for side in events
        ]
    assert events[0] == events[1]
    assert _stored(clients[0], table) == _stored(clients[1], table)


@pytest.mark.parametrize(
    "change",
    [
        {"i": "1"},  # a value to convert
        {"extra": 1},  # an unknown key
        {"t": "2024-01-01"},  # another date form
        {"t": "0999-12-31T23:59:59.999Z"},  # printed unpadded
        {"o": {"a": 1}},  # an embedded value
        {"id": ""},  # no id
        {"req": None},  # a null where none is allowed
        {"i": 2**31},  # out of range
        {"f": float("inf")},  # not a finite number
    ],
)
def test_the_encoder_takes_plain_records_only(change: dict[str, Any]) -> None:
    entity = parse_schema(SCHEMA).entities["Plain"]
    plain = {"id": "a", "req": 1, "s": "x", "i": 2, "f": 1, "t": "2024-01-01T00:00:00.000Z"}
    assert encode_batch(entity, [plain, plain]) is not None
    assert encode_batch(entity, [plain, {**plain, **change}]) is None
