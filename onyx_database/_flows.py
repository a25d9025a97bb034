"""Multi-request flows, written once as generators and run by a tiny sync or async driver.

A flow is a generator that yields *effects* and :class:`Emit` values:

- a :class:`~onyx_database._request.Request` (or anything the performer understands): the driver
  performs it and sends the result back in, or throws the exception the performer raised;
- a :class:`Sleep`: the driver waits (``time.sleep`` or ``anyio.sleep``);
- an :class:`Emit`: the driver hands the value to its consumer.

So retries, pagination and batch chunking have exactly one implementation each, and the sync and
async clients differ only in the ~10-line drivers :func:`drive` and :func:`adrive`.
"""

from __future__ import annotations

import itertools
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Iterator,
)
from dataclasses import dataclass
from typing import Any

from ._errors import OnyxBatchError, OnyxConnectionError, OnyxDecodeError, OnyxError
from ._request import PageData, RawResponse, Request, parse_page
from ._retry import RetryPolicy, parse_retry_after
from ._serialize import to_wire_list

__all__ = [
    "Emit",
    "Flow",
    "Sleep",
    "adrive",
    "batch_flow",
    "drive",
    "pages_flow",
    "retry_flow",
]


@dataclass(frozen=True, slots=True)
class Sleep:
    """Effect: wait ``seconds`` before continuing; ``reason`` is for the log."""

    seconds: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Emit:
    """Not an effect: a value for the consumer of the flow."""

    value: Any


Flow = Generator[Any, Any, None]


class _Steps:
    """A flow stepped by a driver: iterating sends the last reply in (or throws the last error)
    and gives the next step; the iteration ends with the flow. Closes the flow on exit."""

    __slots__ = ("error", "flow", "reply")

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.reply: Any = None
        self.error: Exception | None = None

    def __enter__(self) -> _Steps:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.flow.close()

    def __iter__(self) -> _Steps:
        return self

    def __next__(self) -> Any:
        reply, error, self.reply, self.error = self.reply, self.error, None, None
        return self.flow.send(reply) if error is None else self.flow.throw(error)

    def perform(self, perform: Callable[[Any], Any], step: Any) -> None:
        try:
            self.reply = perform(step)
        except Exception as exc:
            self.error = exc

    async def aperform(self, perform: Callable[[Any], Awaitable[Any]], step: Any) -> None:
        try:
            self.reply = await perform(step)
        except Exception as exc:
            self.error = exc


def drive(flow: Flow, perform: Callable[[Any], Any]) -> Generator[Any, None, None]:
    """Run ``flow`` synchronously, yielding what it emits."""
    with _Steps(flow) as steps:
        for step in steps:
            if isinstance(step, Emit):
                yield step.value
            else:
                steps.perform(perform, step)


async def adrive(flow: Flow, perform: Callable[[Any], Awaitable[Any]]) -> AsyncGenerator[Any, None]:
    """Run ``flow`` on the event loop, yielding what it emits."""
    with _Steps(flow) as steps:
        for step in steps:
            if isinstance(step, Emit):
                yield step.value
            else:
                await steps.aperform(perform, step)


def retry_flow(
    request: Request,
    policy: RetryPolicy,
    jitter: Callable[[], float],
    *,
    deadline: float | None = None,
    clock: Callable[[], float] | None = None,
) -> Generator[Any, Any, None]:
    """Send ``request`` until it gets a final answer, then emit that :class:`RawResponse`.

    The performer answers a Request with a RawResponse or raises
    :class:`~onyx_database.OnyxConnectionError`. Retries follow ``policy``: only idempotent
    requests, only on connection failures and 429/502/503/504, with backoff or ``Retry-After``.
    With a ``deadline`` (a ``clock()`` reading), a retry whose wait would end past it is not made:
    the last error or answer is final, so one call never outlives its deadline by a backoff.
    """
    retries = 0
    while True:
        try:
            response: RawResponse = yield request
        except OnyxConnectionError as exc:
            if not policy.should_retry_error(idempotent=request.idempotent, retries_done=retries):
                raise
            delay = policy.delay(retries, jitter=jitter())
            if _past(deadline, clock, delay):
                raise
            yield Sleep(delay, f"{type(exc).__name__}: {exc}")
        else:
            if not policy.should_retry_status(
                response.status, idempotent=request.idempotent, retries_done=retries
            ):
                yield Emit(response)
                return
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            delay = policy.delay(retries, retry_after=retry_after, jitter=jitter())
            if _past(deadline, clock, delay):
                yield Emit(response)
                return
            yield Sleep(delay, f"HTTP {response.status}")
        retries += 1


