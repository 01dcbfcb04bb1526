"""Finished spans of this process, in memory: a tracer provider installed for a test and taken away after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once


@contextmanager
def spans_in_memory() -> Iterator[InMemorySpanExporter]:
    """Install a tracer provider exporting every span to memory as it ends; afterwards, none again.

    OpenTelemetry lets a process set its provider once (a service, at start): the globals are put back as they were
    before, as OpenTelemetry's own tests do, so later tests in this process run untraced, as the services do by
    default.
    """
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    try:
        yield exporter
    finally:
        provider.shutdown()
        forget_tracer_provider()


def forget_tracer_provider() -> None:
    """Back to no tracer provider, as at the process's start (what OpenTelemetry's own tests do between tests)."""
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()


def trace_of(spans: tuple[ReadableSpan, ...], root: ReadableSpan) -> list[ReadableSpan]:
    """The spans of `root`'s trace, in the order they ended."""
    assert root.context is not None
    return [span for span in spans if span.context is not None and span.context.trace_id == root.context.trace_id]
