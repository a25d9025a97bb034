"""Hypothesis fuzzing over real HTTP: no input makes Onyx Local answer 500, hang or change data.

Every example is sent to a module-scoped server (the example projects' schema plus ``AllTypes``,
a table with every attribute type, and ``Parted``, a partitioned one). After each example the
server must still answer a normal request, error answers must have the canonical JSON error shape,
and a write route that answered 4xx must have left every table, document and secret unchanged
(a refused batch may keep the records saved before the refused one, as the engine does).
"""

from __future__ import annotations

import copy
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onyx_database.local import LocalServer
from onyx_database.local._records import prepare

from .conftest import EXAMPLE_SCHEMA

MSGPACK = "application/vnd.msgpack"
TYPES = [
    "String", "Char", "Boolean", "Byte", "Short", "Int", "Long", "Float", "Double", "Timestamp",
    "EmbeddedObject", "EmbeddedList",
]  # fmt: skip
FUZZ = settings(
    max_examples=int(os.environ.get("ONYX_FUZZ_EXAMPLES", "300")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _schema() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(EXAMPLE_SCHEMA.read_text())
    attributes = [{"name": "id", "type": "String", "isNullable": False}]
    attributes += [{"name": f"a{kind}", "type": kind, "isNullable": True} for kind in TYPES]
    doc["entities"].append(
        {
            "name": "AllTypes",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "partition": "",
            "type": "SEARCHABLE",
            "attributes": attributes,
            "indexes": [{"name": "aInt", "type": "DEFAULT"}],
            "resolvers": [
                {
                    "name": "same",
                    "resolver": 'db.from("AllTypes").where(eq("aString", this.aString)).list()',
                },
                {
                    "name": "loop",
                    "resolver": 'db.from("AllTypes").where(eq("loop", this.id)).list()',
                },
            ],
            "triggers": [],
        }
    )
    doc["entities"].append(
        {
            "name": "Parted",
            "identifier": {"name": "id", "generator": "Sequence", "type": "Long"},
            "partition": "tenant",
            "attributes": [
                {"name": "id", "type": "Long", "isNullable": False},
                {"name": "tenant", "type": "Int", "isNullable": True},
                {"name": "label", "type": "String", "isNullable": True},
            ],
            "indexes": [],
            "resolvers": [],
            "triggers": [],
        }
    )
    return doc


SCHEMA = _schema()
TABLES = [e["name"] for e in SCHEMA["entities"]]
ATTRIBUTES = sorted({a["name"] for e in SCHEMA["entities"] for a in e["attributes"]})
RESOLVERS = sorted({r["name"] for e in SCHEMA["entities"] for r in e.get("resolvers", [])})

SEED: dict[str, list[dict[str, Any]]] = {
    "AllTypes": [
        {
            "id": "a1",
            "aString": "alpha",
            "aChar": "x",
            "aBoolean": True,
            "aByte": 1,
            "aShort": 300,
            "aInt": 70000,
            "aLong": 2**40,
            "aFloat": 1.5,
            "aDouble": -2.25,
            "aTimestamp": "2024-01-02T03:04:05Z",
            "aEmbeddedObject": {"k": [1, "two", None], "n": {"deep": True}},
            "aEmbeddedList": [1, "b", {"c": 3}, [4]],
        },
        {"id": "a2", "aString": "beta", "aInt": -5, "aEmbeddedList": []},
        {"id": "a3"},
    ],
    "Parted": [
        {"id": 1, "tenant": 1, "label": "one"},
        {"id": 2, "tenant": 2, "label": "two"},
    ],
    "User": [
        {
            "id": "u1",
            "username": "ann",
            "email": "ann@example.com",
            "isActive": True,
            "createdAt": "2024-01-01T00:00:00Z",
            "updatedAt": "2024-01-01T00:00:00Z",
        }
    ],
    "Role": [
        {
            "id": "r1",
            "name": "admin",
            "isSystem": True,
            "createdAt": "2024-01-01T00:00:00Z",
            "updatedAt": "2024-01-01T00:00:00Z",
        }
    ],
    "UserRole": [
        {"id": "ur1", "userId": "u1", "roleId": "r1", "createdAt": "2024-01-01T00:00:00Z"}
    ],
}


class Fuzz:
    """The server, a client and the data every example starts from."""

    def __init__(self, server: LocalServer, client: httpx.Client) -> None:
        self.server = server
        self.client = client
        self.db = server.database_id
        self.reseed()
        self.baseline = self.snapshot()

    def reseed(self) -> None:
        self.server.reset_data()
        storage = self.server._require_storage()
        with storage.writing() as writer:
            for table, items in SEED.items():
                entity = storage.schema.entity(table)
                assert entity is not None
                for item in items:
                    writer.put(entity, prepare(entity, item))

    def snapshot(self) -> Any:
        storage = self.server._require_storage()
        tables = {}
        for entity in storage.schema.entities.values():
            rows = storage.fetch(entity, None)
            tables[entity.name] = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
        documents = storage.read_meta("SELECT * FROM _onyx_document ORDER BY document_id")
        secrets = storage.read_meta("SELECT * FROM _onyx_secret ORDER BY key")
        return tables, documents, secrets

    def restore(self) -> None:
        """Back to the seed after an example that was allowed to write."""
        if self.snapshot() != self.baseline:
            storage = self.server._require_storage()
            storage.write_meta("DELETE FROM _onyx_document")
            storage.write_meta("DELETE FROM _onyx_secret")
            self.reseed()
            assert self.snapshot() == self.baseline

    def healthy(self) -> None:
        response = self.client.put(f"/data/{self.db}/query/count/AllTypes", json={})
        assert response.status_code == 200, response.text
        assert response.json() == len(SEED["AllTypes"])


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    data_dir: Path = tmp_path_factory.mktemp("onyx-fuzz")
    with LocalServer(data_dir, schema=copy.deepcopy(SCHEMA)) as server:
        headers = {"x-onyx-key": server.api_key, "x-onyx-secret": server.api_secret}
        with httpx.Client(base_url=server.url, headers=headers, timeout=20) as client:
            yield Fuzz(server, client)


def check_answer(response: httpx.Response) -> None:
    """Never a 5xx (501 "not implemented" is an honest 4xx-like refusal); errors are canonical."""
    assert response.status_code < 500 or response.status_code == 501, (
        response.status_code,
        response.text[:500],
    )
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]
        assert isinstance(body["error"]["code"], str)
        assert body["code"] == body["error"]["code"]
        assert body["message"] == body["error"]["message"]


def _is_batch(content: bytes | None) -> bool:
    try:
        return isinstance(json.loads(content or b"null"), list)
    except (ValueError, RecursionError):
        return False


def send(
    fuzz: Fuzz,
    method: str,
    path: str,
    *,
    content: bytes | None = None,
    params: Any = None,
    content_type: str = "application/json",
    write: bool = True,
) -> httpx.Response:
    """One fuzzed request with every check; ``write`` routes must not change data on 4xx."""
    before = fuzz.snapshot() if write else None
    response = fuzz.client.request(
        method, path, content=content, params=params, headers={"Content-Type": content_type}
    )
    check_answer(response)
    if write and response.status_code >= 400:
        after = fuzz.snapshot()
        if _is_batch(content):
            # A batch is applied in order without rollback (engine-semantics §7.1): the records
            # before the refused one stay saved. Nothing else may change, and nothing is lost.
            assert after[1:] == before[1:], (path, content, response.text)
            for table, rows in before[0].items():
                assert len(after[0][table]) >= len(rows), (path, content, response.text)
        else:
            assert after == before, (path, content, response.text)
    fuzz.restore()
    fuzz.healthy()
    return response


# -- strategies ------------------------------------------------------------------------------
huge_ints = st.one_of(
    st.integers(),
    st.sampled_from([2**63, 2**64, -(2**63) - 1, 10**30, -(10**400), 2**63 - 1, -(2**63)]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "2024-01-02T03:04:05Z",
            "NaN",
            "true",
            "1e400",
            "a1",
            "%",
            "\x00",
            "01/02/2024 10:11:12 AM +99:99",
            "0001-01-01T00:00:00+14:00",
            "[[[]]]",
        ]
    ),
)