def _past(deadline: float | None, clock: Callable[[], float] | None, delay: float) -> bool:
    """Whether waiting ``delay`` seconds from now would reach ``deadline``."""
    if deadline is None or clock is None:
        return False
    return clock() + delay >= deadline


def pages_flow(
    make_request: Callable[[str | None], Request], next_page: str | None = None
) -> Generator[Any, Any, None]:
    """Fetch pages until the server stops sending a ``nextPage`` token; emit each
    :class:`~onyx_database._request.PageData`. A token seen twice means the server would loop
    forever, so it is an error rather than a silent truncation."""
    seen: set[str] = set()
    while True:
        body = yield make_request(next_page)
        page: PageData = parse_page(body)
        yield Emit(page)
        if page.next_page is None:
            return
        if page.next_page in seen:
            raise OnyxDecodeError(f"the server sent the page token {page.next_page!r} twice")
        seen.add(page.next_page)
        next_page = page.next_page


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def batch_flow(
    items: Iterable[Any], batch_size: int, make_request: Callable[[list[Any]], Request]
) -> Generator[Any, Any, None]:
    """Send ``items`` in chunks of ``batch_size``, one request each, in order; emit each chunk's
    decoded answer together with its size as ``(size, answer)``.

    A failing chunk (serialization or HTTP) raises :class:`~onyx_database.OnyxBatchError` naming
    the chunks committed, the one that failed (a definite failure, or an unknown outcome when its
    answer was lost after sending) and where the unsent ones start, with the original error as
    ``__cause__``. Chunks are built lazily, so an iterable of any length is never held in memory.
    """
    committed: list[int] = []
    committed_records = 0
    chunks = _chunks(items, batch_size)
    for index, chunk in enumerate(chunks):
        try:
            body = to_wire_list(chunk, "entities", index * batch_size)
            answer = yield make_request(body)
        except OnyxError as exc:
            error = exc
        else:
            committed.append(index)
            committed_records += len(chunk)
            yield Emit((len(chunk), answer))
            continue
        more = next(chunks, None) is not None
        raise _batch_error(error, index, chunk, batch_size, committed, committed_records, more)


def _batch_error(
    cause: OnyxError,
    index: int,
    chunk: list[Any],
    batch_size: int,
    committed: list[int],
    committed_records: int,
    more: bool,
) -> OnyxBatchError:
    first = index * batch_size
    records = f"records {first}..{first + len(chunk) - 1}"
    done = (
        f"chunks {committed[0]}..{committed[-1]} ({committed_records} records) committed"
        if committed
        else "no chunk committed"
    )
    if cause.outcome_unknown:
        state = (
            f"outcome of chunk {index} ({records}) unknown: it was sent and its answer was lost, "
            "so it may have been applied"
        )
    else:
        state = (
            f"chunk {index} ({records}) was refused; the server applies a chunk's records in "
            "order without rollback, so those before the refused one may be saved"
        )
    rest = f"; chunks from {index + 1} on not sent" if more else ""
    error = OnyxBatchError(
        f"batch save failed: {state}; {done}{rest}: {cause}",
        committed_chunks=list(committed),
        failed_chunk=index,
        chunk_size=batch_size,
        committed_records=committed_records,
        outcome_unknown=cause.outcome_unknown,
        unknown_records=len(chunk),
        not_sent_from=index + 1 if more else None,
    )
    error.__cause__ = cause
    return error
