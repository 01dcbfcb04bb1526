"""Intake's request spans: the method, the route's template and the status, never the query or the client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.contracts.tracing import tracer
from services.intake.request_tracing import RequestTracing
from tests.support.spans import spans_in_memory


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    with spans_in_memory() as memory:
        yield memory


def traced_app() -> FastAPI:
    app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})
    app.add_middleware(RequestTracing)

    @app.get("/v1/cases/{case_id}")
    async def case(case_id: str) -> dict[str, str]:
        return {"case_id": case_id}

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    return app


async def get(path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=traced_app(), client=("10.1.2.3", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        return await client.get(path, headers=headers)


async def test_a_request_is_a_server_span_named_by_its_route(exporter: InMemorySpanExporter) -> None:
    response = await get("/v1/cases/c-1?q=王女士 13812345678", **{"user-agent": "platform/1.0"})
    assert response.status_code == 200

    [span] = exporter.get_finished_spans()
    assert (span.name, span.kind) == ("GET /v1/cases/{case_id}", SpanKind.SERVER)
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "http.route": "/v1/cases/{case_id}",
        "http.response.status_code": 200,
    }


async def test_a_callers_trace_is_continued(exporter: InMemorySpanExporter) -> None:
    with tracer().start_as_current_span("platform") as caller:
        traceparent = f"00-{caller.get_span_context().trace_id:032x}-{caller.get_span_context().span_id:016x}-01"

    await get("/v1/cases/c-1", traceparent=traceparent)

    request = next(span for span in exporter.get_finished_spans() if span.name.startswith("GET"))
    assert request.parent is not None and request.parent.span_id == caller.get_span_context().span_id


async def test_probes_are_not_traced(exporter: InMemorySpanExporter) -> None:
    await get("/healthz")

    assert exporter.get_finished_spans() == ()
