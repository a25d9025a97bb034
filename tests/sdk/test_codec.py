from __future__ import annotations

import math

import msgpack
import pytest

from onyx_database import OnyxDecodeError
from onyx_database._codec import decode_body, decode_json, encode_json, encode_msgpack, is_msgpack


def test_json_round_trip_and_non_finite_out() -> None:
    assert decode_json(encode_json({"a": "é", "n": [1, 2.5]})) == {"a": "é", "n": [1, 2.5]}
    assert encode_json({"x": math.inf}) == b'{"x":null}'
    assert encode_json({"big": 2**70}) == b'{"big":1180591620717411303424}'


def test_json_decode_tolerates_nan_and_infinity() -> None:
    value = decode_json(b'{"a": NaN, "b": Infinity, "c": -Infinity, "d": [NaN]}')
    assert math.isnan(value["a"])
    assert value["b"] == math.inf
    assert value["c"] == -math.inf
    assert math.isnan(value["d"][0])


def test_invalid_json_is_a_decode_error() -> None:
    with pytest.raises(OnyxDecodeError):
        decode_json(b"{not json")
    with pytest.raises(OnyxDecodeError):
        decode_body("application/json", b"{oops")


def test_decode_body_follows_the_response_content_type() -> None:
    packed = msgpack.packb({"records": [1]})
    assert decode_body("application/vnd.msgpack; charset=binary", packed) == {"records": [1]}
    assert decode_body("application/json", b"42") == 42
    assert decode_body(None, b"true") is True
    assert decode_body("text/plain", b"plain words") == "plain words"
    assert decode_body("application/json", b"") is None
    assert is_msgpack("Application/VND.MSGPACK")
    assert not is_msgpack("application/json")


def test_msgpack_round_trip() -> None:
    data = {"id": "u1", "n": [1, None, True, 1.5]}
    assert decode_body("application/vnd.msgpack", encode_msgpack(data)) == data
    with pytest.raises(OnyxDecodeError):
        decode_body("application/vnd.msgpack", b"\xc1")
