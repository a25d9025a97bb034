"""Schema, secrets and documents: requests and answers as data (no I/O).

These routes always speak JSON, whatever the configured wire format. Schema bodies are normalised
the way every official SDK does it (``entityText`` stripped, ``databaseId`` forced to the client's
database); secret requests are marked sensitive, so their bodies never reach a log line or an
error message; document content travels as base64 and comes back as the exact bytes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field

from ._built import built
from ._codec import decode_body
from ._errors import OnyxDecodeError, OnyxUsageError
from ._request import RawResponse, Request
from ._serialize import to_wire

__all__ = [
    "Document",
    "delete_document_request",
    "delete_secret_request",
    "document_body",
    "get_document_request",
    "get_secret_request",
    "list_secrets_request",
    "parse_document",
    "parse_secret_list",
    "put_secret_request",
    "save_document_request",
    "schema_body",
    "schema_history_request",
    "schema_request",
    "strip_entity_text",
    "update_schema_request",
    "validate_schema_request",
]


# -- schema ------------------------------------------------------------------------------------


def strip_entity_text(value: Any) -> Any:
    """``value`` without the server-generated ``entityText`` (top level and on each entity).

    >>> strip_entity_text({"entityText": "x", "entities": [{"name": "U", "entityText": "y"}]})
    {'entities': [{'name': 'U'}]}
    """
    if isinstance(value, list):
        return [strip_entity_text(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: item for key, item in value.items() if key != "entityText"}
    entities = out.get("entities")
    if isinstance(entities, list):
        out["entities"] = [
            {k: v for k, v in entity.items() if k != "entityText"}
            if isinstance(entity, dict)
            else entity
            for entity in entities
        ]
    return out


def schema_body(database_id: str, schema: Any) -> dict[str, Any]:
    """The upsert body for ``schema``: a copy with ``entityText`` stripped and ``databaseId`` set.

    >>> schema_body("db1", {"databaseId": "other", "entities": []})
    {'databaseId': 'db1', 'entities': []}
    """
    if not isinstance(schema, Mapping):
        raise OnyxUsageError(f"a schema is a mapping with 'entities', got {type(schema).__name__}")
    if not isinstance(schema.get("entities"), list):
        raise OnyxUsageError("a schema needs an 'entities' list")
    body: dict[str, Any] = strip_entity_text(to_wire(dict(schema), "schema"))
    body["databaseId"] = database_id
    return body


def _tables(tables: Sequence[str] | str | None) -> str | None:
    if tables is None:
        return None
    items = [tables] if isinstance(tables, str) else list(tables)
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise OnyxUsageError(f"tables must be names, got {item!r}")
        names.extend(part.strip() for part in item.split(",") if part.strip())
    return ",".join(names) or None


def schema_request(database_id: str, tables: Sequence[str] | str | None = None) -> Request:
    """``GET /schemas/{db}[?tables=A,B]``."""
    names = _tables(tables)
    return Request(
        "GET",
        ("schemas", database_id),
        (("tables", names),) if names else (),
        idempotent=True,
        negotiated=False,
    )


def schema_history_request(database_id: str) -> Request:
    """``GET /schemas/history/{db}``."""
    return Request("GET", ("schemas", "history", database_id), idempotent=True, negotiated=False)


def validate_schema_request(database_id: str, schema: Any) -> Request:
    """``POST /schemas/{db}/validate``: read-only, so it may be retried."""
    return Request(
        "POST",
        ("schemas", database_id, "validate"),
        body=schema_body(database_id, schema),
        idempotent=True,
        negotiated=False,
    )


def update_schema_request(
    database_id: str, schema: Any, *, publish: bool, allow_data_loss: bool = False
) -> Request:
    """``PUT /schemas/{db}[?publish=true][&allowDataLoss=true]``."""
    if not isinstance(publish, bool):
        raise OnyxUsageError(f"publish must be a bool, got {publish!r}")
    if not isinstance(allow_data_loss, bool):
        raise OnyxUsageError(f"allow_data_loss must be a bool, got {allow_data_loss!r}")
    params: tuple[tuple[str, str], ...] = (("publish", "true"),) if publish else ()
    if allow_data_loss:
        params += (("allowDataLoss", "true"),)
    return Request(
        "PUT",
        ("schemas", database_id),
        params,
        body=schema_body(database_id, schema),
        negotiated=False,
    )


# -- secrets -----------------------------------------------------------------------------------


def _secret_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip():
        raise OnyxUsageError(f"a secret key must be a non-empty string, got {key!r}")
    return key


def list_secrets_request(database_id: str) -> Request:
    """``GET /database/{db}/secret`` (metadata only, no values)."""
    return Request("GET", ("database", database_id, "secret"), idempotent=True, negotiated=False)


def get_secret_request(database_id: str, key: str) -> Request:
    """``GET /database/{db}/secret/{key}``: the value comes back, so the exchange is sensitive."""
    return Request(
        "GET",
        ("database", database_id, "secret", _secret_key(key)),
        idempotent=True,
        negotiated=False,
        sensitive=True,
    )


def put_secret_request(
    database_id: str, key: str, value: str | Mapping[str, Any], purpose: str | None = None
) -> Request:
    """``PUT /database/{db}/secret/{key}`` with ``{"value", "purpose"?}``.

    ``value`` may also be the official SDK's ``{"value": ..., "purpose": ...}`` mapping.
    Usage errors never quote the value.
    """
    secret: Any = value
    if isinstance(value, Mapping):
        unknown = set(value) - {"value", "purpose"}
        if unknown:
            raise OnyxUsageError(
                f"put_secret's mapping takes 'value' and 'purpose', not {sorted(unknown)}"
            )
        if purpose is None:
            purpose = value.get("purpose")
        secret = value.get("value")
    if not isinstance(secret, str):
        raise OnyxUsageError(f"a secret value must be a string, got {type(secret).__name__}")
    if purpose is not None and not isinstance(purpose, str):
        raise OnyxUsageError(f"purpose must be a string, got {type(purpose).__name__}")
    body: dict[str, Any] = {"value": secret}
    if purpose is not None:
        body["purpose"] = purpose
    return Request(
        "PUT",
        ("database", database_id, "secret", _secret_key(key)),
        body=body,
        negotiated=False,
        sensitive=True,
    )


def delete_secret_request(database_id: str, key: str) -> Request:
    """``DELETE /database/{db}/secret/{key}``."""
    return Request(
        "DELETE",
        ("database", database_id, "secret", _secret_key(key)),
        negotiated=False,
        sensitive=True,
    )


def parse_secret_list(body: Any) -> list[dict[str, Any]]:
    """The secret metadata records from ``{"records": [...]}``, ``{"data": [...]}`` or a list.

    >>> parse_secret_list({"records": [{"key": "k"}], "meta": {"totalRecords": 1}})
    [{'key': 'k'}]
    """
    records = body
    if isinstance(body, dict):
        records = body.get("records", body.get("data"))
    if records is None:
        return []
    if not isinstance(records, list):
        raise OnyxDecodeError(f"expected a list of secrets, got {type(records).__name__}")
    return records


# -- documents ---------------------------------------------------------------------------------

_DOCUMENT_KEYS = {
    "document_id": "documentId",
    "mime_type": "mimeType",
}
_DOCUMENT_FIELDS = frozenset({"documentId", "path", "mimeType", "content", "created", "updated"})


def _document_id(document_id: object) -> str:
    if not isinstance(document_id, str) or not document_id:
        raise OnyxUsageError(f"a document id must be a non-empty string, got {document_id!r}")
    return document_id


def document_body(doc: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The OnyxDocument body from a mapping and/or keyword fields (snake_case accepted).

    ``content`` given as bytes is base64-encoded; a string is sent as it is (already base64).

    >>> document_body(None, {"document_id": "a.txt", "content": b"hi", "mime_type": "text/plain"})
    {'documentId': 'a.txt', 'content': 'aGk=', 'mimeType': 'text/plain'}
    """
    if doc is not None and not isinstance(doc, Mapping):
        raise OnyxUsageError(f"save_document expects a mapping, got {type(doc).__name__}")
    merged: dict[str, Any] = {}
    for key, value in [*(doc or {}).items(), *fields.items()]:
        name = _DOCUMENT_KEYS.get(key, key)
        if name not in _DOCUMENT_FIELDS:
            raise OnyxUsageError(
                f"unknown document field {key!r}; use documentId, path, mimeType, content, "
                "created, updated"
            )
        merged[name] = value
    _document_id(merged.get("documentId"))
    content = merged.get("content")
    if isinstance(content, bytes | bytearray | memoryview):
        merged["content"] = base64.b64encode(bytes(content)).decode("ascii")
    elif content is not None and not isinstance(content, str):
        raise OnyxUsageError(
            f"document content must be bytes or a base64 string, got {type(content).__name__}"
        )
    return dict(to_wire(merged, "document"))


