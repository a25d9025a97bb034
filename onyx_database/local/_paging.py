"""``nextPage`` tokens: URL-safe, HMAC-signed page states bound to the query that issued them.

A state is a small JSON object: the sort position of the last row returned (keyset paging) or an
offset (shapes computed whole), plus what the next page must carry on (rows already returned,
the total). The token is ``base64url(state ‖ query digest ‖ MAC)``: opaque to clients, and any
change to it, or its use with another query or server secret, is refused with a 404.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import zlib
from collections.abc import Mapping
from typing import Any

import orjson

from ._errors import not_found

__all__ = ["PageTokens"]

_MAC = 16
_DIGEST = 8
_MAX_TOKEN = 65_536
_PACKED = 256  # states longer than this are deflated


class PageTokens:
    """Issue and check page tokens; a forged, garbled or foreign token is a 404 like the cloud's."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @staticmethod
    def digest(*parts: object) -> bytes:
        """A fingerprint of the query (table, body, scope) that a token is valid for."""
        return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).digest()[:_DIGEST]

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC]

    def issue(self, state: Mapping[str, Any], digest: bytes) -> str:
        body = orjson.dumps(dict(state))
        flag = b"j"
        if len(body) > _PACKED:
            body, flag = zlib.compress(body), b"z"
        payload = flag + body + digest
        return base64.urlsafe_b64encode(payload + self._mac(payload)).rstrip(b"=").decode()

    def state(self, token: str, digest: bytes) -> dict[str, Any]:
        """The state a token carries; raises 404 unless this server issued it for this query."""
        invalid = not_found("nextPage token is invalid or expired")
        if len(token) > _MAX_TOKEN:
            raise invalid
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise invalid from None
        if len(raw) < 1 + _DIGEST + _MAC:
            raise invalid
        payload, mac = raw[:-_MAC], raw[-_MAC:]
        if not hmac.compare_digest(mac, self._mac(payload)) or payload[-_DIGEST:] != digest:
            raise invalid
        flag, body = payload[:1], payload[1:-_DIGEST]
        try:
            state = orjson.loads(zlib.decompress(body) if flag == b"z" else body)
        except (orjson.JSONDecodeError, zlib.error):
            raise invalid from None
        if not isinstance(state, dict):
            raise invalid
        return state
