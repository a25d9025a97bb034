"""The sans-I/O half of streams: decoding and the reconnect flow, driven by hand."""

from __future__ import annotations

import math
from typing import Any

import msgpack
import pytest

from onyx_database import (
    OnyxConnectionError,
    OnyxServerError,
    OnyxStreamError,
    OnyxStreamOverflowError,
    OnyxUnauthorizedError,
    ReconnectPolicy,
    StreamEvent,
)
from onyx_database._flows import Emit
from onyx_database._stream_protocol import (
    Connect,
    LineDecoder,
    MsgpackDecoder,
    StreamListeners,
    Wait,
    decoder_for,
    event_from_value,
    stream_debug_enabled,
    stream_flow,
)


def test_line_decoder_is_tolerant() -> None:
    decoder = LineDecoder()
    raw = (
        b'\n: a comment\r\ndata: {"type":"added","entity":{"id":1}}\r\n'
        b'{"EventType":"Removed","entity":{"id":2}}\nnot json\n'
        b'{"action":"update","entity":{"id":3,"score":NaN}}\n'
        b'{"changeType":"INSERTED","entity":{"id":4}}\n{"entity":{"id":5}}\n'
        b'{"action":"KEEP_ALIVE","entity":null}\n{"action":"QUERY_RESPONSE","entity":{"id":6}}'
    )
    events = []
    for i in range(0, len(raw), 7):  # any chunking
        events += decoder.feed(raw[i : i + 7])
    events += decoder.close()
    assert [(e.action, e.entity["id"] if e.entity else None) for e in events] == [
        ("CREATE", 1),
        ("DELETE", 2),
        ("UPDATE", 3),
        ("CREATE", 4),
        ("KEEP_ALIVE", None),
        ("QUERY_RESPONSE", 6),
    ]
    assert math.isnan(events[2].entity["score"])


def test_msgpack_decoder_skips_nil_sentinels() -> None:
    decoder = decoder_for("application/vnd.msgpack; charset=binary")
    assert isinstance(decoder, MsgpackDecoder)
    payload = msgpack.packb(None) + msgpack.packb({"action": "DELETED", "entity": {"id": "x"}})
    assert decoder.feed(payload[:3]) == []
    assert decoder.feed(payload[3:]) == [StreamEvent("DELETE", {"id": "x"})]
    assert isinstance(decoder_for("application/x-ndjson"), LineDecoder)
    with pytest.raises(OnyxStreamError):
        decoder.feed(b"\xc1")  # never valid MessagePack


def test_error_line_and_odd_values() -> None:
    event = event_from_value({"action": "ERROR", "entity": None, "error": {"code": "X"}})
    assert event is not None and event.error == {"code": "X"}
    assert event_from_value([1]) is None
    assert event_from_value({"action": 3}) is None


def test_listeners_dispatch() -> None:
    listeners = StreamListeners(on_item_added=print, on_item=repr)
    assert listeners.calls(StreamEvent("CREATE", 1)) == [(print, (1,)), (repr, (1, "CREATE"))]
    assert listeners.calls(StreamEvent("QUERY_RESPONSE", 1)) == [(repr, (1, "QUERY_RESPONSE"))]
    assert StreamListeners().calls(StreamEvent("UPDATE", 1)) == []


def test_debug_switch() -> None:
    assert stream_debug_enabled({"ONYX_STREAM_DEBUG": "true"})
    assert stream_debug_enabled({"ONYX_STREAM_DEBUG": "1"})
    assert not stream_debug_enabled({})


