"""The official SDK's chat request dict (``db.ai.chat({"model", "messages", "stream"})``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import OnyxUsageError

__all__ = ["ChatArgs", "split_chat_request"]

ChatArgs = tuple[Any, "str | None", bool, "str | None", dict[str, Any]]


def split_chat_request(
    request: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> ChatArgs:
    """``(messages, model, stream, database_id, other body keys)`` of a request dict; ``options``
    may carry ``database_id``/``databaseId`` as in the official SDK.

    >>> split_chat_request({"model": "m", "messages": [{"role": "user", "content": "Hi"}],
    ...                     "stream": True, "temperature": 0.2})
    ([{'role': 'user', 'content': 'Hi'}], 'm', True, None, {'temperature': 0.2})
    """
    if options is not None and not isinstance(options, Mapping):
        raise OnyxUsageError(f"options must be a dict, got {type(options).__name__}")
    body = dict(request)
    messages = body.pop("messages", None)
    if messages is None:
        raise OnyxUsageError("a chat request dict needs 'messages'")
    model = body.pop("model", None)
    stream = bool(body.pop("stream", False))
    opts = dict(options or {})
    database_id = None
    for source in (opts, body):
        for key in ("database_id", "databaseId"):
            value = source.pop(key, None)
            if database_id is None and value is not None:
                database_id = str(value)
    return list(messages), model, stream, database_id, body
