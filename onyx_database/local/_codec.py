"""Request bodies in, response bodies out: JSON or MessagePack, with hard limits."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any, Final

import msgpack
import orjson

from ._errors import ApiError, bad_request

__all__ = [
    "MAX_BODY",
    "MAX_NODES",
    "MSGPACK",
    "body_check",
    "check_document",
    "decode_body",
    "encode",
    "wants_msgpack",
]

MSGPACK: Final = "application/vnd.msgpack"
MAX_BODY: Final = 64 * 1024 * 1024
MAX_DEPTH: Final = 128
MAX_NODES: Final = 2_000_000
_I64: Final = (-(2**63), 2**63 - 1)


def _no_duplicates(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate map key")
    return result


def _check_scalar(value: Any) -> None:
    if type(value) is int:
        if not _I64[0] <= value <= _I64[1]:
            raise bad_request("integers must fit in 64 bits")
    elif not math.isfinite(value):
        raise bad_request("NaN and Infinity are not valid values")


_LEAVES: Final = (str, bool, type(None))
_NUMBERS: Final = (int, float)


def check_document(document: Any, *, string_keys: bool = False) -> None:
    """Only JSON-shaped values, bounded depth and size, finite numbers, 64-bit integers.

    ``string_keys`` says the decoder already guarantees string map keys (JSON does).
    """
    stack: list[tuple[Any, int]] = [(document, 1)]
    nodes = 1
    while stack:
        value, depth = stack.pop()
        if nodes > MAX_NODES:
            raise bad_request("the body has too many values")
        if depth > MAX_DEPTH:
            raise bad_request(f"the body is nested deeper than {MAX_DEPTH} levels")
        if value is None or isinstance(value, bool | str):
            continue
        if isinstance(value, int):
            if not _I64[0] <= value <= _I64[1]:
                raise bad_request("integers must fit in 64 bits")
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                raise bad_request("NaN and Infinity are not valid values")
            continue
        if isinstance(value, list):
            children: Any = value
        elif isinstance(value, dict):
            if not string_keys and not all(type(key) is str for key in value):
                raise bad_request("map keys must be strings")
            children = value.values()
        else:
            raise bad_request(f"unsupported value type in body: {type(value).__name__}")
        # Scalars (most of a body) are checked here rather than pushed on the stack; every child
        # is counted now, so a container popped later does not count itself again.
        if depth >= MAX_DEPTH and len(children):
            raise bad_request(f"the body is nested deeper than {MAX_DEPTH} levels")
        nodes += len(children)
        for item in children:
            kind = type(item)
            if kind is str or kind is bool or item is None:
                continue
            if kind is int:
                if not _I64[0] <= item <= _I64[1]:
                    raise bad_request("integers must fit in 64 bits")
            elif kind is float:
                if not math.isfinite(item):
                    raise bad_request("NaN and Infinity are not valid values")
            else:
                stack.append((item, depth + 1))
        if nodes > MAX_NODES:
            raise bad_request("the body has too many values")


def decode_body(content_type: str, raw: bytes, *, check: bool = True) -> Any:
    """The decoded body (``None`` when empty); 400 for anything malformed or out of limits.

    ``check=False`` leaves :func:`check_document` to the caller (see :func:`body_check`).
    """
    if not raw.strip():
        return None
    if len(raw) > MAX_BODY:
        raise ApiError(413, "PAYLOAD_TOO_LARGE", "the body is larger than 64 MiB")
    if _is_msgpack(content_type):
        try:
            document = msgpack.unpackb(
                raw,
                raw=False,
                strict_map_key=True,
                object_pairs_hook=_no_duplicates,
                max_bin_len=0,
                max_ext_len=0,
            )
        except Exception as error:  # msgpack raises a zoo of types for bad input
            raise bad_request(f"malformed MessagePack body: {type(error).__name__}") from None
        if check:
            check_document(document)
        return document
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise bad_request(f"malformed JSON body: {error.msg}") from None
    if check:
        check_document(document, string_keys=True)
    return document


def _is_msgpack(content_type: str) -> bool:
    return MSGPACK in content_type.lower() or "msgpack" in content_type.lower()


def body_check(content_type: str, document: Any) -> Callable[[], None]:
    """The :func:`check_document` call that ``decode_body(content_type, ..., check=False)``
    left out, to run later."""
    return partial(check_document, document, string_keys=not _is_msgpack(content_type))


def wants_msgpack(accept: str) -> bool:
    """True when ``Accept`` lists MessagePack before (or without) JSON."""
    lowered = accept.lower()
    packed = lowered.find(MSGPACK)
    if packed < 0:
        return False
    json_at = lowered.find("application/json")
    return json_at < 0 or packed < json_at


def encode(value: Any, *, msgpack_reply: bool) -> tuple[bytes, str]:
    """Body bytes and content type."""
    if msgpack_reply:
        return msgpack.packb(value, use_bin_type=True), MSGPACK
    return orjson.dumps(value), "application/json"
