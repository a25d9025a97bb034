"""OpenTelemetry spans per Onyx request (``onyx_database.otel``), over Onyx Local."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import onyx_database
from onyx_database import OnyxConflictError, OnyxDatabase, otel
from onyx_database._recording import RecordedRequest, notify

if TYPE_CHECKING:
    from onyx_database import AsyncOnyxDatabase
    from onyx_database.local import LocalServer


@pytest.fixture
def provider() -> TracerProvider:
    return TracerProvider()


@pytest.fixture
def exporter(provider: TracerProvider) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    otel.instrument(tracer_provider=provider)
    yield exporter
    otel.uninstrument()


def _summary(spans: tuple[ReadableSpan, ...]) -> list[tuple[Any, ...]]:
    return [
        (
            span.name,
            span.kind,
            dict(span.attributes or {}).get("db.collection.name"),
            dict(span.attributes or {}).get("db.operation.name"),
            dict(span.attributes or {}).get("http.response.status_code"),
            span.status.status_code,
        )
        for span in spans
    ]


def test_one_client_span_per_request_with_table_operation_and_status(
    db: OnyxDatabase, exporter: InMemorySpanExporter
) -> None:
    ok, error, unset = trace.StatusCode.OK, trace.StatusCode.ERROR, trace.StatusCode.UNSET
    client = trace.SpanKind.CLIENT
    db.save("Item", {"id": "i1", "name": "x"})
    db.insert("Item", {"id": "i2", "name": "y"})
    with pytest.raises(OnyxConflictError):
        db.insert("Item", {"id": "i2", "name": "again"})
    assert len(db.from_table("Item").list()) == 2
    assert db.from_table("Item").count() == 2
    assert db.find_by_id("Item", "missing") is None
    db.delete("Item", "i1")
    spans = exporter.get_finished_spans()
    assert ok not in {span.status.status_code for span in spans}
    assert _summary(spans) == [
        ("save Item", client, "Item", "save", 200, unset),
        ("insert Item", client, "Item", "insert", 201, unset),
        ("insert Item", client, "Item", "insert", 409, error),
        ("query Item", client, "Item", "query", 200, unset),
        ("count Item", client, "Item", "count", 200, unset),
        ("find_by_id Item", client, "Item", "find_by_id", 404, unset),  # a miss: None
        ("delete_by_id Item", client, "Item", "delete_by_id", 200, unset),
    ]
    query = spans[3]
    assert query.attributes is not None
    assert query.attributes["onyx.records"] == 2
    assert query.attributes["db.system.name"] == "onyx"
    assert query.attributes["http.request.method"] == "PUT"
    assert query.start_time is not None and query.end_time is not None
    assert query.start_time <= query.end_time


def test_spans_never_carry_a_secret_a_path_or_a_value(
    db: OnyxDatabase, server: LocalServer, exporter: InMemorySpanExporter
) -> None:
    from onyx_database import eq

    db.save("Item", {"id": "secret-record-id", "name": "needle-value"})
    db.from_table("Item").where(eq("name", "needle-value")).list()
    db.find_by_id("Item", "secret-record-id")
    text = repr(
        [
            (span.name, dict(span.attributes or {}), span.events)
            for span in exporter.get_finished_spans()
        ]
    )
    for forbidden in (
        server.api_key,
        server.api_secret,
        server.database_id,
        "secret-record-id",
        "needle-value",
        "/data/",
    ):
        assert forbidden not in text


def test_the_parent_is_the_current_span_and_uninstrument_stops(
    db: OnyxDatabase, provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("view") as view:
        db.from_table("Item").count()
    count, outer = exporter.get_finished_spans()
    assert outer.name == "view"
    assert count.parent is not None
    assert count.parent.span_id == view.get_span_context().span_id
    assert count.context is not None
    assert count.context.trace_id == view.get_span_context().trace_id
    otel.uninstrument()
    otel.uninstrument()
    assert not otel.is_instrumented()
    db.from_table("Item").count()
    assert len(exporter.get_finished_spans()) == 2


def test_a_request_that_got_no_answer_is_an_error_span(
    server: LocalServer, exporter: InMemorySpanExporter
) -> None:
    from onyx_database import OnyxConnectionError

    dead = onyx_database.init(
        database_id=server.database_id,
        api_key=server.api_key,
        api_secret=server.api_secret,
        base_url="http://127.0.0.1:9",
        max_retries=0,
    )
    with dead, pytest.raises(OnyxConnectionError):
        dead.from_table("Item").count()
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code == trace.StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == "no_response"
    assert "http.response.status_code" not in span.attributes


def test_the_request_id_becomes_an_attribute(exporter: InMemorySpanExporter) -> None:
    # Onyx Local sends no x-request-id: hand the listener a recorded exchange that has one.
    notify(RecordedRequest("GET", "/data/{db}/User/u1", "User", 200, 0.002, request_id="req-7"))
    (span,) = exporter.get_finished_spans()
    assert span.attributes is not None
    assert span.attributes["onyx.request_id"] == "req-7"
    assert span.start_time is not None and span.end_time is not None
    assert span.end_time - span.start_time == 2_000_000


@pytest.mark.anyio
async def test_async_requests_get_spans_too(
    adb: AsyncOnyxDatabase, exporter: InMemorySpanExporter
) -> None:
    await adb.from_table("Item").count()
    assert [span.name for span in exporter.get_finished_spans()] == ["count Item"]


def test_without_the_extra_instrument_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # as if opentelemetry-api were absent
    with pytest.raises(ImportError, match=r"pip install 'onyx-py\[otel\]'"):
        otel.instrument()
    assert not otel.is_instrumented()