def _deep(value: Any, depth: int, as_list: bool) -> Any:
    for _ in range(depth):
        value = [value] if as_list else {"k": value}
    return value


json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=20,
)
json_bodies = st.one_of(
    json_values,
    st.builds(_deep, json_values, st.integers(100, 200), st.booleans()),
)


def dump(value: Any) -> bytes:
    """JSON text as a careless client writes it: NaN, Infinity and huge integers included."""
    return json.dumps(value, allow_nan=True).encode()


field_names = st.one_of(
    st.sampled_from(ATTRIBUTES + RESOLVERS),
    st.sampled_from(
        [
            "__full_text__",
            "__score__",
            "*",
            "aEmbeddedList.0",
            "aEmbeddedList.\u00b2",
            "aEmbeddedObject.k.1",
            "aEmbeddedObject.",
            ".",
            "",
            "same.aString",
            "roles.name",
            "aInt.x",
        ]
    ),
    st.text(alphabet="aStringIdx._0123456789\u00b2", max_size=12),
    st.text(max_size=10),
)
operators = st.one_of(
    st.sampled_from(
        [
            "EQUAL",
            "NOT_EQUAL",
            "GREATER_THAN",
            "GREATER_THAN_EQUAL",
            "LESS_THAN",
            "LESS_THAN_EQUAL",
            "LIKE",
            "NOT_LIKE",
            "CONTAINS",
            "NOT_CONTAINS",
            "CONTAINS_IGNORE_CASE",
            "NOT_CONTAINS_IGNORE_CASE",
            "STARTS_WITH",
            "NOT_STARTS_WITH",
            "MATCHES",
            "NOT_MATCHES",
            "BETWEEN",
            "NOT_BETWEEN",
            "IN",
            "NOT_IN",
            "WITHIN",
            "NOT_WITHIN",
            "IS_NULL",
            "NOT_NULL",
            "SEARCH",
            "in",
            "between",
            "matches",
        ]
    ),
    st.text(max_size=10),
    st.integers(),
    st.none(),
)
function_text = st.builds(
    lambda name, inner, tail: f"{name}({inner}){tail}",
    st.sampled_from(
        [
            "count",
            "sum",
            "avg",
            "min",
            "max",
            "median",
            "std",
            "variance",
            "percentile",
            "upper",
            "lower",
            "substring",
            "replace",
            "format",
            "nope",
            "COUNT",
            "",
        ]
    ),
    st.text(alphabet="aIntStrg.,'\"()[]*$\\ 0123456789-e#%yMd", max_size=24),
    st.sampled_from(["", ")", "(", ",", " "]),
)
selections = st.one_of(field_names, function_text)
regexes = st.sampled_from(["(", "[a-", "a{99999999999}", "(?P<x>a)(?P=y)", "\\", "*", "(a*)*b"])


