"""The fast paths of timestamp parsing and printing answer exactly what the full ones do."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from onyx_database.local import _dates

MILLIS = st.integers(min_value=_dates._MIN_MS, max_value=_dates._MAX_MS)


def _full_parse(text: str) -> int | None:
    """parse_timestamp with the canonical fast path bypassed (an untrimmed copy of the text)."""
    return _dates.parse_timestamp(f" {text} ")


@settings(max_examples=500, deadline=None, derandomize=True)
@given(MILLIS)
def test_canonical_text_parses_and_prints_back_the_same(ms: int) -> None:
    _dates._PRINTED.clear()
    printed = _dates.format_iso(ms)
    padded = printed if len(printed) == 24 else printed.zfill(24)  # years before 1000
    assert _dates.parse_timestamp(padded) == _full_parse(padded)
    # Whatever the parse left behind, printing the milliseconds gives the same text.
    assert _dates.format_iso(ms) == printed
    assert _dates.format_iso(ms) == printed


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\Z"))
def test_any_canonical_shaped_text_parses_like_the_full_parser(text: str) -> None:
    fast = _dates.parse_timestamp(text)
    assert fast == _full_parse(text)
    if fast is not None and not text.startswith("0"):
        assert _dates.format_iso(fast) == text
