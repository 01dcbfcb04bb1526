"""The Temporal SDK's own metrics, served by the processes with a Temporal client on a port of their own
(`HOTLINE_TEMPORAL_METRICS_ADDRESS`): the workflows worker's slots, polls, latencies and cache, intake's requests."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from services.contracts.subjects import CASE_TASK_QUEUE
from tests.support.case_lifecycle import open_case
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem


async def scrape(url: str) -> dict[str, list[Sample]]:
    """Every sample of a Prometheus endpoint, by sample name (`..._bucket`, `..._count` apart)."""
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.get(url)
    assert response.status_code == 200, response.text
    samples: dict[str, list[Sample]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def value(samples: dict[str, list[Sample]], name: str, **labels: str) -> float:
    """The sum of a sample's values over the series whose labels include `labels`."""
    matching = [s for s in samples.get(name, []) if labels.items() <= s.labels.items()]
    assert matching, f"no {name} with {labels}; have {sorted(samples)}"
    return sum(s.value for s in matching)


async def test_the_workflows_worker_serves_its_task_slots_latencies_and_cache(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    await open_case(api, category="LS-06")
    url = system.services["workflows"].sdk_metrics_url

    async def case_task_queue_measured() -> dict[str, list[Sample]]:
        samples = await scrape(url)
        queue = {"task_queue": CASE_TASK_QUEUE}
        assert value(samples, "temporal_workflow_task_schedule_to_start_latency_seconds_count", **queue) >= 1
        assert value(samples, "temporal_workflow_task_execution_latency_seconds_count", **queue) >= 1
        return samples

    samples = await assert_eventually(case_task_queue_measured, what="the case's workflow tasks measured")

    queue = {"task_queue": CASE_TASK_QUEUE}
    # Slots: the settings' maxima (HOTLINE_WORKFLOWS_MAX_CONCURRENT_*) less those in use.
    assert 0 < value(samples, "temporal_worker_task_slots_available", worker_type="WorkflowWorker", **queue) <= 100
    assert 0 < value(samples, "temporal_worker_task_slots_available", worker_type="ActivityWorker", **queue) <= 200
    assert value(samples, "temporal_worker_task_slots_used", worker_type="WorkflowWorker", **queue) >= 0
    assert value(samples, "temporal_num_pollers", poller_type="workflow_task", **queue) >= 1
    assert value(samples, "temporal_sticky_cache_size", **queue) >= 0
    assert value(samples, "temporal_workflow_task_queue_poll_succeed_total", **queue) >= 1
    # The worker's client calls (polls are the long requests), in seconds.
    assert value(samples, "temporal_long_request_latency_seconds_count") >= 1
    assert value(samples, "temporal_request_latency_seconds_count") >= 1
    # The case's local activities (policy, deadlines, publishing) run in the worker too.
    publishing = {"activity_type": "publish_case_changes"}
    assert value(samples, "temporal_local_activity_execution_latency_seconds_count", **publishing) >= 1


async def test_intake_serves_its_client_request_metrics(system: RunningSystem, api: httpx.AsyncClient) -> None:
    case = await open_case(api, category="LS-06")  # GET /v1/cases/{id} queries the case's workflow
    assert case["status"] == "assigned"

    samples = await scrape(system.services["intake"].sdk_metrics_url)

    assert value(samples, "temporal_request_total", operation="QueryWorkflow") >= 1
    assert value(samples, "temporal_request_latency_seconds_count", operation="QueryWorkflow") >= 1