def _subquery(table: Any, body: Any) -> Any:
    return {"table": table, **body} if isinstance(body, dict) else {"table": table, "x": body}


criterion_values = st.one_of(
    json_values,
    regexes,
    st.lists(scalars, max_size=3),
    st.builds(_subquery, st.one_of(st.sampled_from(TABLES), json_values), json_values),
    st.fixed_dictionaries({"queryText": json_values}, optional={"minScore": json_values}),
    st.fixed_dictionaries({"from": scalars, "to": scalars}),
)
criteria = st.fixed_dictionaries(
    {},
    optional={"field": field_names, "operator": operators, "value": criterion_values},
)
conditions = st.recursive(
    st.one_of(
        st.fixed_dictionaries(
            {"criteria": st.one_of(criteria, json_values)},
            optional={"conditionType": st.sampled_from(["SingleCondition", "x", None])},
        ),
        json_values,
    ),
    lambda children: st.fixed_dictionaries(
        {"conditions": st.one_of(st.lists(children, max_size=3), json_values)},
        optional={
            "conditionType": st.sampled_from(["CompoundCondition", "SingleCondition", None]),
            "operator": st.one_of(st.sampled_from(["AND", "OR", "or", "XOR"]), json_values),
        },
    ),
    max_leaves=6,
)
sorts = st.one_of(
    st.lists(
        st.fixed_dictionaries(
            {"field": st.one_of(selections, json_values)},
            optional={"order": st.one_of(st.sampled_from(["ASC", "desc", "UP"]), json_values)},
        ),
        max_size=3,
    ),
    json_values,
)
string_lists = st.one_of(st.lists(selections, max_size=4), json_values)
limits = st.one_of(
    st.sampled_from([-1, 0, 1, 2**63 - 1, -(2**63), 10**30, "3", 1.5, True]), json_values
)
query_bodies = st.fixed_dictionaries(
    {},
    optional={
        "conditions": conditions,
        "fields": string_lists,
        "sort": sorts,
        "groupBy": string_lists,
        "limit": limits,
        "resolvers": st.one_of(
            st.lists(st.sampled_from([*RESOLVERS, "x", "same.same", "loop.loop", ""]), max_size=3),
            json_values,
        ),
        "partition": json_values,
        "distinct": json_values,
        "table": st.one_of(st.sampled_from(TABLES), json_values),
        "updates": st.one_of(st.dictionaries(field_names, json_values, max_size=3), json_values),
        "type": json_values,
    },
)
query_tables = st.sampled_from(["AllTypes", "Parted", "User", "Role", "UserRole", "ALL", "Nope"])
punctuation_text = st.text(alphabet="abUserRol:()%,.[]2C0 +&=#?/\\'\"idsame", max_size=30)
query_strings = st.dictionaries(
    st.sampled_from(
        [
            "pageSize",
            "nextPage",
            "partition",
            "relationships",
            "resolvers",
            "publish",
            "tables",
            "includeQueryResults",
            "x",
        ]
    ),
    st.one_of(
        punctuation_text,
        st.text(max_size=20),
        st.sampled_from(["0", "-1", "1001", "1e3", "99999999999999999999", "A" * 80, "AAAA"]),
    ),
    max_size=4,
)


