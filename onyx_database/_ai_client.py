"""``db.ai`` of the sync client: chat completions (plain or streamed), models and script
approval.

Generated from ``_async_ai_client.py`` by ``scripts/unasync.py``: edit that file, not this.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
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

if TYPE_CHECKING:
    from ._client import OnyxDatabase

__all__ = ["ChatStream", "Messages", "OnyxAI"]

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
        messages_or_text: Messages,
        *,
        model: str | None = None,
        stream: Literal[False] = False,
        database_id: str | None = None,
        **options: Any,
    ) -> Chunk: ...

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
    ) -> Chunk | ChatStream:
        """A chat completion (the OpenAI-style dict), or with ``stream=True`` a
        :class:`ChatStream` of chunk dicts. ``model`` defaults to the configured
        ``default_model``; other keywords (``temperature``, ``max_tokens``, ``tools``...) go into
        the request body. Never retried.

        ``db.ai.chat([{"role": "user", "content": "Hi"}], temperature=0.2)["choices"]``
        """
        db = self._db
        request = chat_request(
            database_id if database_id is not None else db.database_id,
            messages_or_text,
            model=model if model is not None else db.config.default_model,
            stream=stream,
            options=options,
        )
        if stream:
            transport, call = db._transport, db._call
            return ChatStream(lambda: transport.open_lines(request, call))
        answer: Chunk = db._send(request)
        return answer

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