def test_policy_delays() -> None:
    policy = ReconnectPolicy()
    assert [policy.delay(n, 0.0) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert policy.delay(0, 1.0) == pytest.approx(0.8)
    with pytest.raises(ValueError):
        ReconnectPolicy(initial_delay=0)
    with pytest.raises(ValueError):
        ReconnectPolicy(max_attempts=0)


class Driver:
    """Runs a flow by hand: connects answer from ``connects``, reads from ``bodies``."""

    def __init__(self, policy: ReconnectPolicy, *, keep_alive: bool = True) -> None:
        self.now = 0.0
        self.flow = stream_flow(
            policy, keep_alive=keep_alive, random=lambda: 0.0, clock=lambda: self.now
        )
        self.log: list[Any] = []
        self.pending: Any = None

    def run(self, script: list[Any], steps: int = 50) -> None:
        """``script`` items answer effects in order: a str content type or an exception for
        Connect, bytes (or an exception) for Read; Waits are recorded and advance the clock."""
        reply: Any = None
        error: BaseException | None = None
        for _ in range(steps):
            if self.pending is not None:
                step, self.pending = self.pending, None
            else:
                try:
                    step = self.flow.send(reply) if error is None else self.flow.throw(error)
                except StopIteration:
                    self.log.append(("end",))
                    return
            reply, error = None, None
            if isinstance(step, Wait):
                self.log.append(("wait", step.seconds))
                self.now += step.seconds
                continue
            if isinstance(step, Emit):
                self.log.append(("emit", step.value.action))
                continue
            if not script:
                self.pending = step
                return
            answer = script.pop(0)
            if isinstance(step, Connect):
                self.log.append(("connect", step.attempt))
            if isinstance(answer, BaseException):
                error = answer
            else:
                reply = answer


LINE = b'{"action":"CREATE","entity":{"id":1}}\n'
JSON = "application/x-ndjson"


def test_clean_ends_back_off_and_healthy_connections_reset() -> None:
    driver = Driver(ReconnectPolicy(initial_delay=1, max_delay=8, healthy_after=100))
    driver.run([JSON, b"", JSON, b"", JSON, b"", JSON, LINE, b"", JSON])
    waits = [entry[1] for entry in driver.log if entry[0] == "wait"]
    assert waits == [1, 2, 4, 1]  # empty bodies grow the wait; one with data resets it
    assert ("emit", "CREATE") in driver.log


def test_long_lived_connection_counts_as_healthy() -> None:
    driver = Driver(ReconnectPolicy(initial_delay=1, healthy_after=5))
    driver.run([JSON, b"", JSON])
    driver.now += 10
    driver.run([b"", JSON])
    assert [e[1] for e in driver.log if e[0] == "wait"] == [1, 1]


def test_retryable_and_terminal_errors() -> None:
    driver = Driver(ReconnectPolicy(initial_delay=1, max_delay=30))
    server_error = OnyxServerError("boom", status=503)
    driver.run([OnyxConnectionError("refused"), server_error, JSON, b"", JSON])
    assert [e[1] for e in driver.log if e[0] == "wait"] == [1, 2, 4]
    with pytest.raises(OnyxUnauthorizedError):
        Driver(ReconnectPolicy()).run([OnyxUnauthorizedError("no", status=401)])


def test_keep_alive_false_ends_without_reconnecting() -> None:
    driver = Driver(ReconnectPolicy(), keep_alive=False)
    driver.run([JSON, LINE, b""])
    assert driver.log == [("connect", 1), ("emit", "CREATE"), ("end",)]  # no wait, no reconnect


def test_server_error_line_reconnects_and_max_attempts_gives_up() -> None:
    other = b'{"action":"ERROR","entity":null,"error":{"code":"SHUTTING_DOWN"}}\n'
    driver = Driver(ReconnectPolicy(initial_delay=1))
    driver.run([JSON, other, JSON])
    assert ("wait", 1) in driver.log


def test_overflow_line_is_terminal_never_a_silent_reconnect() -> None:
    overflow = (
        b'{"action":"CREATE","entity":{"id":1}}\n'
        b'{"action":"ERROR","entity":null,"error":{"code":"STREAM_OVERFLOW","message":"slow"}}\n'
    )
    driver = Driver(ReconnectPolicy(initial_delay=1))
    with pytest.raises(OnyxStreamOverflowError, match="lost") as info:
        driver.run([JSON, overflow, JSON])
    assert info.value.code == "STREAM_OVERFLOW"
    assert ("emit", "CREATE") in driver.log
    assert not [entry for entry in driver.log if entry[0] == "wait"]  # no reconnect
    limited = Driver(ReconnectPolicy(initial_delay=1, max_attempts=2))
    with pytest.raises(OnyxConnectionError):
        limited.run([OnyxConnectionError("a"), OnyxConnectionError("b")])
