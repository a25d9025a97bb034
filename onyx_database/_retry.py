"""When to re-send a request and how long to wait first. Pure: no clock, no I/O, no randomness
of its own (the caller passes a random number), so every decision is a plain unit test.

Only idempotent requests are ever retried (GET, query pages, counts). Saves, inserts, deletes and
updates are sent once: a write that failed after reaching the server may have been applied.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
from dataclasses import dataclass

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "parse_retry_after"]

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or ``None``.

    >>> parse_retry_after("1.5")
    1.5
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT",
    ...                   now=dt.datetime(2015, 10, 21, 7, 28, 0, tzinfo=dt.UTC))
    10.0
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry decisions shared by the sync and async transports.

    ``max_retries`` is the number of *re*-sends (0 disables retries). The wait before retry ``n``
    (0-based) is ``backoff_seconds * 2**n``, scaled by a jitter factor in ``[0.5, 1.0]`` and capped
    at ``max_backoff_seconds``; a server ``Retry-After`` replaces it, capped at
    ``max_retry_after_seconds`` so a confused server cannot park a caller for an hour.

    >>> policy = RetryPolicy(max_retries=3, backoff_seconds=0.1)
    >>> [round(policy.delay(n, jitter=1.0), 3) for n in range(3)]
    [0.1, 0.2, 0.4]
    >>> policy.delay(0, retry_after=2.0, jitter=1.0)
    2.0
    """

    max_retries: int = 3
    backoff_seconds: float = 0.25
    max_backoff_seconds: float = 10.0
    max_retry_after_seconds: float = 60.0
    retry_statuses: frozenset[int] = RETRYABLE_STATUSES

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.backoff_seconds < 0:
            raise ValueError("backoff_seconds must be >= 0")

    def may_retry(self, *, idempotent: bool, retries_done: int) -> bool:
        """Whether a request with this many retries behind it may be sent again at all."""
        return idempotent and retries_done < self.max_retries

    def should_retry_status(self, status: int, *, idempotent: bool, retries_done: int) -> bool:
        """Retry after an HTTP answer: only 429/502/503/504, only idempotent requests."""
        return status in self.retry_statuses and self.may_retry(
            idempotent=idempotent, retries_done=retries_done
        )

    def should_retry_error(self, *, idempotent: bool, retries_done: int) -> bool:
        """Retry after a connection failure or a timeout (no HTTP answer at all)."""
        return self.may_retry(idempotent=idempotent, retries_done=retries_done)

    def delay(self, retries_done: int, *, retry_after: float | None = None, jitter: float) -> float:
        """Seconds to wait before the next attempt.

        ``jitter`` is a number in ``[0, 1]`` from the caller's random source; it scales the
        exponential wait into ``[0.5, 1.0]`` of its value so clients that failed together do not
        retry together. A ``Retry-After`` hint is honoured as given (capped), without jitter.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after_seconds)
        base = self.backoff_seconds * float(1 << retries_done)
        factor = 0.5 + 0.5 * min(max(jitter, 0.0), 1.0)
        return min(base * factor, self.max_backoff_seconds)
