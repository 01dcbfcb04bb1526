"""Why the time-skipping test server costs more per workflow the longer it runs, shown on a bare workflow.

    .venv/bin/python -m bench.server_growth [--workflows N] [--pairs K]

The server (temporal-test-server, `SelfAdvancingTimerImpl`) appends an entry to a `LinkedList` of lock events for
every lock and unlock of time skipping (each workflow task, activity, timer and client sleep takes and releases one)
and removes only some of them; each timer it fires or drops as cancelled then removes its own entry with
`LinkedList.remove`, a scan from the list's head. So each timer costs more as the server has done more work before
it, and a month shard's server cost grows with the cases it has run. This measures the server's CPU per workflow,
then adds `pairs` external lock/unlock pairs (two entries each, nothing else), then measures again: the difference
is the list alone. It is why the month runs in shards of a few hundred cases, each on a fresh server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import uvloop
from temporalio import activity, workflow
from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from bench.cpu_time import process_cpu_seconds
from bench.processes import children
from tests.workflows.harness import start_time_skipping

TASK_QUEUE = "test-server-growth"
LOCAL_ACTIVITIES, TIMERS, UPDATES = 2, 3, 3  # a small case's shape: each timer is one scan of the list
IN_FLIGHT = 100


@activity.defn
async def nothing(value: int) -> int:
    return value


@workflow.defn(sandboxed=False)
class BareCase:
    """Local activities, updates it waits for, then timers: the parts a case is made of, with no logic."""

    def __init__(self) -> None:
        self.updates = 0

    @workflow.run
    async def run(self) -> int:
        for n in range(LOCAL_ACTIVITIES):
            await workflow.execute_local_activity(nothing, n, start_to_close_timeout=timedelta(seconds=10))
        await workflow.wait_condition(lambda: self.updates >= UPDATES)
        for _ in range(TIMERS):
            await workflow.sleep(timedelta(milliseconds=1))
        return self.updates

    @workflow.update
    async def act(self) -> int:
        self.updates += 1
        return self.updates


@dataclass(frozen=True)
class Round:
    workflows: int
    server_ms_per_workflow: float
    worker_ms_per_workflow: float


async def bare_cases(client: Client, count: int, server: int) -> Round:
    """`count` bare cases, `IN_FLIGHT` at a time; the CPU the server and this process spent on each."""
    limit = asyncio.Semaphore(IN_FLIGHT)

    async def one() -> int:
        async with limit:
            handle = await client.start_workflow(BareCase.run, id=f"bare-{uuid.uuid4()}", task_queue=TASK_QUEUE)
            for _ in range(UPDATES):
                await handle.execute_update(BareCase.act)
            return await handle.result()

    server_before, worker_before = _cpu(server), _cpu(os.getpid())
    done = await asyncio.gather(*(one() for _ in range(count)))
    if done != [UPDATES] * count:
        raise RuntimeError(f"bare cases ended with {sorted(set(done))} updates, not {UPDATES}")
    return Round(
        workflows=len(done),
        server_ms_per_workflow=round(1000 * (_cpu(server) - server_before) / count, 2),
        worker_ms_per_workflow=round(1000 * (_cpu(os.getpid()) - worker_before) / count, 2),
    )


async def lock_and_unlock(env: WorkflowEnvironment, pairs: int) -> None:
    """Time skipping locked and unlocked `pairs` times from outside: two list entries each, nothing else."""
    for _ in range(pairs):
        await env.client.test_service.lock_time_skipping(LockTimeSkippingRequest())
        await env.client.test_service.unlock_time_skipping(UnlockTimeSkippingRequest())


async def measure_growth(workflows: int = 300, pairs: int = 50_000) -> dict[str, Any]:
    """Server CPU per bare case on a fresh server, and again after `pairs` lock/unlock pairs (JSON-able)."""
    before = children()
    env = await start_time_skipping()
    try:
        (server,) = children().keys() - before.keys()  # its test server (in a test run, other engines run too)
        # The clock runs as a wall clock (the timers are a millisecond): fired in real time or skipped to, each
        # timer is taken off the server's queue the same way, with the same scan.
        with env.auto_time_skipping_disabled():
            async with Worker(
                env.client,
                task_queue=TASK_QUEUE,
                workflows=[BareCase],
                activities=[nothing],
                workflow_runner=UnsandboxedWorkflowRunner(),
            ):
                await bare_cases(env.client, min(20, workflows), server)  # warm-up: the worker's first tasks
                fresh = await bare_cases(env.client, workflows, server)
                began, server_before = time.perf_counter(), _cpu(server)
                await lock_and_unlock(env, pairs)
                padding_seconds = time.perf_counter() - began
                padding_cpu = _cpu(server) - server_before
                after = await bare_cases(env.client, workflows, server)
    finally:
        await env.shutdown()
    return {
        "benchmark": "server_growth",
        "shape": {"local_activities": LOCAL_ACTIVITIES, "updates": UPDATES, "timers": TIMERS},
        "fresh": fresh.__dict__,
        "lock_unlock_pairs": pairs,
        "pairs_wall_seconds": round(padding_seconds, 1),
        "pairs_server_cpu_seconds": round(padding_cpu, 1),
        "after_pairs": after.__dict__,
        "server_growth": round(after.server_ms_per_workflow / max(fresh.server_ms_per_workflow, 0.01), 1),
    }


def _cpu(pid: int) -> float:
    seconds = process_cpu_seconds(pid)
    if seconds is None:
        raise RuntimeError(f"process {pid} is gone")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=300, help="bare cases in each round")
    parser.add_argument("--pairs", type=int, default=50_000, help="lock/unlock pairs between the rounds")
    args = parser.parse_args()
    result = uvloop.run(measure_growth(args.workflows, args.pairs))
    fresh, after = result["fresh"], result["after_pairs"]
    print(f"  bare case ({LOCAL_ACTIVITIES} local activities, {UPDATES} updates, {TIMERS} timers), CPU ms each:")
    print(
        f"    fresh server          server {fresh['server_ms_per_workflow']:>7}"
        f"   worker {fresh['worker_ms_per_workflow']}"
    )
    print(
        f"    after {result['lock_unlock_pairs']} lock/unlock pairs"
        f"  server {after['server_ms_per_workflow']:>7}   worker {after['worker_ms_per_workflow']}"
        f"  (x{result['server_growth']})"
    )


if __name__ == "__main__":
    main()
