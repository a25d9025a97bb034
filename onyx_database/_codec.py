"""Bytes ⇄ Python for the two wire formats.

JSON goes through orjson. Decoding falls back to the stdlib parser when orjson refuses the text,
so a body with ``NaN``/``Infinity`` literals (which some Onyx clients send and a server could echo)
still decodes; those become ``float('nan')``/``float('inf')``. On the way out orjson writes
non-finite floats as ``null``, which is what every Onyx client can read.

MessagePack needs the optional ``msgpack`` package (``pip install onyx-py[msgpack]``).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from ._errors import OnyxConfigError, OnyxDecodeError, OnyxSerializationError

__all__ = [
    "JSON_CONTENT_TYPE",
    "MSGPACK_CONTENT_TYPE",
    "decode_body",
    "decode_json",
    "decode_msgpack",
    "encode_json",
    "encode_msgpack",
    "is_msgpack",
]

JSON_CONTENT_TYPE = "application/json"
MSGPACK_CONTENT_TYPE = "application/vnd.msgpack"


def encode_json(value: Any) -> bytes:
    """Encode wire data (see :func:`~onyx_database._serialize.to_wire`) as compact UTF-8 JSON.

    >>> encode_json({"a": [1, None, float("nan")]})
    b'{"a":[1,null,null]}'
    """
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        pass  # e.g. an int beyond 64 bits, which orjson refuses and the stdlib writes exactly
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise OnyxSerializationError(f"cannot encode the body as JSON: {exc}") from exc
    return text.encode()


def decode_json(data: bytes | str) -> Any:
    """Decode JSON, tolerating ``NaN``, ``Infinity`` and ``-Infinity`` literals.

    >>> decode_json(b'{"score": NaN, "n": 1}')
    {'score': nan, 'n': 1}
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass  # orjson is strict about non-finite literals; the stdlib parser accepts them
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OnyxDecodeError(f"the response is not valid JSON: {exc}") from exc


def _msgpack() -> Any:
    try:
        import msgpack
    except ImportError as exc:  # pragma: no cover - msgpack is installed in the dev environment
        raise OnyxConfigError(
            'wire_format="msgpack" needs the msgpack package: pip install "onyx-py[msgpack]"'
        ) from exc
    return msgpack


def encode_msgpack(value: Any) -> bytes:
    """Encode wire data as MessagePack (string keys, no ext types).

    >>> decode_msgpack(encode_msgpack({"a": [1, "x"]}))
    {'a': [1, 'x']}
    """
    try:
        packed: bytes = _msgpack().packb(value, use_bin_type=True)
    except (TypeError, ValueError, OverflowError) as exc:
        raise OnyxSerializationError(f"cannot encode the body as MessagePack: {exc}") from exc
    return packed


def decode_msgpack(data: bytes) -> Any:
    """Decode one MessagePack value (maps must have string keys)."""
    msgpack = _msgpack()
    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=True)
    except Exception as exc:  # msgpack raises several unrelated types for bad input
        raise OnyxDecodeError(f"the response is not valid MessagePack: {exc}") from exc


def is_msgpack(content_type: str | None) -> bool:
    """Whether a Content-Type header names MessagePack (parameters after ``;`` are ignored)."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media in (MSGPACK_CONTENT_TYPE, "application/msgpack", "application/x-msgpack")


def decode_body(content_type: str | None, data: bytes) -> Any:
    """Decode a response body by its own Content-Type, whatever the request asked for.

    MessagePack when the type says so; JSON when it says JSON; otherwise JSON if the text parses
    as JSON (a bare ``42`` or ``true`` from a server that omits the type) and plain text if not.
    An empty body is ``None``.

    >>> decode_body("application/json; charset=utf-8", b"42")
    42
    >>> decode_body("text/plain", b"hello")
    'hello'
    """
    if not data:
        return None
    if is_msgpack(content_type):
        return decode_msgpack(data)
    if content_type and "json" in content_type.lower():
        return decode_json(data)
    try:
        return decode_json(data)
    except OnyxDecodeError:
        return data.decode("utf-8", errors="replace")
