"""``db.ai``: chat completions (plain or streamed), models and script approval.

Written by hand for the async client; ``_ai_client.py`` (the sync twin) is generated from it by
``scripts/unasync.py``. Requests go to ``ai_base_url`` with the same credentials as the database
API. Streams are lazy: the HTTP request is sent when iteration starts, and the response is closed
when the loop ends, breaks or raises (or on ``close()`` / leaving a ``with`` block)::

    async for chunk in await db.ai.chat("Tell me a story", stream=True):
        print(chunk["choices"][0]["delta"].get("content", ""), end="")
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Literal, overload

from ._ai import (
    SSE_DONE,
    Messages,
    chat_request,
    model_request,
    models_request,
    parse_sse_line,
    script_approval_request,
)
from ._ai_request import split_chat_request

if TYPE_CHECKING:
    from ._async_client import AsyncOnyxDatabase

__all__ = ["AsyncChatClient", "AsyncChatStream", "AsyncOnyxAI", "Messages"]

Chunk = dict[str, Any]


class AsyncChatStream(AbstractAsyncContextManager["AsyncChatStream", None]):
    """An iterator of chat completion chunks (dicts) parsed from the server-sent events.

    Iterating sends the request; a non-2xx answer raises its :class:`~onyx_database.OnyxHTTPError`
    and a bad event raises :class:`~onyx_database.OnyxDecodeError`. Use it in a ``with`` block
    (or call ``aclose()``) to release the connection early.
    """

    __slots__ = ("_chunks",)

    def __init__(
        self, open_lines: Callable[[], AbstractAsyncContextManager[AsyncIterator[str]]]
    ) -> None:
        self._chunks = self._generate(open_lines)

    @staticmethod
    async def _generate(
        open_lines: Callable[[], AbstractAsyncContextManager[AsyncIterator[str]]],
    ) -> AsyncGenerator[Chunk, None]:
        async with open_lines() as lines:
            async for line in lines:
                event = parse_sse_line(line)
                if event is SSE_DONE:
                    return
                if isinstance(event, dict):
                    yield event

    def __aiter__(self) -> AsyncChatStream:
        return self

    async def __anext__(self) -> Chunk:
        return await anext(self._chunks)

    async def aclose(self) -> None:
        """Stop reading and close the HTTP response."""
        await self._chunks.aclose()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class AsyncOnyxAI:
    """The AI endpoints of a client: ``db.ai``.

    ::

        completion = await db.ai.chat("Summarize the last 10 orders", model="onyx")
        models = (await db.ai.get_models())["data"]
    """

    __slots__ = ("_db",)

    def __init__(self, db: AsyncOnyxDatabase) -> None:
        self._db = db

    @overload
    async def chat(
        self,
        content_or_request: Messages,
        options: Mapping[str, Any] | None = None,
        *,
        model: str | None = None,
        stream: Literal[False] = False,
        database_id: str | None = None,
        **kwargs: Any,
    ) -> Chunk: ...

    @overload
    async def chat(
        self,
        content_or_request: Messages,
        options: Mapping[str, Any] | None = None,
        *,
        model: str | None = None,
        stream: Literal[True],
        database_id: str | None = None,
        **kwargs: Any,
    ) -> AsyncChatStream: ...

    @overload
    async def chat(
        self,
        content_or_request: Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
        *,
        model: str | None = None,
        stream: bool = False,
        database_id: str | None = None,
        **kwargs: Any,
    ) -> Chunk | AsyncChatStream: ...

    async def chat(
        self,
        content_or_request: Messages | Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
        *,
        model: str | None = None,
        stream: bool = False,
        database_id: str | None = None,
        **kwargs: Any,
    ) -> Chunk | AsyncChatStream:
        """A chat completion (the OpenAI-style dict), or with ``stream=True`` a
        :class:`AsyncChatStream` of chunk dicts. ``model`` defaults to the configured
        ``default_model``; other keywords (``temperature``, ``max_tokens``, ``tools``...) go into
        the request body. Never retried.

        ``(await db.ai.chat([{"role": "user", "content": "Hi"}], temperature=0.2))["choices"]``

        The official SDK's request dict works too (its ``stream`` key picks the return type):
        ``await db.ai.chat({"model": "onyx-chat", "messages": [...]})``.
        """
        db = self._db
        body_options: dict[str, Any] = {}
        if isinstance(content_or_request, Mapping):
            messages, asked_model, asked_stream, asked_db, body_options = split_chat_request(
                content_or_request, options
            )
            model = model if model is not None else asked_model
            stream = stream or asked_stream
            database_id = database_id if database_id is not None else asked_db
        else:
            messages = content_or_request
            if options is not None:
                body_options.update(options)
        body_options.update(kwargs)
        request = chat_request(
            database_id if database_id is not None else db.database_id,
            messages,
            model=model if model is not None else db.config.default_model,
            stream=stream,
            options=body_options,
        )
        if stream:
            transport, call = db._transport, db._call
            return AsyncChatStream(lambda: transport.open_lines(request, call))
        answer: Chunk = await db._send(request)
        return answer

    def chat_client(self) -> AsyncChatClient:
        """The official SDK's chat client: ``await db.ai.chat_client().create(request)``."""
        return AsyncChatClient(self)

    async def get_models(self) -> Chunk:
        """The models the AI service offers: ``{"object": "list", "data": [...]}``."""
        answer: Chunk = await self._db._send(models_request())
        return answer

    async def get_model(self, model_id: str) -> Chunk:
        """One model by id. ``await db.ai.get_model("onyx")``"""
        answer: Chunk = await self._db._send(model_request(model_id))
        return answer

    async def request_script_approval(self, script: str) -> Chunk:
        """Ask the service to review a script: ``{normalizedScript, requiresApproval, ...}``.

        ``await db.ai.request_script_approval("db.save({...})")``
        """
        answer: Chunk = await self._db._send(script_approval_request(script))
        return answer


class AsyncChatClient:
    """``db.ai.chat_client()``: chat completions from the official SDK's request dict."""

    __slots__ = ("_ai",)

    def __init__(self, ai: AsyncOnyxAI) -> None:
        self._ai = ai

    async def create(
        self,
        request: Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
        *,
        database_id: str | None = None,
    ) -> Chunk | AsyncChatStream:
        """The completion of ``request`` (``{"model", "messages", "stream"?, ...}``)."""
        return await self._ai.chat(request, options, database_id=database_id)
