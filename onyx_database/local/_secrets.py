"""Secrets: ``/database/{db}/secret[/{key}]``. Values are stored in plain text in the SQLite file
(a local development server; the file is the user's own) and never logged or echoed in errors."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any, Final

from ._dates import format_iso
from ._errors import bad_request, not_found
from ._handlers import Context, Reply

__all__ = ["create_secret", "delete_secret", "get_secret", "list_secrets", "put_secret"]

_KEY: Final = re.compile(r"[^\x00-\x1f]{1,256}")


def _metadata(key: str, purpose: str | None, updated: int) -> dict[str, Any]:
    return {"key": key, "purpose": purpose, "updatedAt": format_iso(updated)}


def list_secrets(ctx: Context) -> Reply:
    rows = ctx.services.storage.read_meta(
        "SELECT key, purpose, updated_at FROM _onyx_secret ORDER BY key"
    )
    items = [_metadata(*row) for row in rows]
    return Reply({"records": items, "data": items, "meta": {"totalRecords": len(items)}})


def get_secret(ctx: Context) -> Reply:
    key = ctx.params["key"]
    rows = ctx.services.storage.read_meta(
        "SELECT key, purpose, updated_at, value FROM _onyx_secret WHERE key = ?", (key,)
    )
    if not rows:
        raise not_found(f"secret {key!r} not found")
    found_key, purpose, updated, value = rows[0]
    return Reply({**_metadata(found_key, purpose, updated), "value": value})


def _store(ctx: Context, key: object, body: Mapping[str, Any]) -> Reply:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise bad_request("a secret key must be 1-256 printable characters")
    value = body.get("value")
    if not isinstance(value, str):
        raise bad_request("a secret needs a string value")
    purpose = body.get("purpose")
    if purpose is not None and not isinstance(purpose, str):
        raise bad_request("purpose must be a string")
    now = int(time.time() * 1000)
    ctx.services.storage.write_meta(
        "INSERT OR REPLACE INTO _onyx_secret (key, value, purpose, updated_at) VALUES (?, ?, ?, ?)",
        (key, value, purpose, now),
    )
    return Reply(_metadata(key, purpose, now))


def _body(ctx: Context) -> Mapping[str, Any]:
    if not isinstance(ctx.body, Mapping):
        raise bad_request("the secret must be a JSON object with a value")
    return ctx.body


def put_secret(ctx: Context) -> Reply:
    return _store(ctx, ctx.params["key"], _body(ctx))


def create_secret(ctx: Context) -> Reply:
    body = _body(ctx)
    return _store(ctx, body.get("key"), body)


def delete_secret(ctx: Context) -> Reply:
    key = ctx.params["key"]
    if not ctx.services.storage.write_meta("DELETE FROM _onyx_secret WHERE key = ?", (key,)):
        raise not_found(f"secret {key!r} not found")
    return Reply({"key": key})
