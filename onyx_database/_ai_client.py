"""``db.ai``: chat completions (plain or streamed), models and script approval, sync and async.

Requests go to ``ai_base_url`` with the same credentials as the database API. Streams are lazy:
the HTTP request is sent when iteration starts, and the response is closed when the loop ends,
breaks or raises (or on ``close()`` / leaving a ``with`` block)::

    for chunk in db.ai.chat("Tell me a story", stream=True):
        print(chunk["choices"][0]["delta"].get("content", ""), end="")
"""

from __future__ import annotations

from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Generator,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload

from ._ai import (
    SSE_DONE,
    chat_request,
    model_request,
    models_request,
    parse_sse_line,
    script_approval_request,
)
from ._request import Request

if TYPE_CHECKING:
    from ._async_client import AsyncOnyxDatabase
    from ._client import OnyxDatabase

__all__ = ["AsyncChatStream", "AsyncOnyxAI", "ChatStream", "OnyxAI"]

Messages = str | Sequence[Mapping[str, Any]]


class ChatStream:
    """An iterator of chat completion chunks (dicts) parsed from the server-sent events.

    Iterating sends the request; a non-2xx answer raises its :class:`~onyx_database.OnyxHTTPError`
    and a bad event raises :class:`~onyx_database.OnyxDecodeError`. Use it in a ``with`` block
    (or call ``close()``) to release the connection early.
    """

    __slots__ = ("_chunks",)

    def __init__(self, open_lines: Callable[[], AbstractContextManager[Iterator[str]]]) -> None:
        self._chunks = self._generate(open_lines)

    @staticmethod
    def _generate(
        open_lines: Callable[[], AbstractContextManager[Iterator[str]]],
    ) -> Generator[dict[str, Any], None, None]:
        with open_lines() as lines:
            for line in lines:
                event = parse_sse_line(line)
                if event is SSE_DONE:
                    return
                if isinstance(event, dict):
                    yield event

    def __iter__(self) -> ChatStream:
        return self

    def __next__(self) -> dict[str, Any]:
        return next(self._chunks)

    def close(self) -> None:
        """Stop reading and close the HTTP response."""
        self._chunks.close()

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncChatStream:
    """The async twin of :class:`ChatStream`: ``async for chunk in stream``; ``await
    stream.aclose()`` or ``async with`` to release the connection early."""

    __slots__ = ("_chunks",)

    def __init__(
        self, open_lines: Callable[[], AbstractAsyncContextManager[AsyncIterator[str]]]
    ) -> None:
        self._chunks = self._generate(open_lines)

    @staticmethod
    async def _generate(
        open_lines: Callable[[], AbstractAsyncContextManager[AsyncIterator[str]]],
    ) -> AsyncGenerator[dict[str, Any], None]:
        async with open_lines() as lines:
            async for line in lines:
                event = parse_sse_line(line)
                if event is SSE_DONE:
                    return
                if isinstance(event, dict):
                    yield event

    def __aiter__(self) -> AsyncChatStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return await self._chunks.__anext__()

    async def aclose(self) -> None:
        """Stop reading and close the HTTP response."""
        await self._chunks.aclose()

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _chat(
    database_id: str,
    default_model: str,
    messages_or_text: Messages,
    model: str | None,
    stream: bool,
    database_id_override: str | None,
    options: Mapping[str, Any],
) -> Request:
    return chat_request(
        database_id_override if database_id_override is not None else database_id,
        messages_or_text,
        model=model if model is not None else default_model,
        stream=stream,
        options=options,
    )


