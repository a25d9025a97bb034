"""The AI endpoints on ``ai_base_url`` as data: requests, completions and SSE chunks (no I/O).

>>> parse_sse_line('data: {"choices": []}')
{'choices': []}
>>> parse_sse_line("data: [DONE]") is SSE_DONE, parse_sse_line(": keep-alive")
(True, None)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ._codec import decode_json
from ._errors import OnyxDecodeError, OnyxUsageError
from ._request import Request
from ._serialize import to_wire

__all__ = [
    "SSE_DONE",
    "Messages",
    "chat_content",
    "chat_request",
    "model_request",
    "models_request",
    "parse_sse_line",
    "script_approval_request",
]

Messages = str | Sequence[Mapping[str, Any]]
"""A prompt: plain text (one user message) or OpenAI-style message dicts."""

_ROLES = frozenset({"system", "user", "assistant", "tool", "developer"})
_RESERVED = frozenset({"model", "messages", "stream"})


class _Done:
    __slots__ = ()

    def __repr__(self) -> str:
        return "SSE_DONE"


SSE_DONE: Final = _Done()
"""What :func:`parse_sse_line` returns for the ``data: [DONE]`` terminator."""


def _messages(messages_or_text: str | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(messages_or_text, str):
        if not messages_or_text.strip():
            raise OnyxUsageError("chat() needs a non-empty message")
        return [{"role": "user", "content": messages_or_text}]
    if not isinstance(messages_or_text, Sequence) or not messages_or_text:
        raise OnyxUsageError(
            "chat() takes a text or a non-empty list of {'role', 'content'} messages"
        )
    out: list[dict[str, Any]] = []
    for index, message in enumerate(messages_or_text):
        if not isinstance(message, Mapping):
            raise OnyxUsageError(f"messages[{index}] must be a mapping, got {type(message)}")
        role = message.get("role")
        if role not in _ROLES:
            raise OnyxUsageError(
                f"messages[{index}] needs a role among {sorted(_ROLES)}, got {role!r}"
            )
        out.append(to_wire(dict(message), f"messages[{index}]"))
    return out


def chat_request(
    database_id: str,
    messages_or_text: str | Sequence[Mapping[str, Any]],
    *,
    model: str,
    stream: bool,
    options: Mapping[str, Any],
) -> Request:
    """``POST {ai}/v1/chat/completions?databaseId=...`` with an OpenAI-style body.

    ``options`` (``temperature``, ``max_tokens``, ``tools``...) are added to the body as given.
    """
    if not isinstance(model, str) or not model.strip():
        raise OnyxUsageError(f"model must be a non-empty string, got {model!r}")
    clash = _RESERVED.intersection(options)
    if clash:
        raise OnyxUsageError(f"pass {sorted(clash)} as chat() arguments, not as options")
    body: dict[str, Any] = {
        "model": model,
        "messages": _messages(messages_or_text),
        "stream": bool(stream),
    }
    body.update(to_wire(dict(options), "options"))
    return Request(
        "POST",
        ("v1", "chat", "completions"),
        (("databaseId", database_id),) if database_id else (),
        body=body,
        negotiated=False,
        service="ai",
        headers=(("Accept", "text/event-stream"),) if stream else (),
    )


def models_request() -> Request:
    """``GET {ai}/v1/models``."""
    return Request("GET", ("v1", "models"), idempotent=True, negotiated=False, service="ai")


def model_request(model_id: str) -> Request:
    """``GET {ai}/v1/models/{id}``."""
    if not isinstance(model_id, str) or not model_id.strip():
        raise OnyxUsageError(f"a model id must be a non-empty string, got {model_id!r}")
    return Request(
        "GET", ("v1", "models", model_id), idempotent=True, negotiated=False, service="ai"
    )


def script_approval_request(script: str) -> Request:
    """``POST {ai}/api/script-approvals`` with ``{"script": ...}``."""
    if not isinstance(script, str) or not script.strip():
        raise OnyxUsageError("request_script_approval() needs a non-empty script")
    return Request(
        "POST",
        ("api", "script-approvals"),
        body={"script": script},
        negotiated=False,
        service="ai",
    )


def chat_content(completion: Any) -> str:
    """``choices[0].message.content`` of a completion; :class:`OnyxDecodeError` if it is missing
    or blank.

    >>> chat_content({"choices": [{"message": {"role": "assistant", "content": "Hi"}}]})
    'Hi'
    """
    content: Any = None
    if isinstance(completion, dict):
        choices = completion.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            message = choices[0].get("message")
            if isinstance(message, dict):
                content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        raise OnyxDecodeError(
            "the chat completion has no message content (choices[0].message.content is "
            "missing or blank); call db.ai.chat(...) to see the whole response"
        )
    return content


def parse_sse_line(line: str) -> dict[str, Any] | _Done | None:
    """One line of a chat SSE stream: a chunk dict, :data:`SSE_DONE`, or ``None`` for lines that
    carry no data (blank, ``:`` comments, ``event:``/``id:`` fields).

    Bad JSON in a ``data:`` line raises :class:`OnyxDecodeError`.
    """
    line = line.rstrip("\r\n")
    if not line.startswith("data:"):
        return None
    payload = line[5:]
    if payload.startswith(" "):
        payload = payload[1:]
    if payload.strip() == "[DONE]":
        return SSE_DONE
    if not payload.strip():
        return None
    try:
        chunk = decode_json(payload)
    except OnyxDecodeError as exc:
        raise OnyxDecodeError(f"bad JSON in a chat stream event: {payload[:200]!r}") from exc
    if not isinstance(chunk, dict):
        raise OnyxDecodeError(f"a chat stream event must be a JSON object, got {payload[:200]!r}")
    return chunk