def save_document_request(database_id: str, body: dict[str, Any]) -> Request:
    """``PUT /data/{db}/document``."""
    return Request("PUT", ("data", database_id, "document"), body=body, negotiated=False)


def get_document_request(
    database_id: str, document_id: str, *, width: int | None, height: int | None
) -> Request:
    """``GET /data/{db}/document/{id}[?width=&height=]``; the answer is read as raw bytes."""
    params: list[tuple[str, str]] = []
    for name, value in (("width", width), ("height", height)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise OnyxUsageError(f"{name} must be an int >= 1, got {value!r}")
        params.append((name, str(value)))
    return Request(
        "GET",
        ("data", database_id, "document", _document_id(document_id)),
        tuple(params),
        idempotent=True,
        negotiated=False,
        raw=True,
    )


def delete_document_request(database_id: str, document_id: str) -> Request:
    """``DELETE /data/{db}/document/{id}``."""
    return Request(
        "DELETE",
        ("data", database_id, "document", _document_id(document_id)),
        negotiated=False,
    )


class Document(BaseModel):
    """A stored document (a pydantic model). ``data`` holds the exact bytes; ``content`` the
    base64 text (if the server sent JSON), ``raw`` the whole JSON object.

    ::

        db.save_document(document_id="logo.png", content=png_bytes, mime_type="image/png")
        doc = db.get_document("logo.png")
        assert doc.data == png_bytes

    >>> Document(document_id="a.txt", data=b"hi", mime_type="text/plain")
    Document(document_id='a.txt', data=b'hi', mime_type='text/plain', path=None, created=None, \
updated=None, content=None)
    """

    model_config = ConfigDict(frozen=True)

    document_id: str
    data: bytes
    mime_type: str | None = None
    path: str | None = None
    created: str | None = None
    updated: str | None = None
    content: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @classmethod
    def _decoded(
        cls,
        fields_set: frozenset[str],
        document_id: str,
        data: bytes,
        mime_type: str | None,
        path: str | None = None,
        created: str | None = None,
        updated: str | None = None,
        content: str | None = None,
        raw: dict[str, Any] | None = None,
    ) -> Document:
        """Built from what :func:`parse_document` already typed: no second validation pass.
        ``fields_set`` names the fields the answer carried (``model_fields_set``)."""
        values = {
            "document_id": document_id,
            "data": data,
            "mime_type": mime_type,
            "path": path,
            "created": created,
            "updated": updated,
            "content": content,
            "raw": {} if raw is None else raw,
        }
        return built(cls, values, set(fields_set))


_HEADER_FIELDS = frozenset({"document_id", "data", "mime_type", "path", "created", "updated"})
_JSON_FIELDS = frozenset(Document.model_fields)
_BYTES_FIELDS = frozenset({"document_id", "data", "mime_type"})


def _b64decode(text: str) -> bytes:
    try:  # canonical base64 (what servers send) in one C call; anything else is cleaned below
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except ValueError:  # binascii.Error and UnicodeEncodeError are ValueErrors
        pass
    cleaned = "".join(text.split())
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        if "-" in cleaned or "_" in cleaned:
            return base64.urlsafe_b64decode(cleaned)
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise OnyxDecodeError(f"document content is not valid base64: {exc}") from exc


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    return unquote(value) if value else None


def parse_document(document_id: str, response: RawResponse) -> Document:
    """A :class:`Document` from the answer to ``GET .../document/{id}``: the JSON OnyxDocument
    (base64 ``content``), or the raw bytes with their Content-Type."""
    content_type = response.content_type
    headers = response.headers
    if "x-onyx-document-id" in headers:
        # Raw content (Onyx Cloud and Onyx Local): metadata travels in headers.
        return Document._decoded(
            _HEADER_FIELDS,
            document_id=_header(headers, "x-onyx-document-id") or document_id,
            data=response.content,
            mime_type=content_type,
            path=_header(headers, "x-onyx-document-path"),
            created=_header(headers, "x-onyx-document-created"),
            updated=_header(headers, "x-onyx-document-updated"),
        )
    media = (content_type or "").split(";", 1)[0].strip().lower()
    body = None
    if media == "application/json" or media.endswith("+json"):
        body = decode_body(content_type, response.content)
    if isinstance(body, dict) and ("documentId" in body or "content" in body):
        content = body.get("content")
        if content is not None and not isinstance(content, str):
            raise OnyxDecodeError("document content must be a base64 string")
        return Document._decoded(
            _JSON_FIELDS,
            document_id=str(body.get("documentId") or document_id),
            data=_b64decode(content) if content else b"",
            mime_type=_text_or_none(body.get("mimeType")),
            path=_text_or_none(body.get("path")),
            created=_text_or_none(body.get("created")),
            updated=_text_or_none(body.get("updated")),
            content=content,
            raw=body,
        )
    return Document._decoded(_BYTES_FIELDS, document_id, response.content, content_type)
