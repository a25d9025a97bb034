from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from onyx_database import OnyxSerializationError, to_wire


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass(slots=True)
class Geo:
    lat: float
    tags: frozenset[str]


@dataclasses.dataclass
class Address:
    city: str
    geo: Any


class Profile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)

    user_id: uuid.UUID = pydantic.Field(alias="userId")
    born: dt.date


def test_datetimes_become_utc_iso_with_milliseconds() -> None:
    aware = dt.datetime(2025, 9, 4, 20, 8, 18, 345999, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    naive = dt.datetime(2025, 1, 1, 12, 0)
    assert to_wire(aware) == "2025-09-04T18:08:18.345Z"
    assert to_wire(naive) == "2025-01-01T12:00:00.000Z"  # naive is assumed UTC
    assert to_wire(dt.date(2025, 2, 3)) == "2025-02-03"
    assert to_wire(dt.time(4, 5, 6)) == "04:05:06"


def test_scalars_of_everyday_python() -> None:
    assert to_wire(uuid.UUID(int=255)) == "00000000-0000-0000-0000-0000000000ff"
    assert to_wire(Decimal("10.00")) == 10
    assert isinstance(to_wire(Decimal("10.00")), int)
    assert to_wire(Decimal("2.5")) == 2.5
    assert to_wire(Color.RED) == "red"
    assert to_wire(Level.HIGH) == 3
    assert to_wire(True) is True
    assert to_wire(None) is None


def test_nested_models_dataclasses_and_collections() -> None:
    value = {
        "address": Address("Paris", Geo(48.85, frozenset({"b", "a"}))),
        "profile": Profile(userId=uuid.UUID(int=1), born=dt.date(2000, 1, 2)),
        "tuple": (1, Color.RED),
        Color.RED: "enum key",
        7: "int key",
    }
    assert to_wire(value) == {
        "address": {"city": "Paris", "geo": {"lat": 48.85, "tags": ["a", "b"]}},
        "profile": {"userId": "00000000-0000-0000-0000-000000000001", "born": "2000-01-02"},
        "tuple": [1, "red"],
        "red": "enum key",
        "7": "int key",
    }


def test_unknown_type_names_type_and_path() -> None:
    with pytest.raises(OnyxSerializationError) as info:
        to_wire({"address": {"geo": object()}})
    assert "entity.address.geo" in str(info.value)
    assert "builtins.object" in str(info.value)
    assert isinstance(info.value, TypeError)


def test_list_paths_and_bytes_rejected() -> None:
    with pytest.raises(OnyxSerializationError, match=r"entity\.tags\[1\]"):
        to_wire({"tags": ["ok", b"raw"]})


def test_cycles_and_bad_decimals_and_keys() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(OnyxSerializationError, match="cycle"):
        to_wire(loop)
    with pytest.raises(OnyxSerializationError, match="non-finite"):
        to_wire(Decimal("NaN"))
    with pytest.raises(OnyxSerializationError, match="key"):
        to_wire({(1, 2): "tuple key"})


def test_shared_object_twice_is_not_a_cycle() -> None:
    shared = {"x": 1}
    assert to_wire({"a": shared, "b": shared}) == {"a": {"x": 1}, "b": {"x": 1}}
