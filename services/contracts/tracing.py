"""OpenTelemetry tracing for every service, set up at start like logging: one trace per ticket.

The trace crosses NATS in W3C trace-context headers (`traceparent`, `tracestate`) and Temporal through its tracing
interceptor. Off unless an OTLP endpoint is configured; then every span comes from the API's no-op tracer, and the
Temporal interceptor and the HTTP instrumentation are not installed at all (docs/observability.md).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

import structlog
from opentelemetry import propagate, trace
from opentelemetry.context import Context

TRACER_NAME = "hotline"
OTLP_TRACES_PATH = "/v1/traces"
SERVICE_NAMESPACE = "hotline"


def configure_tracing(*, service: str, otlp_endpoint: str | None, sample_ratio: float = 1.0) -> bool:
    """Export this process's spans by OTLP/HTTP to `otlp_endpoint` (a base URL); None: leave tracing off.

    Sampling follows the parent's decision, so a ticket is traced in every service or in none; where a trace
    begins (intake's request), `sample_ratio` of them are kept. Returns whether tracing is on.
    """
    if not otlp_endpoint:
        return False
    # Imported here: a process that does not trace never loads the SDK or the exporter.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "service.namespace": SERVICE_NAMESPACE}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_traces_url(otlp_endpoint))))
    trace.set_tracer_provider(provider)
    return True


def otlp_traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL of a collector's base URL (as `OTEL_EXPORTER_OTLP_ENDPOINT` would be read)."""
    return endpoint.rstrip("/") + OTLP_TRACES_PATH


def tracing_enabled() -> bool:
    """Whether a tracer provider has been installed in this process (by `configure_tracing`, or a test's)."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider | trace.NoOpTracerProvider)


def tracer() -> trace.Tracer:
    """The project's tracer, from the provider installed now: taken where a span starts, not kept (a proxy kept from
    before would stay bound to the first provider it met)."""
    return trace.get_tracer(TRACER_NAME)


def inject_trace_context(headers: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """Add the current span's trace context to message headers (nothing when there is no current span)."""
    propagate.inject(headers)
    return headers


def extract_trace_context(headers: Mapping[str, str] | None) -> Context | None:
    """The trace context a message's headers carry, to continue; None when they carry none."""
    if not headers or "traceparent" not in headers:
        return None
    return propagate.extract(headers)


def add_trace_ids(_logger: object, _name: str, event_dict: structlog.typing.EventDict) -> structlog.typing.EventDict:
    """Structlog processor: the current span's `trace_id` and `span_id` on each line, to go from a log to its trace."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict
