# ruff: noqa: S608  (the only interpolated SQL text is the constant column list)
"""Documents: ``PUT|GET|DELETE /data/{db}/document[/{id}]``, content stored as raw bytes.

Save answers the document without its content (``content: ""``); get answers the decoded raw
content with the stored ``mimeType`` as its Content-Type (as Onyx Cloud does), and the metadata in
``x-onyx-document-*`` headers (values percent-encoded). ``width``/``height`` (image resize hints)
are accepted and ignored: the stored bytes come back unchanged.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ._dates import format_iso, parse_timestamp
from ._errors import bad_request, not_found
from ._handlers import Context, Reply

__all__ = ["delete_document", "get_document", "list_documents", "save_document"]

_COLUMNS = "document_id, path, mime_type, content, created_at, updated_at"


def _json(row: tuple[Any, ...], *, with_content: bool) -> dict[str, Any]:
    document_id, path, mime_type, content, created, updated = row
    return {
        "documentId": document_id,
        "path": path,
        "mimeType": mime_type,
        "content": base64.b64encode(content).decode() if with_content else "",
        "created": format_iso(created),
        "updated": format_iso(updated),
    }


def _text(body: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = body.get(key)
        if value is not None:
            if not isinstance(value, str):
                raise bad_request(f"document {key} must be a string")
            return value
    return None


def save_document(ctx: Context) -> Reply:
    body = ctx.body
    if not isinstance(body, Mapping):
        raise bad_request("the document must be a JSON object")
    document_id = _text(body, "documentId", "id")
    if not document_id:
        raise bad_request("the document needs a documentId")
    encoded = _text(body, "content", "data") or ""
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request("document content must be base64") from None
    path = _text(body, "path")
    now = int(time.time() * 1000)
    created = parse_timestamp(body.get("created", body.get("createdAt"))) or now
    updated = parse_timestamp(body.get("updated", body.get("updatedAt"))) or now
    row = (document_id, path, _text(body, "mimeType"), content, created, updated)
    ctx.services.storage.write_meta(
        f"INSERT OR REPLACE INTO _onyx_document ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", row
    )
    return Reply(_json(row, with_content=False), negotiable=False)


def _find(ctx: Context) -> tuple[Any, ...]:
    rows = ctx.services.storage.read_meta(
        f"SELECT {_COLUMNS} FROM _onyx_document WHERE document_id = ?", (ctx.params["id"],)
    )
    if not rows:
        raise not_found(f"document {ctx.params['id']!r} not found")
    return rows[0]


def get_document(ctx: Context) -> Reply:
    document_id, path, mime_type, content, created, updated = _find(ctx)
    headers = [("x-onyx-document-id", quote(document_id, safe=""))]
    if path is not None:
        headers.append(("x-onyx-document-path", quote(path, safe="")))
    headers.append(("x-onyx-document-created", format_iso(created)))
    headers.append(("x-onyx-document-updated", format_iso(updated)))
    media = mime_type if mime_type and _printable_header(mime_type) else "application/octet-stream"
    return Reply(None, raw=bytes(content), content_type=media, headers=tuple(headers))


def _printable_header(value: str) -> bool:
    return value.isascii() and value.isprintable()


def delete_document(ctx: Context) -> Reply:
    _find(ctx)
    ctx.services.storage.write_meta(
        "DELETE FROM _onyx_document WHERE document_id = ?", (ctx.params["id"],)
    )
    return Reply(True)


def list_documents(ctx: Context) -> Reply:
    rows = ctx.services.storage.read_meta(
        f"SELECT {_COLUMNS} FROM _onyx_document ORDER BY document_id"
    )
    return Reply([_json(row, with_content=False) for row in rows], negotiable=False)
