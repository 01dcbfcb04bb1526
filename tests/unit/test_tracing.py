"""Tracing's setup and the trace context messages carry: off unless an OTLP endpoint is set, and then every service
continues the trace its input carries."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import ValidationError

from services.contracts.settings import ServiceSettings
from services.contracts.tracing import (
    add_trace_ids,
    configure_tracing,
    extract_trace_context,
    inject_trace_context,
    otlp_traces_url,
    tracer,
    tracing_enabled,
)
from services.engines.temporal import client_interceptors
from tests.support.engines import free_port
from tests.support.spans import forget_tracer_provider, spans_in_memory

# A publish's headers from a service whose trace was sampled.
SAMPLED = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    with spans_in_memory() as memory:
        yield memory


def test_tracing_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_OTLP_ENDPOINT", raising=False)
    settings = ServiceSettings()

    assert settings.otlp_endpoint is None
    assert configure_tracing(service="router", otlp_endpoint=settings.otlp_endpoint) is False
    assert not tracing_enabled()
    assert client_interceptors() == []  # no Temporal interceptor: nothing traced, nothing paid
    assert not tracer().start_span("nothing").is_recording()


class Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver: keeps each request's path and body."""

    received: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def collector() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        Collector.received.clear()


def test_an_otlp_endpoint_turns_tracing_on_and_receives_the_services_spans(collector: str) -> None:
    try:
        assert configure_tracing(service="router", otlp_endpoint=collector, sample_ratio=0.5) is True
        assert tracing_enabled()
        assert [type(interceptor).__name__ for interceptor in client_interceptors()] == ["TracingInterceptor"]
        provider = trace.get_tracer_provider()
        assert isinstance(provider, TracerProvider)
        assert "0.5" in provider.sampler.get_description()
        with tracer().start_as_current_span("process router", context=extract_trace_context(SAMPLED)):
            pass  # the caller sampled it: kept whatever the ratio
        provider.force_flush()
        provider.shutdown()
    finally:
        forget_tracer_provider()

    [(path, body)] = Collector.received
    assert path == "/v1/traces"
    request = ExportTraceServiceRequest.FromString(body)
    [resource_spans] = request.resource_spans
    resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert (resource["service.name"], resource["service.namespace"]) == ("router", "hotline")
    assert [span.name for scope in resource_spans.scope_spans for span in scope.spans] == ["process router"]


def test_the_endpoint_is_a_collectors_base_url() -> None:
    assert otlp_traces_url("http://collector.monitoring:4318/") == "http://collector.monitoring:4318/v1/traces"


@pytest.mark.parametrize(("variable", "value"), [("HOTLINE_OTLP_ENDPOINT", ""), ("HOTLINE_TRACE_SAMPLE_RATIO", "1.5")])
def test_settings_read_an_empty_endpoint_as_none_and_refuse_a_ratio_above_one(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    if variable == "HOTLINE_OTLP_ENDPOINT":
        assert ServiceSettings().otlp_endpoint is None
    else:
        with pytest.raises(ValidationError):
            ServiceSettings()


def test_a_message_carries_the_current_trace_and_its_consumer_continues_it(exporter: InMemorySpanExporter) -> None:
    with tracer().start_as_current_span("publish") as publishing:
        headers = dict(inject_trace_context({"Nats-Msg-Id": "routed:c-1"}))
    assert headers["Nats-Msg-Id"] == "routed:c-1"
    assert headers["traceparent"].split("-")[1] == format(publishing.get_span_context().trace_id, "032x")

    with tracer().start_as_current_span("process", context=extract_trace_context(headers)) as processing:
        pass

    assert processing.parent is not None
    assert processing.parent.span_id == publishing.get_span_context().span_id


def test_a_message_without_trace_context_starts_none() -> None:
    assert extract_trace_context(None) is None
    assert extract_trace_context({"Nats-Msg-Id": "x"}) is None


def test_log_lines_name_their_trace(exporter: InMemorySpanExporter) -> None:
    assert "trace_id" not in add_trace_ids(None, "info", {"event": "outside"})

    with tracer().start_as_current_span("handling") as span:
        line = add_trace_ids(None, "info", {"event": "inside"})

    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert line["span_id"] == format(span.get_span_context().span_id, "016x")
