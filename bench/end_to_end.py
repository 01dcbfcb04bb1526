"""(2) End to end: tickets POSTed to intake, through NATS, the router, the case starter, Temporal and the notifier,
to the unit's webhook (a real local HTTP server). Measured per step: POST latency, call → workflow started (the
server's start time of the case's workflow), call → `case_assigned` published on NATS (what the notifier consumes),
call → webhook delivered. The hops in between show where a slow case spent its time.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import aiohttp
import httpx
from temporalio.client import Client

from bench.assigned_watch import AssignedWatch
from bench.bench_tickets import UNITS, ticket
from bench.figures import Latency, Step
from bench.open_loop import fire_at_rate
from bench.webhook_sink import WebhookSink
from services.contracts import search_attributes as sa
from services.contracts.case_workflow import WORKFLOW_TYPE

# A step is over when every case it started has completed: an overloaded step leaves a backlog, and the next step
# must not start on top of it (it would measure the backlog, not its own rate). Latencies include the wait.
DRAIN_SECONDS = 600.0


async def point_units_at(admin: httpx.AsyncClient, sink: WebhookSink) -> None:
    """Every unit the benchmark tickets go to sends its webhooks to the sink."""
    for unit in UNITS:
        response = await admin.put(f"/v1/units/{unit}/webhook", json={"url": sink.url})
        response.raise_for_status()


def platform_session(api_url: str, headers: dict[str, str]) -> aiohttp.ClientSession:
    """The platform's HTTP client: aiohttp, as the notifier's, for a load generator that takes little of the CPU it
    shares with the system under test (httpx cost about 0.9 ms more a request, 1.2 against 0.3)."""
    return aiohttp.ClientSession(
        base_url=api_url,
        headers=headers,
        connector=aiohttp.TCPConnector(limit=500),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def end_to_end_step(
    platform: aiohttp.ClientSession,
    temporal: Client,
    sink: WebhookSink,
    watch: AssignedWatch,
    rate: float,
    seconds: float,
) -> Step:
    """POST tickets at `rate`/s for `seconds`; wait until each accepted one's webhook arrived (or the drain time)."""
    run = uuid.uuid4().hex[:8]
    step_began = datetime.now(UTC)
    called_at: dict[str, float] = {}
    post_seconds: list[float] = []
    errors: Counter[str] = Counter()

    async def fire(index: int) -> str | None:
        began = time.time()
        try:
            async with platform.post("/v1/cases", json=ticket(run, index)) as response:
                status, body = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            errors[type(exc).__name__] += 1
            return None
        if status != 202:
            errors[f"HTTP {status}"] += 1
            return None
        post_seconds.append(time.time() - began)
        case_id: str = json.loads(body)["case_id"]
        called_at[case_id] = began
        return case_id

    answers = await fire_at_rate(rate, seconds, fire)
    accepted = [case_id for case_id in answers if case_id is not None]
    delivered = sink.assigned
    await delivered.wait_for(accepted, timeout=DRAIN_SECONDS)
    started = await workflow_start_times(temporal, since=step_began)
    published = watch.published.at
    return Step.measured(
        rate=rate,
        seconds=seconds,
        offered=len(answers),
        accepted=accepted,
        called_at=called_at,
        completed_at=delivered.at,
        completion="call_to_webhook_delivered",
        error_kinds=errors,
        other_latencies={
            "post": Latency.of_seconds(post_seconds),
            "call_to_workflow_started": Latency.of_seconds(
                [started[c] - called_at[c] for c in accepted if c in started]
            ),
            "call_to_event_published": Latency.of_seconds(
                [published[c] - called_at[c] for c in accepted if c in published]
            ),
        },
    )


async def workflow_start_times(temporal: Client, *, since: datetime) -> dict[str, float]:
    """When the server started each case workflow begun since `since`, by case id (wall clock, seconds)."""
    query = f"WorkflowType = '{WORKFLOW_TYPE}' AND StartTime >= '{since.isoformat()}'"
    starts: dict[str, float] = {}
    async for execution in temporal.list_workflows(query, page_size=1000):
        case_id = execution.typed_search_attributes.get(sa.CASE_ID)
        if case_id is not None:
            starts[case_id] = execution.start_time.timestamp()
    return starts
