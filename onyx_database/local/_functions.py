"""Query functions in selections: parsing as the engine does, string functions and aggregates.

The engine finds ``name(args)`` in a selection, splits the arguments on **every** comma, trims
them and deletes every quote character, so ``format(x, '#,###')`` formats with ``#`` and the
result key is always the selection string exactly as sent (engine reference, section 5).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Final

from ._errors import bad_request
from ._regex import compile_pattern
from ._values import java_string

__all__ = [
    "AGGREGATES",
    "SCALARS",
    "Selection",
    "aggregate",
    "apply_scalar",
    "cast_back",
    "format_value",
    "parse_selection",
]

AGGREGATES: Final = frozenset(
    {"avg", "sum", "count", "min", "max", "median", "std", "variance", "percentile"}
)
SCALARS: Final = frozenset({"upper", "lower", "substring", "replace", "format"})
_FUNCTION: Final = re.compile(r"(\w+)\((.+)\)", re.DOTALL)
_INTEGER_TYPES: Final = frozenset({"Byte", "Short", "Int", "Long"})
_FLOAT_TYPES: Final = frozenset({"Float", "Double"})
MAX_PATTERN: Final = 10_000


@dataclass(frozen=True)
class Selection:
    """One parsed selection: a plain path, or a function of a path with up to two parameters."""

    text: str
    function: str | None
    path: tuple[str, ...]
    params: tuple[str, ...] = ()

    @property
    def is_aggregate(self) -> bool:
        return self.function in AGGREGATES


def parse_selection(text: str) -> Selection:
    """Parse a selection string; an unknown function name is a 400 "Query function not found".

    >>> parse_selection("replace(name, '-', '_')").params
    ('-', '_')
    """
    match = _FUNCTION.search(text)
    if match is None:
        return Selection(text, None, tuple(text.split(".")))
    name = match.group(1).lower()
    if name not in AGGREGATES and name not in SCALARS:
        raise bad_request(f"Query function not found: {match.group(1)} in {text!r}")
    args = [re.sub(r"['\"]", "", piece.strip()) for piece in match.group(2).split(",")]
    if not args[0]:
        raise bad_request(f"Query function {name} needs an attribute: {text!r}")
    if name == "percentile":
        _percentile_of(args[1] if len(args) > 1 else "")
    return Selection(text, name, tuple(args[0].split(".")), tuple(args[1:3]))


# -- string functions --------------------------------------------------------------------------
def _index(text: str, raw: str, default: int) -> int:
    if raw == "":
        return default
    try:
        return int(float(raw))
    except (ValueError, OverflowError):
        raise bad_request(f"substring index must be a number, got {raw!r}") from None


def _java_replacement(replacement: str) -> Callable[[re.Match[str]], str]:
    """A Java replacement string (``$1`` group references, ``\\`` escapes) as a callable."""
    pieces: list[str | int] = []
    position = 0
    literal = ""
    while position < len(replacement):
        char = replacement[position]
        if char == "\\" and position + 1 < len(replacement):
            literal += replacement[position + 1]
            position += 2
            continue
        group = re.match(r"\$(\d+)", replacement[position:])
        if group is not None:
            pieces.append(literal)
            literal = ""
            digits = group.group(1)
            pieces.append(int(digits) if len(digits) < 10 else 2**31)  # no such group: 400
            position += len(group.group(0))
            continue
        literal += char
        position += 1
    pieces.append(literal)

    def expand(match: re.Match[str]) -> str:
        out = []
        for piece in pieces:
            if isinstance(piece, int):
                if piece > (match.re.groups or 0):
                    raise bad_request(f"No group {piece} in replace pattern")
                out.append(match.group(piece) or "")
            else:
                out.append(piece)
        return "".join(out)

    return expand


def apply_scalar(selection: Selection, value: Any, attr_type: str | None) -> Any:
    """upper, lower, substring, replace or format of one value (a plain selection: the value)."""
    name = selection.function
    params = selection.params
    if name is None or name in AGGREGATES:
        return value
    if name == "upper":
        return java_string(value, attr_type).upper()
    if name == "lower":
        return java_string(value, attr_type).lower()
    if name == "format":
        return format_value(value, attr_type, params[0] if params else "")
    if value is None:
        return None
    text = java_string(value, attr_type)
    if name == "substring":
        start = min(max(_index(text, params[0] if params else "", 0), 0), len(text))
        end = min(max(_index(text, params[1] if len(params) > 1 else "", len(text)), 0), len(text))
        if start > end:
            raise bad_request(f"substring begin {start} is after end {end} in {selection.text!r}")
        return text[start:end]
    compiled = compile_pattern(params[0] if params else "", "replace pattern")
    return compiled.sub(_java_replacement(params[1] if len(params) > 1 else ""), text)


# -- format ----------------------------------------------------------------------------------------
_DATE_LETTERS: Final = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")
_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class _BadPattern(ValueError):
    pass


def _date_token(token: str, moment: datetime) -> str:
    letter, width = token[0], len(token)

    def number(value: int) -> str:
        return str(value).zfill(width)

    if letter in "yY":
        return str(moment.year % 100).zfill(2) if width == 2 else number(moment.year)
    if letter in "ML":
        if width >= 4:
            return _MONTHS[moment.month - 1]
        if width == 3:
            return _MONTHS[moment.month - 1][:3]
        return number(moment.month)
    simple = {
        "d": moment.day,
        "H": moment.hour,
        "k": moment.hour or 24,
        "K": moment.hour % 12,
        "h": moment.hour % 12 or 12,
        "m": moment.minute,
        "s": moment.second,
        "D": moment.timetuple().tm_yday,
        "u": moment.isoweekday(),
    }
    if letter in simple:
        return number(simple[letter])
    if letter == "S":
        return number(moment.microsecond // 1000)
    if letter == "E":
        day = _DAYS[moment.weekday()]
        return day if width >= 4 else day[:3]
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    if letter == "z":
        return "Coordinated Universal Time" if width >= 4 else "UTC"
    if letter == "Z":
        return "+0000"
    if letter == "X":
        return "Z"
    raise _BadPattern(token)


def _format_date(ms: int, pattern: str) -> str:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    out = []
    for match in _DATE_LETTERS.finditer(pattern):
        token = match.group(0)
        if token.startswith("'"):
            quoted = token[1:-1].replace("''", "'")
            out.append(quoted if len(token) > 2 else "'")
        elif match.group(1):
            out.append(_date_token(token, moment))
        else:
            out.append(token)
    return "".join(out)


def _format_decimal(number: float | int, pattern: str) -> str:
    if "." in pattern:
        pattern = pattern.replace("#", "0")
    first = min((i for i, c in enumerate(pattern) if c in "#0,."), default=-1)
    if first < 0:
        raise _BadPattern(pattern)
    last = max(i for i, c in enumerate(pattern) if c in "#0,.")
    prefix, body, suffix = pattern[:first], pattern[first : last + 1], pattern[last + 1 :]
    # Java's DecimalFormat rounds the exact binary value (1.255 is 1.25499…, so "1.25").
    value = Decimal(number)
    if "%" in prefix + suffix:
        value *= 100
    integer_part, _, fraction_part = body.partition(".")
    min_int = integer_part.count("0")
    max_frac = len(fraction_part.replace(",", ""))
    min_frac = fraction_part.count("0")
    grouping = 0
    if "," in integer_part:
        grouping = len(integer_part) - integer_part.rindex(",") - 1
    quantum = Decimal(1).scaleb(-max_frac)
    rounded = abs(value).quantize(quantum, rounding=ROUND_HALF_EVEN)
    digits = f"{rounded:f}"
    whole, _, fraction = digits.partition(".")
    fraction = fraction.rstrip("0")
    fraction = fraction.ljust(min_frac, "0")
    whole = whole.lstrip("0").rjust(min_int, "0")
    if grouping > 0 and whole:
        groups: list[str] = []
        while len(whole) > grouping:
            groups.insert(0, whole[-grouping:])
            whole = whole[:-grouping]
        groups.insert(0, whole)
        whole = ",".join(groups)
    text = whole + ("." + fraction if fraction else "")
    if not text:
        text = "0"
    negative = value < 0 and rounded != 0
    return ("-" if negative else "") + prefix + text + suffix


def format_value(value: Any, attr_type: str | None, pattern: str) -> str:
    """Java ``SimpleDateFormat`` for dates, ``DecimalFormat`` for numbers, else ``toString``.

    >>> format_value(2.0, "Double", "#.##"), format_value(33, "Int", "000")
    ('2.00', '033')
    """
    if value is None:
        return ""
    if attr_type == "Timestamp" and isinstance(value, int) and not isinstance(value, bool):
        try:
            return _format_date(value, pattern or "yyyy-MM-dd")
        except _BadPattern:
            return _format_date(value, "yyyy-MM-dd")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return java_string(value)
        try:
            return _format_decimal(value, pattern or "#.##")
        except (_BadPattern, InvalidOperation, ValueError):
            return _format_decimal(value, "#.##")
    return java_string(value, attr_type)


# -- aggregates --------------------------------------------------------------------------------
def _percentile_of(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 100:
        raise bad_request(
            "Invalid percentile for query function. Please specify a number from 0 to 100"
        )
    return value


def _sum(numbers: Sequence[float]) -> float:
    """``math.fsum``, or infinity where its intermediate sums overflow."""
    try:
        return math.fsum(numbers)
    except OverflowError:
        return sum(numbers)


def _numeric(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value)


def cast_back(number: float | None, attr_type: str | None, sample: Any) -> Any:
    """An aggregate result in the type of its attribute (integers truncate toward zero)."""
    if number is None:
        return None
    integral = attr_type in _INTEGER_TYPES or (
        attr_type not in _FLOAT_TYPES and isinstance(sample, int) and not isinstance(sample, bool)
    )
    if integral and math.isfinite(number) and -(2**63) <= number < 2**63:
        return int(number)
    return float(number)


def _order_key(value: Any) -> Any:
    if isinstance(value, str):
        return (1, value.encode("utf-16-be"))
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    return (2, java_string(value))


def aggregate(
    selection: Selection, values: Sequence[Any], attr_type: str | None, *, distinct: bool = False
) -> tuple[Any, int | None]:
    """An aggregate over the values of the matching rows, and for min/max the winner's index
    (the later row wins ties). Results are still in storage form (timestamps as millis)."""
    name = selection.function
    count = len(values)
    if name == "count":
        if distinct:
            return len({_order_key(v) if v is not None else None for v in values}), None
        return count, None
    sample = next((v for v in values if v is not None), None)
    if name in ("min", "max"):
        if not values:
            return None, None
        winner: int | None = None
        for position, value in enumerate(values):
            if name == "min" and value is None:
                return None, position
            if value is None:
                continue
            if winner is None:
                winner = position
                continue
            best = _order_key(values[winner])
            current = _order_key(value)
            if (name == "max" and current >= best) or (name == "min" and current <= best):
                winner = position
        return (None if winner is None else values[winner]), winner
    if count == 0:
        return None, None
    numbers = [_numeric(v) for v in values]
    if name == "sum":
        return cast_back(_sum(numbers), attr_type, sample), None
    if name == "avg":
        return cast_back(_sum(numbers) / count, attr_type, sample), None
    if name in ("std", "variance"):
        mean = _sum(numbers) / count
        variance = max(_sum([n * n for n in numbers]) / count - mean * mean, 0.0)
        return (variance if name == "variance" else math.sqrt(variance)), None
    present = sorted(_numeric(v) for v in values if v is not None)
    if not present:
        return None, None
    if name == "median":
        middle = len(present) // 2
        result: float = (
            present[middle] if len(present) % 2 else (present[middle - 1] + present[middle]) / 2
        )
        return cast_back(result, attr_type, sample), None
    p = _percentile_of(selection.params[0] if selection.params else "")
    rank = p / 100 * (len(present) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(present) - 1)
    result = present[low] + (present[high] - present[low]) * (rank - low)
    return cast_back(result, attr_type, sample), None
