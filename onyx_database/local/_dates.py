"""Timestamps: parse every date form the official clients send, print ISO UTC with milliseconds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "MAX_MILLIS",
    "MIN_MILLIS",
    "canonical_millis",
    "format_iso",
    "format_java",
    "parse_canonical",
    "parse_timestamp",
    "representable",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_MILLIS = _MIN_MS = -62135596800000  # 0001-01-01T00:00:00Z
MAX_MILLIS = _MAX_MS = 253402300799999  # 9999-12-31T23:59:59.999Z
_FRACTION = re.compile(r"(\.\d{6})\d+")
_CANONICAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z")
_KOTLIN = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2}):(\d{2}) ([AaPp][Mm])(?: (\S+))?)?$"
)
_JAVA_DATE = re.compile(
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) (\d{1,2}) "
    r"(\d{1,2}):(\d{2}):(\d{2}) (\S+) (\d{4})$"
)
_OFFSET = re.compile(r"^(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?$")
# The JVM prints short zone names; these are the ones a Kotlin client plausibly sends.
_ZONE_NAMES: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "WET": 0,
    "WEST": 1, "BST": 1, "IST": 5, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
}  # fmt: skip
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _zone(name: str) -> tzinfo | None:
    upper = name.upper()
    if upper in _ZONE_NAMES:
        return timezone(timedelta(hours=_ZONE_NAMES[upper]))
    offset = _OFFSET.match(upper)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
        if minutes >= 24 * 60:  # timezone() only takes offsets strictly inside one day
            return None
        return timezone(sign * timedelta(minutes=minutes))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def representable(ms: int) -> bool:
    """Whether epoch milliseconds fall in years 1-9999 (what ``datetime`` can format)."""
    return _MIN_MS <= ms <= _MAX_MS


def _to_ms(moment: datetime) -> int | None:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    ms = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return ms if representable(ms) else None  # "0001-01-01T00:00+14:00" is in year 0 UTC


def _parse_kotlin(text: str) -> int | None:
    match = _KOTLIN.match(text)
    if match is None:
        return None
    month, day, year, hour, minute, second, ampm, zone_name = match.groups()
    zone: tzinfo | None = UTC
    hours = 0
    if hour is not None:
        hours = int(hour) % 12 + (12 if ampm.upper() == "PM" else 0)
        if zone_name is not None:
            zone = _zone(zone_name)
    if zone is None:
        return None
    try:
        moment = datetime(
            int(year), int(month), int(day), hours, int(minute or 0), int(second or 0), tzinfo=zone
        )
    except ValueError:
        return None
    return _to_ms(moment)


def _parse_java(text: str) -> int | None:
    """``Date.toString()``: ``Wed Aug 27 04:56:33 UTC 2025`` (Kotlin stringifies update values)."""
    match = _JAVA_DATE.match(text)
    if match is None or match.group(1) not in _MONTHS:
        return None
    month_name, day, hour, minute, second, zone_name, year = match.groups()
    zone = _zone(zone_name)
    if zone is None:
        return None
    try:
        moment = datetime(
            int(year), _MONTHS.index(month_name) + 1, int(day), int(hour), int(minute),
            int(second), tzinfo=zone,
        )  # fmt: skip
    except ValueError:
        return None
    return _to_ms(moment)


_MINUTE_ISO = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):", re.ASCII)
_MINUTE_STARTS: dict[str, int | None] = {}
_SECONDS: dict[str, int] = {f"{s:02d}": s * 1000 for s in range(60)}
_MILLIS: dict[str, int] = {f"{m:03d}": m for m in range(1000)}
# Texts just parsed, by their milliseconds: what format_iso would print for them, so a saved
# record's answer reuses the text it came with (taken out once used, so it stays small).
_PRINTED: dict[int, str] = {}


def _minute_start(prefix: str) -> int | None:
    """Epoch milliseconds of ``2025-09-04T18:08:`` (``None`` when not a valid minute)."""
    start = _MINUTE_STARTS.get(prefix, -1)
    if start != -1:
        return start
    match = _MINUTE_ISO.fullmatch(prefix)
    start = None
    if match is not None:
        day_text, hours, minutes = match.groups()
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            pass
        else:
            h, m = int(hours), int(minutes)
            if h <= 23 and m <= 59:
                start = (day - _EPOCH.date()).days * 86_400_000 + h * 3_600_000 + m * 60_000
    if len(_MINUTE_STARTS) > 10_000:
        _MINUTE_STARTS.clear()
    _MINUTE_STARTS[prefix] = start
    return start


def canonical_millis(text: str) -> int | None:
    """Epoch milliseconds of ``2025-09-04T18:08:18.345Z`` (what the SDKs send) from a cache of
    minute starts; ``None`` for any other form or an invalid date, which the full parser handles.

    >>> canonical_millis("2025-09-04T18:08:18.345Z")
    1757009298345
    """
    if len(text) != 24 or text[23] != "Z" or text[19] != ".":
        return None
    prefix = text[:17]
    start = _MINUTE_STARTS.get(prefix)
    if start is None:  # not seen yet, or not a valid minute
        start = _minute_start(prefix)
        if start is None:
            return None
    seconds = _SECONDS.get(text[17:19])
    millis = _MILLIS.get(text[20:23])
    if seconds is None or millis is None:
        return None
    return start + seconds + millis


def parse_canonical(text: str) -> int | None:
    """:func:`canonical_millis`, remembering the text: :func:`format_iso` of the result gives it
    back without formatting (a saved record's answer reuses the text it came with)."""
    ms = canonical_millis(text)
    if ms is not None and text[0] != "0":  # format_iso prints years before 1000 unpadded
        if len(_PRINTED) > 10_000:
            _PRINTED.clear()
        _PRINTED[ms] = text
    return ms


def parse_timestamp(value: object) -> int | None:
    """Epoch milliseconds for an ISO string, ``yyyy-MM-dd``, Kotlin ``MM/dd/yyyy hh:mm:ss a z``
    or epoch millis (number or numeric string); ``None`` when the value is not a date.

    >>> parse_timestamp("2025-09-04T18:08:18.345Z")
    1757009298345
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if representable(value) else None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return parse_timestamp(int(value))
    if not isinstance(value, str):
        return None
    fast = parse_canonical(value)
    if fast is not None:
        return fast
    text = value.strip()
    if not text:
        return None
    if re.fullmatch(r"-?\d{1,15}", text):
        return parse_timestamp(int(text))
    if _CANONICAL.fullmatch(text):  # what this SDK and the cloud send: the common case first
        try:
            return _to_ms(datetime.fromisoformat(text[:-1] + "+00:00"))
        except ValueError:
            pass
    kotlin = _parse_kotlin(text)
    if kotlin is not None:
        return kotlin
    java = _parse_java(text)
    if java is not None:
        return java
    iso = _FRACTION.sub(r"\1", text)
    if iso.endswith(("z", "Z")):
        iso = iso[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(iso), datetime.min.time())
        except ValueError:
            return None
    return _to_ms(moment)


def _moment(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


_DAYS_SEEN: dict[int, str] = {}


def format_iso(ms: int) -> str:
    """``2025-09-04T18:08:18.345Z`` for epoch milliseconds."""
    printed = _PRINTED.pop(ms, None)
    if printed is not None:
        return printed
    day, rest = divmod(ms, 86_400_000)
    prefix = _DAYS_SEEN.get(day)
    if prefix is None:
        m = _moment(day * 86_400_000)
        if m.year < 1000:  # strftime's unpadded year, as before
            m = _moment(ms)
            return m.strftime("%Y-%m-%dT%H:%M:%S.") + f"{m.microsecond // 1000:03d}Z"
        prefix = f"{m.year}-{m.month:02d}-{m.day:02d}T"
        if len(_DAYS_SEEN) > 10_000:
            _DAYS_SEEN.clear()
        _DAYS_SEEN[day] = prefix
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{prefix}{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"


def format_java(ms: int) -> str:
    """What ``Date.toString()`` prints on a UTC server: ``Wed Aug 27 04:56:33 UTC 2025``."""
    moment = _moment(ms)
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment.strftime('%H:%M:%S')} UTC {moment.year}"
    )
