"""Secrets: ``/database/{db}/secret[/{key}]``. Values are stored encrypted (see
:mod:`._secret_box`) and never logged or echoed in errors."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from ._dates import format_iso
from ._errors import ApiError, bad_request, not_found
from ._handlers import Context, Reply
from ._secret_box import SecretBox, SecretUnreadable

if TYPE_CHECKING:
    from ._storage import Storage

__all__ = [
    "create_secret",
    "delete_secret",
    "encrypt_stored",
    "get_secret",
    "list_secrets",
    "put_secret",
]

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
    found_key, purpose, updated, stored = rows[0]
    box = ctx.services.secret_box
    try:
        value = stored if box is None else box.decrypt(stored)
    except SecretUnreadable:
        raise ApiError(
            500, "SECRET_UNREADABLE", f"secret {key!r} does not decrypt with onyx-secrets.key"
        ) from None
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
    box = ctx.services.secret_box
    ctx.services.storage.write_meta(
        "INSERT OR REPLACE INTO _onyx_secret (key, value, purpose, updated_at) VALUES (?, ?, ?, ?)",
        (key, value if box is None else box.encrypt(value), purpose, now),
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


def encrypt_stored(storage: Storage, box: SecretBox) -> int:
    """Encrypt values stored in plain text (by an older Onyx Local); returns how many.

    Raises :class:`SecretUnreadable` when a stored value does not decrypt with ``box``'s key."""
    rows = storage.read_meta("SELECT key, value FROM _onyx_secret")
    plain = [(key, value) for key, value in rows if not box.is_encrypted(value)]
    for key, value in plain:
        storage.write_meta(
            "UPDATE _onyx_secret SET value = ? WHERE key = ?", (box.encrypt(value), key)
        )
    if plain:  # copy the rewritten pages over the plain ones in the database file now
        storage.write_meta("PRAGMA wal_checkpoint(TRUNCATE)")
    encrypted = [value for _, value in rows if box.is_encrypted(value)]
    if encrypted:
        box.decrypt(encrypted[0])
    return len(plain)
