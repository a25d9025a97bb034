"""Exact requests of the schema, secrets, documents, cascade and AI APIs (httpx.MockTransport
records what the client sends; the server side is tested against Onyx Local elsewhere)."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import onyx_database
from onyx_database import (
    CascadeRelationshipBuilder,
    Document,
    OnyxDatabase,
    OnyxDecodeError,
    OnyxNotFoundError,
    OnyxUsageError,
    ResolvedConfig,
)

from .conftest import SECRET

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self, handler: Handler | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.handler = handler or (lambda request: httpx.Response(200, json={"ok": True}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.handler(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def make_db(config: ResolvedConfig, recorder: Recorder, **changes: Any) -> OnyxDatabase:
    return onyx_database.init(
        config=dataclasses.replace(config, **changes), transport=httpx.MockTransport(recorder)
    )


def target(request: httpx.Request) -> str:
    return f"{request.method} {request.url.raw_path.decode()}"


SCHEMA = {
    "databaseId": "someone-else",
    "revisionDescription": "r1",
    "entityText": "generated",
    "entities": [
        {
            "name": "User",
            "entityText": "class User",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "attributes": [{"name": "id", "type": "String"}],
            "x-extension": {"kept": True},
        }
    ],
}
SENT_SCHEMA = {
    "databaseId": "db-1",
    "revisionDescription": "r1",
    "entities": [
        {
            "name": "User",
            "identifier": {"name": "id", "generator": "None", "type": "String"},
            "attributes": [{"name": "id", "type": "String"}],
            "x-extension": {"kept": True},
        }
    ],
}


# -- schema ------------------------------------------------------------------------------------


def test_schema_requests(config: ResolvedConfig) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=SCHEMA))
    # schema routes always speak JSON, even in msgpack mode
    with make_db(config, recorder, wire_format="msgpack") as db:
        assert db.get_schema() == {**SENT_SCHEMA, "databaseId": "someone-else"}
        db.get_schema(tables=["User", " Role "])
        db.get_schema(tables="User,Role")
        db.update_schema(SCHEMA)
        db.update_schema(SCHEMA, publish=True)
        db.validate_schema(SCHEMA)
    assert [target(r) for r in recorder.requests] == [
        "GET /schemas/db-1",
        "GET /schemas/db-1?tables=User%2CRole",
        "GET /schemas/db-1?tables=User%2CRole",
        "PUT /schemas/db-1",
        "PUT /schemas/db-1?publish=true",
        "POST /schemas/db-1/validate",
    ]
    for index in (3, 4, 5):
        assert recorder.body(index) == SENT_SCHEMA
        assert recorder.requests[index].headers["content-type"] == "application/json"
    assert recorder.requests[0].headers["accept"] == "application/json"
    assert SCHEMA["entityText"] == "generated"  # the caller's document is not modified


def test_schema_history_strips_entity_text(config: ResolvedConfig) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=[SCHEMA, SCHEMA]))
    with make_db(config, recorder) as db:
        history = db.get_schema_history()
    assert target(recorder.last) == "GET /schemas/history/db-1"
    assert all("entityText" not in json.dumps(revision) for revision in history)


def test_validate_schema_reports_invalid_as_a_result(config: ResolvedConfig) -> None:
    invalid = {"valid": False, "errors": [{"message": "entity needs a name"}]}
    recorder = Recorder(lambda request: httpx.Response(400, json=invalid))
    with make_db(config, recorder) as db:
        assert db.validate_schema({"entities": [{}]}) == invalid
    recorder.handler = lambda request: httpx.Response(200, json={"schema": SCHEMA})
    with make_db(config, recorder) as db:
        result = db.validate_schema({"entities": []})
    assert result["valid"] is True and result["errors"] == []
    assert "entityText" not in json.dumps(result)
    recorder.handler = lambda request: httpx.Response(400, json={"error": "bad"})
    with make_db(config, recorder) as db, pytest.raises(onyx_database.OnyxClientError):
        db.validate_schema({"entities": []})


@pytest.mark.parametrize("schema", [None, [], {"entities": "User"}, {"tables": []}])
def test_bad_schema_arguments_fail_before_sending(config: ResolvedConfig, schema: Any) -> None:
    recorder = Recorder()
    with make_db(config, recorder) as db:
        with pytest.raises(OnyxUsageError):
            db.update_schema(schema)
        with pytest.raises(OnyxUsageError):
            db.validate_schema(schema)
    assert recorder.requests == []


def test_diff_schema_uses_the_shared_diff(config: ResolvedConfig, tmp_path: Any) -> None:
    from onyx_database import SchemaDiff

    recorder = Recorder(lambda request: httpx.Response(200, json=SCHEMA))
    local = json.loads(json.dumps(SENT_SCHEMA))
    local["entities"][0]["attributes"].append({"name": "email", "type": "String"})
    local["entities"].append({"name": "Role", "attributes": []})
    path = tmp_path / "onyx.schema.json"
    path.write_text(json.dumps(local))
    with make_db(config, recorder) as db:
        diff = db.diff_schema(local)
        assert isinstance(diff, SchemaDiff)
        assert diff.added_tables == ["Role"]
        assert diff.changed_tables[0].name == "User"
        assert db.diff_schema(path) == diff
        assert db.diff_schema(str(path)) == diff
        assert not db.diff_schema(SCHEMA)
        with pytest.raises(OnyxUsageError):
            db.diff_schema(tmp_path / "missing.json")
    assert {target(r) for r in recorder.requests} == {"GET /schemas/db-1"}


# -- secrets -----------------------------------------------------------------------------------


def test_secret_requests(config: ResolvedConfig) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/secret"):
            return httpx.Response(200, json={"records": [{"key": "a"}], "meta": {}})
        return httpx.Response(200, json={"key": "a b/c"})

    recorder = Recorder(handler)
    with make_db(config, recorder, wire_format="msgpack") as db:
        assert db.list_secrets() == [{"key": "a"}]
        db.get_secret("a b/c")
        db.put_secret("a b/c", "v1")
        db.put_secret("a b/c", "v2", purpose="payments")
        db.put_secret("a b/c", {"value": "v3", "purpose": "official form"})
        assert db.delete_secret("a b/c") is True
    assert [target(r) for r in recorder.requests] == [
        "GET /database/db-1/secret",
        "GET /database/db-1/secret/a%20b%2Fc",
        "PUT /database/db-1/secret/a%20b%2Fc",
        "PUT /database/db-1/secret/a%20b%2Fc",
        "PUT /database/db-1/secret/a%20b%2Fc",
        "DELETE /database/db-1/secret/a%20b%2Fc",
    ]
    assert recorder.body(2) == {"value": "v1"}
    assert recorder.body(3) == {"value": "v2", "purpose": "payments"}
    assert recorder.body(4) == {"value": "v3", "purpose": "official form"}


@pytest.mark.parametrize(
    "body", [{"data": [{"key": "a"}]}, [{"key": "a"}], {"records": [{"key": "a"}]}]
)
def test_secret_list_shapes(config: ResolvedConfig, body: Any) -> None:
    with make_db(config, Recorder(lambda r: httpx.Response(200, json=body))) as db:
        assert db.list_secrets() == [{"key": "a"}]


def test_secret_values_never_reach_logs_or_errors(
    config: ResolvedConfig, caplog: pytest.LogCaptureFixture
) -> None:
    value = "sk_live_value_9f8e7d6c"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(400, json={"error": {"message": f"rejected {value}"}})
        return httpx.Response(200, json={"key": "k", "value": value})

    recorder = Recorder(handler)
    caplog.set_level(logging.INFO, logger="onyx_database")
    with make_db(config, recorder, debug=True) as db:
        assert db.get_secret("k")["value"] == value
        with pytest.raises(onyx_database.OnyxClientError) as info:
            db.put_secret("k", value)
    assert value not in str(info.value)
    assert value not in repr(info.value.body) and info.value.body is None
    assert "[REDACTED]" in str(info.value)
    assert caplog.records, "debug logging is on"
    assert value not in caplog.text
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    "call",
    [
        lambda db: db.put_secret("", "v"),
        lambda db: db.put_secret("k", 5),
        lambda db: db.put_secret("k", {"value": "v", "other": 1}),
        lambda db: db.put_secret("k", {"purpose": "p"}),
        lambda db: db.put_secret("k", "v", purpose=3),
        lambda db: db.get_secret(None),
    ],
)
def test_bad_secret_arguments(config: ResolvedConfig, call: Any) -> None:
    with make_db(config, Recorder()) as db, pytest.raises(OnyxUsageError) as info:
        call(db)
    assert "'v'" not in str(info.value)


# -- documents ---------------------------------------------------------------------------------

PNG = bytes(range(256)) * 3


def test_save_document_forms(config: ResolvedConfig) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"documentId": "logo.png"}))
    with make_db(config, recorder, wire_format="msgpack") as db:
        db.save_document(document_id="logo.png", content=PNG, mime_type="image/png")
        db.save_document(
            {"documentId": "a.txt", "path": "/docs/a.txt", "content": "aGk="},
            mimeType="text/plain",
        )
        db.save_document({"documentId": "b", "content": bytearray(b"\x00\xff")})
    assert {target(r) for r in recorder.requests} == {"PUT /data/db-1/document"}
    assert recorder.requests[0].headers["content-type"] == "application/json"
    assert recorder.body(0) == {
        "documentId": "logo.png",
        "content": base64.b64encode(PNG).decode(),
        "mimeType": "image/png",
    }
    assert recorder.body(1) == {
        "documentId": "a.txt",
        "path": "/docs/a.txt",
        "content": "aGk=",
        "mimeType": "text/plain",
    }
    assert recorder.body(2)["content"] == "AP8="


@pytest.mark.parametrize(
    "call",
    [
        lambda db: db.save_document(content=b"x"),
        lambda db: db.save_document(document_id="a", content=5),
        lambda db: db.save_document(document_id="a", colour="red"),
        lambda db: db.save_document(["a"]),
        lambda db: db.get_document(""),
        lambda db: db.get_document("a", width=0),
        lambda db: db.get_document("a", height=True),
        lambda db: db.delete_document(None),
    ],
)
def test_bad_document_arguments(config: ResolvedConfig, call: Any) -> None:
    recorder = Recorder()
    with make_db(config, recorder) as db, pytest.raises(OnyxUsageError):
        call(db)
    assert recorder.requests == []


def test_get_document_json_and_raw_bytes(config: ResolvedConfig) -> None:
    document = {
        "documentId": "logo.png",
        "path": "/brand/logo.png",
        "mimeType": "image/png",
        "content": base64.b64encode(PNG).decode(),
        "created": "2025-09-04T18:08:18.345Z",
    }
    recorder = Recorder(lambda request: httpx.Response(200, json=document))
    with make_db(config, recorder) as db:
        doc = db.get_document("logo.png", width=128, height=64)
        assert isinstance(doc, Document)
        assert doc.data == PNG
        assert (doc.mime_type, doc.path, doc.created) == (
            "image/png",
            "/brand/logo.png",
            "2025-09-04T18:08:18.345Z",
        )
        assert doc.raw == document
        assert target(recorder.last) == "GET /data/db-1/document/logo.png?width=128&height=64"
        recorder.handler = lambda r: httpx.Response(
            200, content=PNG, headers={"content-type": "image/png"}
        )
        raw = db.get_document("logo.png")
        assert (raw.data, raw.mime_type, raw.document_id) == (PNG, "image/png", "logo.png")
        recorder.handler = lambda r: httpx.Response(200, json={"content": "!!not base64!!"})
        with pytest.raises(OnyxDecodeError):
            db.get_document("logo.png")
        recorder.handler = lambda r: httpx.Response(404, json={"error": "no document"})
        with pytest.raises(OnyxNotFoundError):
            db.get_document("logo.png")
        recorder.handler = lambda r: httpx.Response(200, json=True)
        assert db.delete_document("a/b") is True
        assert target(recorder.last) == "DELETE /data/db-1/document/a%2Fb"


# -- cascade -----------------------------------------------------------------------------------

CANONICAL = "userRoles%3AUserRole%28userId%2C%20id%29"


def test_cascade_save_and_delete_wire(config: ResolvedConfig) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"id": "u1"}))
    with make_db(config, recorder) as db:
        writer = db.cascade("userRoles:UserRole(userId,id)")
        assert writer.relationships == ("userRoles:UserRole(userId, id)",)
        writer.save("User", {"id": "u1", "userRoles": [{"roleId": "r1"}]})
        spec = (
            db.cascade_builder()
            .graph("userRoles")
            .graph_type("UserRole")
            .target_field("userId")
            .source_field("id")
        )
        db.cascade(spec, "rolePermissions").save("User", [{"id": "u1"}])
        db.save("User", {"id": "u1"}, relationships=[spec])
        assert db.cascade("rolePermissions").delete("Role", "r1") is True
        graph = db.cascade("rolePermissions").delete("Role", "r1", return_graph=True)
        assert graph == {"id": "u1"}
        assert db.delete("Role", "r1", relationships="rolePermissions", return_graph=True) == {
            "id": "u1"
        }
        assert db.delete("Role", "r1") is True
    assert [target(r) for r in recorder.requests] == [
        f"PUT /data/db-1/User?relationships={CANONICAL}",
        f"PUT /data/db-1/User?relationships={CANONICAL}%2CrolePermissions",
        f"PUT /data/db-1/User?relationships={CANONICAL}",
        "DELETE /data/db-1/Role/r1?relationships=rolePermissions",
        "DELETE /data/db-1/Role/r1?relationships=rolePermissions",
        "DELETE /data/db-1/Role/r1?relationships=rolePermissions",
        "DELETE /data/db-1/Role/r1",
    ]
    prefer = [r.headers.get("prefer") for r in recorder.requests]
    rep = "return=representation"
    assert prefer == [None, None, None, None, rep, rep, None]
    assert recorder.body(0) == {"id": "u1", "userRoles": [{"roleId": "r1"}]}


def test_cascade_string_with_several_specs() -> None:
    from onyx_database._cascade import cascade_specs

    assert cascade_specs("a:B(c, d), e:F(g,h),resolverName, x.y") == (
        "a:B(c, d)",
        "e:F(g, h)",
        "resolverName",
        "x.y",
    )


@pytest.mark.parametrize(
    "spec",
    ["userRoles:UserRole(userId)", "a:B(c, d", "a b", "a:B(c, d) extra", "", " , ", "1a:B(c,d)"],
)
def test_bad_cascade_specs_fail_at_build_time(config: ResolvedConfig, spec: str) -> None:
    recorder = Recorder()
    with make_db(config, recorder) as db:
        with pytest.raises(OnyxUsageError):
            db.cascade(spec)
        with pytest.raises(OnyxUsageError):
            db.save("User", {"id": "u1"}, relationships=[spec])
    assert recorder.requests == []


def test_cascade_builder_validates_parts_and_is_immutable() -> None:
    base = CascadeRelationshipBuilder().graph("permissions")
    full = base.graph_type("Permission").target_field("roleId").source_field("id")
    assert str(full) == full.build() == "permissions:Permission(roleId, id)"
    assert base.type_name is None
    with pytest.raises(OnyxUsageError, match="graph_type, target_field, source_field"):
        base.build()
    for call in (
        lambda: base.graph("bad name"),
        lambda: base.graph_type(""),
        lambda: base.target_field("a.b"),
        lambda: base.source_field(None),
    ):
        with pytest.raises(OnyxUsageError):
            call()
    with pytest.raises(OnyxUsageError):
        onyx_database._cascade.cascade_specs([base])
    with pytest.raises(OnyxUsageError):
        onyx_database._cascade.cascade_specs([3])  # type: ignore[list-item]


# -- AI ----------------------------------------------------------------------------------------


def test_ai_requests_go_to_the_ai_base_url(config: ResolvedConfig) -> None:
    completion = {"choices": [{"message": {"role": "assistant", "content": "Hello!"}}]}
    recorder = Recorder(lambda request: httpx.Response(200, json=completion))
    with make_db(config, recorder, ai_base_url="http://ai.test/", default_model="onyx-x") as db:
        assert db.chat("Hi") == "Hello!"
        db.ai.chat([{"role": "system", "content": "Be brief"}], model="m2", temperature=0.2)
        db.ai.chat("Hi", database_id="other-db")
        db.get_models()
        db.ai.get_model("m/1")
        db.request_script_approval("db.save({})")
    assert [str(r.url) for r in recorder.requests] == [
        "http://ai.test/v1/chat/completions?databaseId=db-1",
        "http://ai.test/v1/chat/completions?databaseId=db-1",
        "http://ai.test/v1/chat/completions?databaseId=other-db",
        "http://ai.test/v1/models",
        "http://ai.test/v1/models/m%2F1",
        "http://ai.test/api/script-approvals",
    ]
    assert recorder.body(0) == {
        "model": "onyx-x",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": False,
    }
    assert recorder.body(1) == {
        "model": "m2",
        "messages": [{"role": "system", "content": "Be brief"}],
        "stream": False,
        "temperature": 0.2,
    }
    assert recorder.body(5) == {"script": "db.save({})"}
    assert all(r.headers["x-onyx-secret"] == SECRET for r in recorder.requests)


@pytest.mark.parametrize(
    "completion",
    [{}, {"choices": []}, {"choices": [{"message": {"content": "  "}}]}, [1]],
)
def test_chat_shorthand_needs_content(config: ResolvedConfig, completion: Any) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=completion))
    with make_db(config, recorder) as db, pytest.raises(OnyxDecodeError, match="no message"):
        db.chat("Hi")


@pytest.mark.parametrize(
    "call",
    [
        lambda db: db.ai.chat(""),
        lambda db: db.ai.chat([]),
        lambda db: db.ai.chat([{"content": "no role"}]),
        lambda db: db.ai.chat(["text"]),
        lambda db: db.ai.chat("Hi", model=""),
        lambda db: db.ai.chat("Hi", messages=[]),
        lambda db: db.ai.get_model(""),
        lambda db: db.ai.request_script_approval(" "),
    ],
)
def test_bad_ai_arguments(config: ResolvedConfig, call: Any) -> None:
    recorder = Recorder()
    with make_db(config, recorder) as db, pytest.raises(OnyxUsageError):
        call(db)
    assert recorder.requests == []


def test_sse_line_parser() -> None:
    from onyx_database._ai import SSE_DONE, parse_sse_line

    assert parse_sse_line('data: {"a": 1}') == {"a": 1}
    assert parse_sse_line('data:{"a": 1}\r\n') == {"a": 1}
    assert parse_sse_line("data: [DONE]") is SSE_DONE
    for line in ("", ": comment", "event: message", "id: 4", "data: "):
        assert parse_sse_line(line) is None
    with pytest.raises(OnyxDecodeError, match="bad JSON"):
        parse_sse_line("data: {oops")
    with pytest.raises(OnyxDecodeError, match="JSON object"):
        parse_sse_line("data: [1, 2]")


def test_a_secret_request_hides_its_body_in_repr() -> None:
    from onyx_database._data_apis import put_secret_request

    request = put_secret_request("db", "k", "sk_live_hidden")
    assert "sk_live_hidden" not in repr(request)
    assert "<redacted>" in repr(request)


def test_cascade_writers_are_immutable(config: ResolvedConfig) -> None:
    with make_db(config, Recorder()) as db:
        first = db.cascade("userRoles:UserRole(userId, id)")
        second = first.cascade("rolePermissions")
        assert first.relationships == ("userRoles:UserRole(userId, id)",)
        assert second.relationships == ("userRoles:UserRole(userId, id)", "rolePermissions")