def _queries(fuzz: Fuzz, table: str) -> list[tuple[str, str, bool]]:
    base = f"/data/{fuzz.db}/query"
    return [
        ("PUT", f"{base}/{table}", False),
        ("PUT", f"{base}/count/{table}", False),
        ("PUT", f"{base}/update/{table}", True),
        ("PUT", f"{base}/delete/{table}", True),
    ]


# -- the fuzz tests ----------------------------------------------------------------------------
@FUZZ
@given(body=json_bodies, table=query_tables, route=st.integers(0, 11))
def test_random_json_on_every_write_route(fuzz: Fuzz, body: Any, table: str, route: int) -> None:
    db = fuzz.db
    routes = [
        *_queries(fuzz, table),
        ("PUT", f"/data/{db}/{table}", True),
        ("POST", f"/data/{db}/{table}", True),
        ("PUT", f"/data/{db}/query/stream/{table}", False),
        ("PUT", f"/schemas/{db}", True),
        ("POST", f"/schemas/{db}/validate", True),
        ("PUT", f"/data/{db}/document", True),
        ("POST", f"/database/{db}/secret", True),
        ("PUT", f"/database/{db}/secret/k", True),
    ]
    method, path, write = routes[route]
    params = {"keepAlive": "false"} if "/stream/" in path else None
    send(fuzz, method, path, content=dump(body), params=params, write=write)


@FUZZ
@given(body=query_bodies, table=query_tables, route=st.integers(0, 4), params=query_strings)
def test_wrong_query_bodies(
    fuzz: Fuzz, body: dict[str, Any], table: str, route: int, params: dict[str, str]
) -> None:
    routes = _queries(fuzz, table)
    routes.append(("PUT", f"/data/{fuzz.db}/query/stream/{table}", False))
    method, path, write = routes[route]
    if "/stream/" in path:
        params = {**params, "keepAlive": "false"}
    send(fuzz, method, path, content=dump(body), params=params, write=write)


