"""The AI client against a small real HTTP server started by these tests (real sockets): JSON
endpoints, SSE streaming, early close, bad events and error statuses, sync and async."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import onyx_database
from onyx_database import (
    AsyncChatStream,
    ChatStream,
    OnyxDecodeError,
    OnyxServerError,
    ResolvedConfig,
)

from .conftest import KEY, SECRET


def chunk(text: str) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }


COMPLETION = {
    "id": "cmpl-1",
    "object": "chat.completion",
    "model": "onyx",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hi there"},
            "finish_reason": "stop",
        }
    ],
}


class AIState:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.endless_closed = threading.Event()


class Handler(BaseHTTPRequestHandler):
    state: AIState

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self, body: Any) -> None:
        self.state.requests.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )

    def do_GET(self) -> None:
        self._record(None)
        if self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "onyx", "object": "model"}]})
        elif self.path.startswith("/v1/models/"):
            self._json(200, {"id": self.path.rsplit("/", 1)[1], "object": "model"})
        else:
            self._json(404, {"error": {"message": "no route"}})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self._record(body)
        if self.path == "/api/script-approvals":
            self._json(200, {"normalizedScript": body["script"], "requiresApproval": True})
            return
        model = body["model"]
        if model == "broken":
            self._json(500, {"error": {"message": "model crashed", "code": "INTERNAL"}})
            return
        if not body["stream"]:
            self._json(200, COMPLETION)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if model == "endless":
            self._endless()
            return
        lines = [": keep-alive", ""]
        lines += [f"data: {json.dumps(chunk('Hel'))}", ""]
        lines += ["event: message", f"data:{json.dumps(chunk('lo'))}", ""]
        if model == "bad-json":
            lines += ["data: {not json", ""]
        lines += ["data: [DONE]", "", f"data: {json.dumps(chunk('after done'))}", ""]
        self.wfile.write(("\n".join(lines) + "\n").encode())

    def _endless(self) -> None:
        try:
            for index in range(2000):
                self.wfile.write(f"data: {json.dumps(chunk(str(index)))}\n\n".encode())
                self.wfile.flush()
                time.sleep(0.005)
        except (BrokenPipeError, ConnectionResetError):
            self.state.endless_closed.set()


@pytest.fixture(scope="module")
def ai_server() -> Iterator[tuple[str, AIState]]:
    state = AIState()
    handler = type("BoundHandler", (Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def ai(ai_server: tuple[str, AIState], config: ResolvedConfig) -> tuple[ResolvedConfig, AIState]:
    url, state = ai_server
    state.requests.clear()
    state.endless_closed.clear()
    return dataclasses.replace(config, ai_base_url=url, default_model="onyx"), state


def contents(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"]["content"] for c in chunks)


def test_chat_models_and_script_approval(ai: tuple[ResolvedConfig, AIState]) -> None:
    config, state = ai
    with onyx_database.init(config=config) as db:
        assert db.ai.chat("Hello", temperature=0.1) == COMPLETION
        assert db.chat("Hello") == "Hi there"
        assert db.ai.get_models()["data"][0]["id"] == "onyx"
        assert db.get_model("onyx-chat") == {"id": "onyx-chat", "object": "model"}
        approval = db.ai.request_script_approval("db.save({})")
        assert approval["requiresApproval"] is True
    first = state.requests[0]
    assert first["path"] == "/v1/chat/completions?databaseId=db-1"
    assert first["body"] == {
        "model": "onyx",
        "messages": [{"role": "user", "content": "Hello"}],
        "stream": False,
        "temperature": 0.1,
    }
    headers = {name.lower(): value for name, value in first["headers"].items()}
    assert (headers["x-onyx-key"], headers["x-onyx-secret"]) == (KEY, SECRET)


def test_streaming_chat_parses_sse_and_stops_at_done(ai: tuple[ResolvedConfig, AIState]) -> None:
    config, state = ai
    with onyx_database.init(config=config) as db:
        stream = db.ai.chat("Hello", stream=True)
        assert isinstance(stream, ChatStream)
        assert state.requests == []  # lazy: nothing sent before iterating
        chunks = list(stream)
    assert contents(chunks) == "Hello"
    request = state.requests[0]
    assert request["body"]["stream"] is True
    assert {k.lower(): v for k, v in request["headers"].items()}["accept"] == "text/event-stream"


def test_breaking_out_of_a_stream_closes_the_response(ai: tuple[ResolvedConfig, AIState]) -> None:
    config, state = ai
    with onyx_database.init(config=config) as db:
        with db.ai.chat("Hi", model="endless", stream=True) as stream:
            for index, _chunk in enumerate(stream):
                if index == 2:
                    break
        assert state.endless_closed.wait(10)
        for _chunk in db.ai.chat("Hi", model="endless", stream=True):
            break  # no with-block: the stream is closed when the loop drops it
        state.endless_closed.clear()
        assert state.endless_closed.wait(10)
        assert db.chat("still usable") == "Hi there"


def test_stream_errors(ai: tuple[ResolvedConfig, AIState]) -> None:
    config, _state = ai
    with onyx_database.init(config=config) as db:
        with pytest.raises(OnyxDecodeError, match="bad JSON"):
            list(db.ai.chat("Hi", model="bad-json", stream=True))
        with pytest.raises(OnyxServerError, match="model crashed") as info:
            list(db.ai.chat("Hi", model="broken", stream=True))
        assert info.value.status == 500 and info.value.code == "INTERNAL"
        with pytest.raises(OnyxServerError):
            db.ai.chat("Hi", model="broken")


@pytest.mark.anyio
async def test_async_ai(ai: tuple[ResolvedConfig, AIState]) -> None:
    config, state = ai
    async with onyx_database.init_async(config=config) as db:
        assert await db.chat("Hello") == "Hi there"
        assert (await db.ai.get_models())["object"] == "list"
        assert (await db.get_model("m1"))["id"] == "m1"
        assert (await db.request_script_approval("x"))["normalizedScript"] == "x"
        stream = await db.ai.chat([{"role": "user", "content": "Hello"}], stream=True)
        assert isinstance(stream, AsyncChatStream)
        chunks = [c async for c in stream]
        assert contents(chunks) == "Hello"
        async with await db.ai.chat("Hi", model="endless", stream=True) as endless:
            async for _chunk in endless:
                break
        assert state.endless_closed.wait(10)
        with pytest.raises(OnyxDecodeError):
            async for _chunk in await db.ai.chat("Hi", model="bad-json", stream=True):
                pass
        with pytest.raises(OnyxServerError):
            async for _chunk in await db.ai.chat("Hi", model="broken", stream=True):
                pass


def test_the_official_chat_forms(ai: tuple[ResolvedConfig, AIState]) -> None:
    config, state = ai
    request = {
        "model": "onyx-chat",
        "messages": [{"role": "user", "content": "Hi"}],
        "databaseId": "db-9",
        "max_tokens": 5,
    }
    with onyx_database.init(config=config) as db:
        assert db.ai.chat(request) == COMPLETION
        assert db.ai.chat_client().create(request) == COMPLETION
        assert db.chat(request) == COMPLETION
        assert db.chat("Hi", {"temperature": 0.3}, role="system") == "Hi there"
        assert db.chat("Hi", raw=True) == COMPLETION
        assert db.chat(messages=[{"role": "user", "content": "Hi"}], model="m2") == COMPLETION
        streamed = db.ai.chat({**request, "stream": True})
        assert isinstance(streamed, ChatStream)
        assert contents(list(streamed)) == "Hello"
        assert contents(list(db.chat("Hi", stream=True))) == "Hello"
        assert db.chat().create(request) == COMPLETION  # no argument: the chat client
    bodies = [r["body"] for r in state.requests]
    assert state.requests[0]["path"] == "/v1/chat/completions?databaseId=db-9"
    assert bodies[0] == {
        "model": "onyx-chat",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": False,
        "max_tokens": 5,
    }
    assert bodies[3]["messages"] == [{"role": "system", "content": "Hi"}]
    assert bodies[3]["temperature"] == 0.3
    assert bodies[5]["model"] == "m2"
    assert bodies[6]["stream"] is True
