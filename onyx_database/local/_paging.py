"""``nextPage`` tokens: URL-safe, HMAC-signed offsets bound to the query that issued them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

import orjson

from ._errors import not_found

__all__ = ["PageTokens"]

_MAC = 12
_DIGEST = 8


class PageTokens:
    """Issue and check page tokens; a forged, garbled or foreign token is a 404 like the cloud's."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @staticmethod
    def digest(*parts: object) -> bytes:
        """A fingerprint of the query (table, body, scope) that a token is valid for."""
        return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).digest()[:_DIGEST]

    def issue(self, offset: int, digest: bytes) -> str:
        payload = struct.pack(">Q", offset) + digest
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC]
        return base64.urlsafe_b64encode(payload + mac).rstrip(b"=").decode()

    def offset(self, token: str, digest: bytes) -> int:
        invalid = not_found("nextPage token is invalid or expired")
        if len(token) > 64:
            raise invalid
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise invalid from None
        if len(raw) != 8 + _DIGEST + _MAC:
            raise invalid
        payload, mac = raw[: 8 + _DIGEST], raw[8 + _DIGEST :]
        expected = hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC]
        if not hmac.compare_digest(mac, expected) or payload[8:] != digest:
            raise invalid
        (offset,) = struct.unpack(">Q", payload[:8])
        return int(offset)