@FUZZ
@given(
    item=st.one_of(
        st.dictionaries(
            st.sampled_from([*ATTRIBUTES, *RESOLVERS, "x"]), json_values, min_size=1, max_size=6
        ),
        st.lists(st.dictionaries(st.sampled_from(ATTRIBUTES), json_values, max_size=4), max_size=3),
    ),
    table=st.sampled_from(["AllTypes", "Parted", "User", "UserRole", "Nope"]),
    relationships=st.one_of(
        punctuation_text,
        st.sampled_from(
            [
                "same:AllTypes(aString, aString)",
                "roles:Role(id, id)",
                "x:Nope(a, b)",
                "userRoles:UserRole(userId, id)",
                "userRoles%3AUserRole(userId%2C%20id)",
            ]
        ),
    ),
    insert=st.booleans(),
)
def test_random_saves_and_cascades(
    fuzz: Fuzz, item: Any, table: str, relationships: str, insert: bool
) -> None:
    method = "POST" if insert else "PUT"
    params = {"relationships": relationships} if relationships else None
    send(fuzz, method, f"/data/{fuzz.db}/{table}", content=dump(item), params=params)


@FUZZ
@given(
    table=st.sampled_from(["AllTypes", "Parted", "User", "Nope", ""]),
    key=st.one_of(st.text(max_size=12), st.sampled_from(["a1", "a%2F1", "1", "+", "%", "..", ""])),
    params=query_strings,
    delete=st.booleans(),
)
def test_random_find_and_delete(
    fuzz: Fuzz, table: str, key: str, params: dict[str, str], delete: bool
) -> None:
    path = f"/data/{fuzz.db}/{table}/{quote(key, safe='%+')}"
    send(fuzz, "DELETE" if delete else "GET", path, params=params, write=delete)


segments = st.one_of(
    st.sampled_from(
        [
            "data",
            "query",
            "count",
            "stream",
            "document",
            "secret",
            "schemas",
            "database",
            "AllTypes",
            "..",
            ".",
            "",
            "%",
            "%zz",
            "%00",
            "%2F",
            "%C3%28",
            "%FF",
            "\u00e9",
            "?",
        ]
    ),
    st.text(alphabet="ab%2F./?#;", max_size=6),
)


