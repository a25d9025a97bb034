"""Regular expressions for MATCHES and ``replace()``: bounded in time, off the GIL.

Python's ``re`` cannot be interrupted and holds the GIL, so one catastrophic pattern
(``(a+)+$`` on a long value) froze every other request. The ``regex`` package takes a
``timeout`` and, with ``concurrent=True``, releases the GIL while it matches. Each call gets the
smaller of the per-call limit and what is left of the query's budget (:mod:`._budget`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import regex

from ._budget import DEFAULT_REGEX_TIMEOUT, current
from ._errors import ApiError, bad_request

__all__ = ["MAX_PATTERN", "SafePattern", "compile_pattern"]

MAX_PATTERN: Final = 10_000
_SHOWN: Final = 80


def _limit() -> tuple[float, bool]:
    """Seconds this match may take, and whether the query's budget (not the per-match
    limit) set them."""
    budget = current()
    if budget is None:
        return DEFAULT_REGEX_TIMEOUT, False
    budget.check()
    left = budget.remaining()
    if left is not None and left < budget.regex_seconds:
        return max(left, 0.001), True
    return budget.regex_seconds, False


class SafePattern:
    """A compiled pattern whose every match runs under a time limit.

    >>> compile_pattern("a+b").fullmatch("aab") is not None
    True
    """

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._compiled = compiled

    @property
    def groups(self) -> int:
        return int(self._compiled.groups)

    def __repr__(self) -> str:
        return f"SafePattern({self.pattern[:_SHOWN]!r})"

    def _timed_out(self, limit: float, by_budget: bool) -> Exception:
        budget = current()
        if budget is not None and (by_budget or budget.expired()):
            return budget.error()
        shown = self.pattern if len(self.pattern) <= _SHOWN else self.pattern[:_SHOWN] + "…"
        error = ApiError(
            422,
            "REGEX_TIMEOUT",
            f"the regular expression {shown!r} ran longer than {limit:g} s on one value"
            " (catastrophic backtracking?) and was stopped; simplify it",
        )
        if budget is not None:
            budget.failure = error
        return error

    def _call(self, method: str, *args: Any) -> Any:
        limit, by_budget = _limit()
        try:
            return getattr(self._compiled, method)(*args, timeout=limit, concurrent=True)
        except TimeoutError:
            raise self._timed_out(limit, by_budget) from None

    def fullmatch(self, text: str) -> Any:
        return self._call("fullmatch", text)

    def match(self, text: str) -> Any:
        return self._call("match", text)

    def search(self, text: str) -> Any:
        return self._call("search", text)

    def sub(self, replacement: str | Callable[[Any], str], text: str) -> str:
        result: str = self._call("sub", replacement, text)
        return result


def compile_pattern(pattern: str, what: str = "MATCHES pattern") -> SafePattern:
    """Compile ``pattern`` or answer 400 naming what is wrong with it."""
    if len(pattern) > MAX_PATTERN:
        raise bad_request(f"{what} is too long")
    try:
        return SafePattern(pattern, regex.compile(pattern, flags=regex.VERSION0))
    except (regex.error, RecursionError, OverflowError, ValueError) as error:
        raise bad_request(f"Invalid regular expression {pattern!r}: {error}") from None
