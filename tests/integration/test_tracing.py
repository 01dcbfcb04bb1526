"""One trace per ticket: from intake's HTTP request through the NATS hops (trace context in the messages' headers)
into the case's Temporal workflow and its activities, and out to the notifier's delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.contracts.subjects import (
    CASE_EVENTS_STREAM,
    CASE_INTAKE_STREAM,
    CASE_ROUTING_STREAM,
    CASE_STARTER_CONSUMER,
    NOTIFIER_CONSUMER,
    NOTIFY_STREAM,
    ROUTER_CONSUMER,
)
from services.engines.message_tracing import CASE_ID_ATTRIBUTE
from tests.support.credentials import dev_keys
from tests.support.engines import NatsServer, TemporalDevServer
from tests.support.in_process import InProcessServices, services_in_process
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver
from tests.support.spans import spans_in_memory, trace_of
from tests.support.tickets import ticket_body

REQUEST = "POST /v1/cases"
START = "StartWorkflow:FirstContactCase"
PUBLISHING = "RunActivity:publish_case_changes"
# Each hop of a ticket, in the order it happens: the span it makes, its kind, and the span it descends from. Within
# Temporal, the workflow's spans (its run, each activity it starts) are the children of the span that started it:
# the SDK's tracing interceptor ends workflow spans at once, since a workflow may replay, and parents them so.
HOPS = [
    ("intake's request", REQUEST, SpanKind.SERVER, None),
    ("intake's publish", f"publish {CASE_INTAKE_STREAM.name}", SpanKind.PRODUCER, REQUEST),
    ("the router", f"process {ROUTER_CONSUMER.durable}", SpanKind.CONSUMER, f"publish {CASE_INTAKE_STREAM.name}"),
    (
        "the router's publish",
        f"publish {CASE_ROUTING_STREAM.name}",
        SpanKind.PRODUCER,
        f"process {ROUTER_CONSUMER.durable}",
    ),
    (
        "the case starter",
        f"process {CASE_STARTER_CONSUMER.durable}",
        SpanKind.CONSUMER,
        f"publish {CASE_ROUTING_STREAM.name}",
    ),
    ("the start of the workflow", START, SpanKind.CLIENT, f"process {CASE_STARTER_CONSUMER.durable}"),
    ("the workflow", "RunWorkflow:FirstContactCase", SpanKind.SERVER, START),
    ("its deadlines activity", "RunActivity:start_case", SpanKind.SERVER, START),
    ("its publishing activity", PUBLISHING, SpanKind.SERVER, "StartActivity:publish_case_changes"),
    ("the case event's publish", f"publish {CASE_EVENTS_STREAM.name}", SpanKind.PRODUCER, PUBLISHING),
    ("the notification's publish", f"publish {NOTIFY_STREAM.name}", SpanKind.PRODUCER, PUBLISHING),
    (
        "the notifier's delivery",
        f"process {NOTIFIER_CONSUMER.durable}",
        SpanKind.CONSUMER,
        f"publish {NOTIFY_STREAM.name}",
    ),
]


@pytest_asyncio.fixture(scope="module")
async def traced(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[InProcessServices, InMemorySpanExporter]]:
    """The four services in this process, on real engines, with every span kept in memory."""
    workdir = Path(tmp_path_factory.mktemp("tracing"))
    nats, temporal = NatsServer.at(workdir), TemporalDevServer.at(workdir)
    await nats.start()
    await temporal.start()
    try:
        keys = await dev_keys(workdir, nats.url)
        with pytest.MonkeyPatch.context() as env, spans_in_memory() as exporter:
            async with services_in_process(nats, temporal, keys, env) as services:
                yield services, exporter
    finally:
        temporal.stop()
        nats.stop()


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [span for span in spans if span.name == name]
    assert found, f"no span {name!r}; the trace has {sorted({span.name for span in spans})}"
    return found[0]


async def test_a_ticket_makes_one_connected_trace_from_the_request_to_the_delivery(
    traced: tuple[InProcessServices, InMemorySpanExporter], receiver: WebhookReceiver
) -> None:
    services, exporter = traced
    async with services.client() as api:
        response = await api.put("/v1/units/water/webhook", json={"url": receiver.url()})
        assert response.status_code == 200, response.text
        exporter.clear()

        response = await api.post("/v1/cases", json=ticket_body(category_code="LS-06"))
        assert response.status_code == 202, response.text
    case_id = response.json()["case_id"]

    async def delivered() -> list[ReadableSpan]:
        assert receiver.for_case(case_id), "no webhook yet"
        spans = list(exporter.get_finished_spans())
        request = one(spans, "POST /v1/cases")
        in_trace = trace_of(tuple(spans), request)
        one(in_trace, f"process {NOTIFIER_CONSUMER.durable}")  # ends once the delivery is acked
        return in_trace

    spans = await assert_eventually(delivered, timeout=30, what="the case's webhook delivered and traced")

    # Connected: one root (the request), and every other span's parent is in the same trace.
    ids = {span.context.span_id for span in spans if span.context is not None}
    roots = [span.name for span in spans if span.parent is None]
    assert roots == [REQUEST], roots
    orphans = [span.name for span in spans if span.parent is not None and span.parent.span_id not in ids]
    assert not orphans, orphans
    # Each hop is there, of its kind, below the hop that led to it.
    parents = {span.context.span_id: span.parent.span_id if span.parent else None for span in spans if span.context}
    for hop, name, kind, follows in HOPS:
        span = one(spans, name)
        assert span.kind is kind, hop
        assert follows is None or _descends(span, one(spans, follows), parents), f"{hop} does not follow {follows}"
    assert one(spans, f"publish {NOTIFY_STREAM.name}").attributes[CASE_ID_ATTRIBUTE] == case_id


def _descends(span: ReadableSpan, ancestor: ReadableSpan, parents: dict[int, int | None]) -> bool:
    assert span.context is not None and ancestor.context is not None
    current: int | None = span.context.span_id
    while current is not None:
        if current == ancestor.context.span_id:
            return True
        current = parents.get(current)
    return False
