"""OpenTelemetry spans of the Onyx requests of a Flask request (``onyx_database.otel``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from onyx_database import otel
from onyx_flask import Onyx

MakeApp = Callable[..., tuple[Flask, Onyx]]


@pytest.fixture
def traced() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    otel.instrument(tracer_provider=provider)
    yield provider, exporter
    otel.uninstrument()


def test_onyx_spans_are_children_of_the_request_span(
    make_app: MakeApp,
    onyx_options: dict[str, Any],
    user: Callable[..., dict[str, Any]],
    traced: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = traced
    app, onyx = make_app(ONYX=onyx_options)
    tracer = provider.get_tracer("app")

    # what opentelemetry-instrumentation-flask does: a server span around the view
    @app.post("/users")
    def create_user() -> Any:
        with tracer.start_as_current_span("POST /users", kind=trace.SpanKind.SERVER):
            onyx.db.save("User", user(1))
            return {"count": onyx.db.from_table("User").count()}

    assert app.test_client().post("/users").get_json() == {"count": 1}
    save, count, request_span = exporter.get_finished_spans()
    assert (save.name, count.name) == ("save User", "count User")
    for span in (save, count):
        assert span.parent is not None
        assert span.parent.span_id == request_span.context.span_id
    text = repr([dict(span.attributes or {}) for span in (save, count)])
    assert onyx_options["api_key"] not in text and onyx_options["api_secret"] not in text
    assert "u001" not in text and "user1" not in text
