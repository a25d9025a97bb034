"""``db.ai`` of the sync client: chat completions (plain or streamed), models and script
approval.

Generated from ``_async_ai_client.py`` by ``scripts/unasync.py``: edit that file, not this.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import AbstractContextManager
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
    from ._client import OnyxDatabase

__all__ = ["ChatClient", "ChatStream", "Messages", "OnyxAI"]

Chunk = dict[str, Any]


class ChatStream(AbstractContextManager["ChatStream", None]):
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
    ) -> Generator[Chunk, None]:
        with open_lines() as lines:
            for line in lines:
                event = parse_sse_line(line)
                if event is SSE_DONE:
                    return
                if isinstance(event, dict):
                    yield event

    def __iter__(self) -> ChatStream:
        return self

    def __next__(self) -> Chunk:
        return next(self._chunks)

    def close(self) -> None:
        """Stop reading and close the HTTP response."""
        self._chunks.close()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class OnyxAI:
    """The AI endpoints of a client: ``db.ai``.

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
        content_or_request: Messages,
        options: Mapping[str, Any] | None = None,
        *,
        model: str | None = None,
        stream: Literal[False] = False,
        database_id: str | None = None,
        **kwargs: Any,
    ) -> Chunk: ...

    @overload
    def chat(
        self,
        content_or_request: Messages,
        options: Mapping[str, Any] | None = None,
        *,
        model: str | None = None,
        stream: Literal[True],
        database_id: str | None = None,
        **kwargs: Any,
    ) -> ChatStream: ...

    @overload
    def chat(
        self,
        content_or_request: Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
        *,
        model: str | None = None,
        stream: bool = False,
        database_id: str | None = None,
        **kwargs: Any,
    ) -> Chunk | ChatStream: ...

    def chat(
        self,
        content_or_request: Messages | Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
        *,
        model: str | None = None,
        stream: bool = False,
        database_id: str | None = None,
        **kwargs: Any,
    ) -> Chunk | ChatStream:
        """A chat completion (the OpenAI-style dict), or with ``stream=True`` a
        :class:`ChatStream` of chunk dicts. ``model`` defaults to the configured
        ``default_model``; other keywords (``temperature``, ``max_tokens``, ``tools``...) go into
        the request body. Never retried.

        ``db.ai.chat([{"role": "user", "content": "Hi"}], temperature=0.2)["choices"]``

        The official SDK's request dict works too (its ``stream`` key picks the return type):
        ``db.ai.chat({"model": "onyx-chat", "messages": [...]})``.
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
            return ChatStream(lambda: transport.open_lines(request, call))
        answer: Chunk = db._send(request)
        return answer

    def chat_client(self) -> ChatClient:
        """The official SDK's chat client: ``db.ai.chat_client().create(request)``."""
        return ChatClient(self)

    def get_models(self) -> Chunk:
        """The models the AI service offers: ``{"object": "list", "data": [...]}``."""
        answer: Chunk = self._db._send(models_request())
        return answer

    def get_model(self, model_id: str) -> Chunk:
        """One model by id. ``db.ai.get_model("onyx")``"""
        answer: Chunk = self._db._send(model_request(model_id))
        return answer

    def request_script_approval(self, script: str) -> Chunk:
        """Ask the service to review a script: ``{normalizedScript, requiresApproval, ...}``.

        ``db.ai.request_script_approval("db.save({...})")``
        """
        answer: Chunk = self._db._send(script_approval_request(script))
        return answer


class ChatClient:
    """``db.ai.chat_client()``: chat completions from the official SDK's request dict."""

    __slots__ = ("_ai",)

    def __init__(self, ai: OnyxAI) -> None:
        self._ai = ai

    def create(
        self,
        request: Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
        *,
        database_id: str | None = None,
    ) -> Chunk | ChatStream:
        """The completion of ``request`` (``{"model", "messages", "stream"?, ...}``)."""
        return self._ai.chat(request, options, database_id=database_id)