class OnyxAI:
    """The AI endpoints of a sync client: ``db.ai``.

    ::

        completion = db.ai.chat("Summarize the last 10 orders", model="onyx")
        models = db.ai.get_models()["data"]
    """

    __slots__ = ("_db",)

    def __init__(self, db: OnyxDatabase) -> None:
        self._db = db

    @overload
    def chat(
        self,
        messages_or_text: Messages,
        *,
        model: str | None = None,
        stream: Literal[False] = False,
        database_id: str | None = None,
        **options: Any,
    ) -> dict[str, Any]: ...

    @overload
    def chat(
        self,
        messages_or_text: Messages,
        *,
        model: str | None = None,
        stream: Literal[True],
        database_id: str | None = None,
        **options: Any,
    ) -> ChatStream: ...

    def chat(
        self,
        messages_or_text: Messages,
        *,
        model: str | None = None,
        stream: bool = False,
        database_id: str | None = None,
        **options: Any,
    ) -> dict[str, Any] | ChatStream:
        """A chat completion (the OpenAI-style dict), or with ``stream=True`` a
        :class:`ChatStream` of chunk dicts. ``model`` defaults to the configured
        ``default_model``; other keywords (``temperature``, ``max_tokens``, ``tools``...) go into
        the request body. Never retried.

        ``db.ai.chat([{"role": "user", "content": "Hi"}], temperature=0.2)["choices"][0]``
        """
        request = _chat(
            self._db.database_id,
            self._db.config.default_model,
            messages_or_text,
            model,
            stream,
            database_id,
            options,
        )
        if stream:
            transport, call = self._db._transport, self._db._call
            return ChatStream(lambda: transport.open_lines(request, call))
        answer: dict[str, Any] = self._db._send(request)
        return answer

    def get_models(self) -> dict[str, Any]:
        """The models the AI service offers: ``{"object": "list", "data": [...]}``."""
        answer: dict[str, Any] = self._db._send(models_request())
        return answer

    def get_model(self, model_id: str) -> dict[str, Any]:
        """One model by id. ``db.ai.get_model("onyx")``"""
        answer: dict[str, Any] = self._db._send(model_request(model_id))
        return answer

    def request_script_approval(self, script: str) -> dict[str, Any]:
        """Ask the service to review a script: ``{normalizedScript, requiresApproval, ...}``.

        ``db.ai.request_script_approval("db.save({...})")``
        """
        answer: dict[str, Any] = self._db._send(script_approval_request(script))
        return answer


class AsyncOnyxAI:
    """The AI endpoints of an async client: ``db.ai`` (same methods, awaited).

    ::

        completion = await db.ai.chat("Hi")
        async for chunk in await db.ai.chat("Hi", stream=True):
            ...
    """

    __slots__ = ("_db",)

    def __init__(self, db: AsyncOnyxDatabase) -> None:
        self._db = db

    @overload
    async def chat(
        self,
        messages_or_text: Messages,
        *,
        model: str | None = None,
        stream: Literal[False] = False,
        database_id: str | None = None,
        **options: Any,
    ) -> dict[str, Any]: ...

    @overload
    async def chat(
        self,
        messages_or_text: Messages,
        *,
        model: str | None = None,
        stream: Literal[True],
        database_id: str | None = None,
        **options: Any,
    ) -> AsyncChatStream: ...

    async def chat(
        self,
        messages_or_text: Messages,
        *,
        model: str | None = None,
        stream: bool = False,
        database_id: str | None = None,
        **options: Any,
    ) -> dict[str, Any] | AsyncChatStream:
        """A chat completion dict, or with ``stream=True`` an :class:`AsyncChatStream`."""
        request = _chat(
            self._db.database_id,
            self._db.config.default_model,
            messages_or_text,
            model,
            stream,
            database_id,
            options,
        )
        if stream:
            transport, call = self._db._transport, self._db._call
            return AsyncChatStream(lambda: transport.open_lines(request, call))
        answer: dict[str, Any] = await self._db._send(request)
        return answer

    async def get_models(self) -> dict[str, Any]:
        """The models the AI service offers: ``{"object": "list", "data": [...]}``."""
        answer: dict[str, Any] = await self._db._send(models_request())
        return answer

    async def get_model(self, model_id: str) -> dict[str, Any]:
        """One model by id."""
        answer: dict[str, Any] = await self._db._send(model_request(model_id))
        return answer

    async def request_script_approval(self, script: str) -> dict[str, Any]:
        """Ask the service to review a script."""
        answer: dict[str, Any] = await self._db._send(script_approval_request(script))
        return answer