def raw_request(fuzz: Fuzz, method: str, target: str, body: bytes = b"") -> tuple[int, bytes]:
    """A request with a request target that no HTTP client would normalize."""
    host, port = urlsplit(fuzz.server.url).hostname, urlsplit(fuzz.server.url).port
    assert host is not None and port is not None
    head = (
        f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
        f"x-onyx-key: {fuzz.server.api_key}\r\nx-onyx-secret: {fuzz.server.api_secret}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=20) as sock:
        sock.sendall(head.encode("utf-8") + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    status = int(raw.split(b" ", 2)[1])
    return status, raw.split(b"\r\n\r\n", 1)[1]


@FUZZ
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE", "PATCH"]),
    parts=st.lists(segments, max_size=6),
    use_db=st.booleans(),
    query=st.text(alphabet="a=&%;+?#/pageSizextPrtion0", max_size=20),
)
def test_random_paths(fuzz: Fuzz, method: str, parts: list[str], use_db: bool, query: str) -> None:
    if use_db and len(parts) > 1:
        parts[1] = fuzz.db
    target = "/" + "/".join(quote(p, safe="%/.?#;") for p in parts)
    if query:
        target += "?" + query.replace("#", "%23")
    target = target.replace("#", "%23")
    if "keepAlive" in target or "stream" in target:
        target += ("&" if "?" in target else "?") + "keepAlive=false"
    before = fuzz.snapshot()
    status, body = raw_request(fuzz, method, target, b"{}" if method in ("PUT", "POST") else b"")
    assert status < 500 or status == 501, (target, body[:300])
    if status >= 400:
        error = json.loads(body)
        assert error["error"]["message"] and error["code"] == error["error"]["code"]
        assert fuzz.snapshot() == before
    fuzz.restore()
    fuzz.healthy()


msgpack_values = st.recursive(
    st.one_of(
        scalars.filter(lambda v: not isinstance(v, int) or -(2**63) <= v < 2**64),
        st.binary(max_size=8),
        st.builds(msgpack.ExtType, st.integers(0, 127), st.binary(max_size=8)),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=5), st.integers(-5, 5), st.binary(max_size=3)),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@FUZZ
@given(
    payload=st.one_of(
        st.binary(max_size=64),
        msgpack_values.map(lambda v: msgpack.packb(v, use_bin_type=True, strict_types=False)),
        msgpack_values.map(lambda v: msgpack.packb(v, use_bin_type=False)),
    ),
    route=st.integers(0, 5),
    table=st.sampled_from(["AllTypes", "User"]),
)
def test_random_msgpack(fuzz: Fuzz, payload: bytes, route: int, table: str) -> None:
    db = fuzz.db
    method, path = [
        ("PUT", f"/data/{db}/{table}"),
        ("POST", f"/data/{db}/{table}"),
        ("PUT", f"/data/{db}/query/{table}"),
        ("PUT", f"/data/{db}/query/update/{table}"),
        ("PUT", f"/data/{db}/query/delete/{table}"),
        ("PUT", f"/schemas/{db}"),
    ][route]
    send(fuzz, method, path, content=payload, content_type=MSGPACK)


def _mutate(doc: dict[str, Any], entity: int, key: str, value: Any) -> dict[str, Any]:
    mutated = copy.deepcopy(doc)
    target = mutated["entities"][entity % len(mutated["entities"])]
    if key.startswith("attr."):
        attributes = target["attributes"]
        attributes[len(attributes) // 2][key[5:]] = value
    elif key.startswith("identifier."):
        target["identifier"][key[11:]] = value
    else:
        target[key] = value
    return mutated


@FUZZ
@given(
    entity=st.integers(0, 20),
    key=st.sampled_from(
        [
            "name",
            "partition",
            "type",
            "attributes",
            "indexes",
            "resolvers",
            "identifier",
            "attr.type",
            "attr.name",
            "attr.isNullable",
            "identifier.name",
            "identifier.type",
            "identifier.generator",
            "x",
        ]
    ),
    value=st.one_of(
        json_values,
        st.sampled_from(TYPES + ATTRIBUTES + ["Sequence", "UUID", "SEARCHABLE"]),
        st.lists(
            st.fixed_dictionaries(
                {"name": st.one_of(st.sampled_from(RESOLVERS), json_values)},
                optional={"resolver": st.one_of(punctuation_text, json_values)},
            ),
            max_size=2,
        ),
    ),
)
def test_plausible_wrong_schemas_are_not_published(
    fuzz: Fuzz, entity: int, key: str, value: Any
) -> None:
    doc = _mutate(SCHEMA, entity, key, value)
    path = f"/schemas/{fuzz.db}"
    response = send(fuzz, "POST", f"{path}/validate", content=dump(doc), write=False)
    if response.status_code == 200:
        return  # a harmless change: publishing it would only churn the tables
    send(fuzz, "PUT", path, content=dump(doc), params={"publish": "true"})


# -- regressions found by the fuzz tests ------------------------------------------------------
def _query(fuzz: Fuzz, body: Any, route: str = "") -> httpx.Response:
    before = fuzz.snapshot()
    response = fuzz.client.put(f"/data/{fuzz.db}/query/{route}AllTypes", content=dump(body))
    check_answer(response)
    if response.status_code >= 400:
        assert fuzz.snapshot() == before
    return response


@pytest.mark.parametrize(
    ("key", "value"),
    [("name", []), ("partition", []), ("attr.type", ["Int"]), ("identifier.name", {}),
     ("indexes", [{"name": [], "type": "DEFAULT"}]), ("type", [])],
)  # fmt: skip
def test_unhashable_schema_values_are_400(fuzz: Fuzz, key: str, value: Any) -> None:
    """Lists or objects where the schema wants a name were a 500 (``unhashable type``)."""
    doc = _mutate(SCHEMA, 0, key, value)
    for method, suffix, params in (("POST", "/validate", {}), ("PUT", "", {"publish": "true"})):
        response = fuzz.client.request(
            method, f"/schemas/{fuzz.db}{suffix}", content=dump(doc), params=params
        )
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "INVALID_SCHEMA"
    assert fuzz.snapshot() == fuzz.baseline


@pytest.mark.parametrize("field", ["aEmbeddedList.\u00b2", "aEmbeddedList." + "9" * 5000])
def test_list_index_that_int_cannot_read_is_no_match(fuzz: Fuzz, field: str) -> None:
    """A unicode digit or a 5000-digit index into an embedded list was a 500 from ``int()``."""
    body = {"conditions": {"criteria": {"field": field, "operator": "EQUAL", "value": 1}}}
    response = _query(fuzz, body)
    assert response.status_code == 200
    assert response.json()["records"] == []


def test_update_with_too_deep_embedded_json_text_is_400(fuzz: Fuzz) -> None:
    """JSON text for an embedded attribute skipped the body limits and failed on storing."""
    text = "[" * 1000 + "]" * 1000
    response = _query(fuzz, {"updates": {"aEmbeddedObject": text}}, "update/")
    assert response.status_code == 400
    assert "deeper" in response.json()["message"]


@pytest.mark.parametrize(
    "moment",
    ["01/02/2024 10:11:12 AM +99:99", "Wed Aug 27 04:56:33 GMT+25:00 2025",
     "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"],
)  # fmt: skip
def test_timestamps_outside_the_calendar_are_422(fuzz: Fuzz, moment: str) -> None:
    """Zone offsets of a day or more, and dates that leave years 1-9999 in UTC, were a 500."""
    before = fuzz.snapshot()
    response = fuzz.client.put(f"/data/{fuzz.db}/AllTypes", json={"id": "t", "aTimestamp": moment})
    check_answer(response)
    assert response.status_code == 422
    assert fuzz.snapshot() == before
    where = {"field": "aTimestamp", "operator": "EQUAL", "value": moment}
    assert _query(fuzz, {"conditions": {"criteria": where}}).status_code == 200


def test_replace_group_reference_with_huge_number_is_400(fuzz: Fuzz) -> None:
    """``$`` followed by 5000 digits in a replace() replacement was a 500 from ``int()``."""
    response = _query(fuzz, {"fields": ["replace(aString, a, $" + "9" * 5000 + ")"]})
    assert response.status_code == 400
    assert "No group" in response.json()["message"]


def test_aggregates_that_overflow_are_answered(fuzz: Fuzz) -> None:
    """Sums past year 9999, past 64 bits or past the largest double were 500s."""
    rows = [
        {"id": f"o{i}", "aTimestamp": 253402300799999, "aLong": 2**63 - 1, "aDouble": 1.7e308}
        for i in range(3)
    ]
    try:
        assert fuzz.client.put(f"/data/{fuzz.db}/AllTypes", json=rows).status_code == 200
        fields = ["sum(aTimestamp)", "sum(aLong)", "avg(aLong)", "sum(aDouble)", "std(aDouble)"]
        body = {"fields": fields, "conditions": {"criteria": {
            "field": "id", "operator": "STARTS_WITH", "value": "o"}}}  # fmt: skip
        response = _query(fuzz, body)
        assert response.status_code == 200, response.text
        (row,) = response.json()["records"]
        assert row["sum(aTimestamp)"] == 3 * 253402300799999
        assert row["sum(aLong)"] == pytest.approx(3 * (2**63 - 1))
        assert row["avg(aLong)"] == pytest.approx(2**63)
        assert row["sum(aDouble)"] is None  # infinity is not JSON
    finally:
        fuzz.restore()
