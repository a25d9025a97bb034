"""Property-based test: the fast path of :func:`~onyx_database.to_wire` for flat records (a plain
dict of ``str`` keys to ``str``/``int``/``float``/``bool``/``None`` and datetimes) gives exactly
what the general path gives, and :func:`~onyx_database._serialize.to_wire_list` exactly what
``to_wire`` of each item with its ``entities[i]`` path gives, errors included.

"Exactly" is compared through ``repr``, so ``1``, ``1.0`` and ``True`` differ, and so does the
order of keys. The generated records mix flat ones with everything ``to_wire`` converts (nested
mappings and sequences, sets, dates, times, datetimes naive and aware in any offset, ``Decimal``,
``UUID``, enums, dataclasses, pydantic models, subclasses of ``str`` and ``datetime``, enum and
int keys) and with values it refuses (so both paths must raise the same error at the same path).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from typing import Any

import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onyx_database import OnyxSerializationError, to_wire
from onyx_database._serialize import _convert, _flat_record, format_datetime, to_wire_list


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 3


class Tag(enum.StrEnum):
    NEW = "new"


class Name(str):
    pass


class Moment(dt.datetime):
    pass


@dataclasses.dataclass
class Point:
    x: Any
    y: Any


class Profile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)

    user_id: uuid.UUID = pydantic.Field(alias="userId")
    born: dt.date
    seen: dt.datetime | None = None


class Opaque:
    __slots__ = ()


OFFSETS = st.one_of(
    st.none(),
    st.just(dt.UTC),
    st.builds(
        dt.timezone,
        st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23)),
    ),
)
DATETIMES = st.builds(lambda moment, zone: moment.replace(tzinfo=zone), st.datetimes(), OFFSETS)
PLAIN = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**80),
    st.floats(),  # nan and infinities too
    st.text(max_size=8),
)
FLAT_VALUES = st.one_of(PLAIN, DATETIMES)
OTHER = st.one_of(
    st.dates(),
    st.times(),
    st.decimals(places=3),  # NaN and infinities too: both paths refuse them
    st.uuids(),
    st.sampled_from([Color.RED, Color.BLUE, Level.LOW, Level.HIGH, Tag.NEW]),
    st.builds(Name, st.text(max_size=4)),
    st.builds(Moment, st.integers(1, 9999), st.integers(1, 12), st.integers(1, 28)),
    st.builds(
        Profile,
        userId=st.uuids(),
        born=st.dates(),
        seen=st.none() | st.datetimes(timezones=st.just(dt.UTC)),
    ),
    st.just(Opaque()),  # refused: names its type and path
)
KEYS = st.one_of(
    st.text(max_size=6),
    st.text(max_size=6),
    st.integers(-5, 5),
    st.sampled_from([Color.RED, Tag.NEW]),
    st.builds(Name, st.text(max_size=3)),
)
VALUES = st.recursive(
    st.one_of(FLAT_VALUES, OTHER),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.frozensets(st.one_of(st.integers(), st.text(max_size=3)), max_size=3),
        st.dictionaries(KEYS, inner, max_size=3),
        st.builds(Point, inner, inner),
    ),
    max_leaves=8,
)
FLAT_RECORDS = st.dictionaries(st.text(max_size=6), FLAT_VALUES, max_size=8)
RECORDS = st.one_of(
    FLAT_RECORDS,
    st.dictionaries(KEYS, st.one_of(FLAT_VALUES, FLAT_VALUES, VALUES), max_size=6),
    VALUES,
)


# A loaded machine must not fail these on generation speed.
SLOW_OK = [HealthCheck.too_slow]


def _outcome(call: Any) -> tuple[str, str]:
    try:
        return "value", repr(call())
    except (OnyxSerializationError, OverflowError) as exc:
        return type(exc).__name__, str(exc)


def _reference_datetime(value: dt.datetime) -> str:
    """The formula the SDK has always written datetimes with (before the isoformat shortcut)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@settings(max_examples=400, deadline=None, suppress_health_check=SLOW_OK)
@given(FLAT_RECORDS)
def test_flat_records_take_the_fast_path_and_equal_the_general_path(record: dict[str, Any]) -> None:
    general = _outcome(lambda: _convert(record, "entity", set()))
    if general[0] == "value":  # an aware datetime at the edge of the calendar may overflow
        fast = _flat_record(record)
        assert fast is not None
        assert fast is not record
        assert repr(fast) == general[1]
    assert _outcome(lambda: to_wire(record)) == general


@settings(max_examples=600, deadline=None, suppress_health_check=SLOW_OK)
@given(RECORDS)
def test_to_wire_equals_the_general_path(value: Any) -> None:
    assert _outcome(lambda: to_wire(value, "entity")) == _outcome(
        lambda: _convert(value, "entity", set())
    )


@settings(max_examples=300, deadline=None, suppress_health_check=SLOW_OK)
@given(st.lists(RECORDS, max_size=6), st.integers(0, 5000))
def test_to_wire_list_equals_to_wire_of_each_item(values: list[Any], start: int) -> None:
    def one_by_one() -> list[Any]:
        return [
            _convert(value, f"entities[{index}]", set())
            for index, value in enumerate(values, start)
        ]

    assert _outcome(lambda: to_wire_list(values, "entities", start)) == _outcome(one_by_one)


@settings(max_examples=600, deadline=None, suppress_health_check=SLOW_OK)
@given(DATETIMES)
def test_format_datetime_equals_the_strftime_formula(value: dt.datetime) -> None:
    assert _outcome(lambda: format_datetime(value)) == _outcome(lambda: _reference_datetime(value))


def test_years_before_1000_keep_their_unpadded_form() -> None:
    # strftime writes them so; the isoformat shortcut (which would pad) is not taken there
    assert format_datetime(dt.datetime(999, 1, 2, 3, 4, 5, 6789)) == "999-01-02T03:04:05.006Z"
    aware = dt.datetime(1000, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert format_datetime(aware) == "999-12-31T23:30:00.000Z"
