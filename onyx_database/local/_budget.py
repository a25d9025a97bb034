"""The time budget of one query: a deadline and a cancel flag that the worker thread checks.

The budget is set thread-locally around the handler, so the places that can run long without
returning to Python (a SQLite statement, a regular expression) see it: SQLite through a progress
handler (:func:`sqlite_progress`), regular expressions through :mod:`._regex`. While the handler
runs in its thread, the event loop watches the connection; a client that leaves cancels the query.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio.to_thread

from ._errors import ApiError

__all__ = [
    "DEFAULT_QUERY_TIMEOUT",
    "DEFAULT_REGEX_TIMEOUT",
    "QueryBudget",
    "QueryStats",
    "current",
    "run_within",
    "serve_budgeted",
    "sqlite_progress",
]

DEFAULT_QUERY_TIMEOUT = 30.0
DEFAULT_REGEX_TIMEOUT = 1.0
PROGRESS_STEPS = 50_000  # SQLite VM steps between budget checks (well under a millisecond)

T = TypeVar("T")
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


class ClientGone(Exception):
    """The client closed the connection; the query was stopped."""


@dataclass
class QueryStats:
    """Counters a test or an operator can read: queries stopped by their budget or a client.

    >>> server.query_stats.timed_out, server.query_stats.cancelled  # doctest: +SKIP
    (0, 0)
    """

    timed_out: int = 0
    cancelled: int = 0
    running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, name: str, step: int = 1) -> None:
        with self._lock:  # worker threads update these concurrently
            setattr(self, name, getattr(self, name) + step)


class QueryBudget:
    """``seconds`` for the whole query (``None``: no limit), ``regex_seconds`` per regex call."""

    def __init__(self, seconds: float | None, regex_seconds: float = DEFAULT_REGEX_TIMEOUT):
        self.seconds = seconds
        self.regex_seconds = regex_seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.cancelled = False
        self.failure: ApiError | None = None  # raised inside SQLite, where it would be lost

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def expired(self) -> bool:
        left = self.remaining()
        return self.cancelled or (left is not None and left <= 0)

    def error(self) -> Exception:
        """What stops the query now: :class:`ClientGone` or a 422 ``QUERY_TIMEOUT``."""
        if self.cancelled:
            return ClientGone()
        return ApiError(
            422,
            "QUERY_TIMEOUT",
            f"the query ran past its time budget of {self.seconds:g} s and was stopped; narrow"
            " it (an indexed condition, a smaller page) or simplify its regular expressions",
        )

    def check(self) -> None:
        if self.expired():
            raise self.error()


_local = threading.local()


def current() -> QueryBudget | None:
    """The budget of the query this thread is running, if any."""
    budget: QueryBudget | None = getattr(_local, "budget", None)
    return budget


@contextlib.contextmanager
def _active(budget: QueryBudget) -> Iterator[None]:
    previous = current()
    _local.budget = budget
    try:
        yield
    finally:
        _local.budget = previous


def sqlite_progress() -> int:
    """SQLite progress handler: non-zero interrupts the statement once the budget is spent."""
    budget = current()
    return 1 if budget is not None and budget.expired() else 0


def install(conn: sqlite3.Connection) -> None:
    """Let ``conn``'s statements be interrupted by the running query's budget."""
    conn.set_progress_handler(sqlite_progress, PROGRESS_STEPS)


def run_within(budget: QueryBudget, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in this thread under ``budget``; an interrupted SQLite statement
    becomes the budget's error (or the regex error raised inside SQLite)."""
    with _active(budget):
        try:
            return function(*args)
        except sqlite3.OperationalError:
            if budget.failure is not None:
                raise budget.failure from None
            if budget.expired():
                raise budget.error() from None
            raise


def _run(function: Callable[[Any], T], argument: Any, budget: QueryBudget, stats: QueryStats) -> T:
    stats.count("running")
    try:
        return run_within(budget, function, argument)
    except ApiError as error:
        if error.code == "QUERY_TIMEOUT":
            stats.count("timed_out")
        raise
    except ClientGone:
        stats.count("cancelled")
        raise
    finally:
        stats.count("running", -1)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def serve_budgeted(
    function: Callable[[Any], T],
    argument: Any,
    receive: Receive,
    budget: QueryBudget,
    stats: QueryStats,
) -> T | None:
    """Run ``function(argument)`` in a worker thread under ``budget``; ``None`` when the client
    left first (the query is cancelled and nothing is answered)."""
    work = asyncio.ensure_future(anyio.to_thread.run_sync(_run, function, argument, budget, stats))
    watch = asyncio.ensure_future(_disconnected(receive))
    try:
        await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # the server is shutting down: stop the thread's work too
        budget.cancelled = True
        raise
    finally:
        watch.cancel()
    if not work.done():
        budget.cancelled = True
    try:
        return await work
    except ClientGone:
        return None
    except Exception:
        if budget.cancelled:
            return None  # nobody is left to hear about it
        raise
