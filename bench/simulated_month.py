"""The simulated month: 10 k cases with a realistic mix replayed on the real workflows in the time-skipping server.

    .venv/bin/python -m bench.simulated_month [--cases N] [--shards K] [--parallel P] [--seed S] [--concurrency C]
                                              [--runner R] [--activations inline|thread]

Arrivals over 30 days (more on working days, by hour of day); units sign for, transfer, hand out joint tasks,
answer, resolve, ask for extensions or miss deadlines as `bench.month_script` scripts them; callers rate, rate badly
(rework) or not at all. The clock is moved from one scripted hour to the next (timers between fire during the
skip); each hour's arrivals and actions are sent concurrently. Breaches, escalations and statuses are read from
the workflows' final views and published events, and every case is checked against its script. Prints a table
and writes bench/results/simulated_month.json.

The month is CPU-bound (the worker's Python, one core at most, and the test server). Cases never touch each other,
so it runs in shards: K processes, each with its own time-skipping server and worker, each driving every K-th case
of the same plan through the same month; the parent builds the plan once and tallies all the cases together.
The test server costs more per case the more work it has done: it keeps a list of every lock of its clock and scans
it for each timer it takes off its queue (`bench/server_growth.py`). So a shard's server must stay young: shards of
`SHARD_CASES` cases, each on a fresh server (the 10 000-case month: 500-case shards 4.9% faster than 1 000-case ones,
the server 14% cheaper a case; 250-case ones no better). More shards at once than there are cores cost more again
(ten of 1 000 three at a time: 347 s against 308 s two at a time), so they run `--parallel` at a time, one per core:
the later shards wait for a free core. The wall time is the parent's, from the first shard's start to the last one's
end; the plan and the fork server the shards come from are made before it starts.

Each of the `--parallel` lanes is pinned to a core of its own (`--no-pin` to let the kernel place them), and a shard
takes its lane's core with its test server: the worker and its server hand every workflow task back and forth, and
on this VM a wake-up on the other core is dear. Two shards of 1 000 side by side took 55–64 s pinned and 63–87 s
unpinned (four rounds, alternating), with as much less CPU a case in both the worker and the server.

The worker runs the production workflows and activities, but by default without the sandbox (`--runner`) and with
its activations on its event loop (`--activations`): the month checks what the workflows do, and both cost CPU
without changing it. The sandbox (temporalio 1.35) runs an `exec` for every payload the worker encodes or decodes,
about 20 ms of CPU per case here; determinism under the sandbox is what the workflow tests (strict sandbox) and the
replay tests check, and `test_simulated_month` runs a small month on the production runner too.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import logging
import math
import multiprocessing
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence, Set
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

import structlog
import uvloop
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner

from bench.cpu_time import rss_mib
from bench.host_speed import yardstick_seconds
from bench.interpreters import this_interpreter
from bench.month_costs import HISTORY_SAMPLE, cpu_seconds, history_sample, merge_history_samples
from bench.month_plan import PROFILE_MIX, Action, CasePlan, MonthPlan, Profile, Target
from bench.month_script import build_month, month_start_after
from bench.month_tally import mix_drawn, table, tally
from bench.parent_watch import end_with
from bench.processes import children
from services.contracts.case_ids import workflow_id_for
from services.contracts.case_view import CaseView
from services.contracts.case_workflow import WORKFLOW_TYPE, joint_task_workflow_id
from services.contracts.catalog import load_catalog
from services.contracts.events import EventKind, NotificationEvent
from services.workflows.calendar.working_calendar import CHINA_TZ
from services.workflows.worker import workflow_runner as production_runner
from tests.workflows.harness import PublishedEvents, Sources, WorkerTuning, case_worker, start_time_skipping

RESULTS = Path(__file__).resolve().parent / "results" / "simulated_month.json"
DEFAULT_SEED = 20261122
DEFAULT_CONCURRENCY = 200
SHARD_CASES = 500
# Every case stays cached for its whole life: evicting one means replaying its history on the next task. The worker
# is CPU-bound: taking fewer workflow tasks at once leaves the rest queued on the server instead of holding each
# for seconds (10 k cases: with 200 at once 1,453 tasks took over 5 s; with 50, none did; same CPU).
DEFAULT_TUNING: dict[str, int | bool] = {
    "max_concurrent_workflow_tasks": 50,
    "max_concurrent_activities": 400,
    "max_cached_workflows": 20_000,
    # One thread runs every activation: they hold the GIL anyway (2 k cases: 51 → 47 ms of CPU per case).
    "workflow_task_threads": 1,
    # Better still, no thread: each activation handed to a thread and back cost more than the thread bought
    # (1 k cases, Python CPU per case: 35–40 ms on a thread, 32–35 inline).
    "inline_activations": True,
}
# The test server is a GraalVM native image with the serial collector, which sized its young generation at a few tens
# of MiB here and collected about twice a second under a shard's load; with half a GiB it spends 3–15% less CPU
# (A/B, two 1 000-case shards side by side, four pairs).
TEST_SERVER_ARGS = ("-Xmn512m",)
RUNNERS = ("passthrough", "sandboxed", "unsandboxed")
ASSIGNED_TIMEOUT_SECONDS = 120.0
RESULT_TIMEOUT_SECONDS = 60.0
UPDATE_TIMEOUT_SECONDS = 60.0
# After the last scripted action: the 7-day rating wait, and an hour to spare.
TAIL = timedelta(days=7, hours=1)


def workflow_runner(name: str) -> WorkflowRunner:
    """`passthrough` is what production runs (our modules shared with the sandbox); `sandboxed` re-imports each
    workflow's file into every case's sandbox (the workflow tests' runner); `unsandboxed` has no sandbox at all."""
    if name == "unsandboxed":
        return UnsandboxedWorkflowRunner()
    if name in ("passthrough", "sandboxed"):
        return production_runner(strict_sandbox=name == "sandboxed")
    raise ValueError(f"runner must be one of {', '.join(RUNNERS)}, not {name!r}")


@dataclass(frozen=True)
class MonthSpec:
    """How a shard drives its share of the month (sent to a shard's process with the share)."""

    cases: int
    seed: int
    start: datetime
    concurrency: int
    runner: str
    tuning: Mapping[str, int | bool]
    mix: Mapping[Profile, float]
    shard: int = 0
    shards: int = 1
    progress: bool = False
    core: int | None = None  # the core its lane is pinned to (None: wherever the kernel puts it)
    parent: int | None = None  # the month's process: a shard in a process of its own ends when it is gone

    def plan(self) -> MonthPlan:
        """The whole month (seeded, no clock read): built once, in the parent, and dealt out to the shards."""
        sources, catalog = Sources(), load_catalog()
        return build_month(
            self.cases,
            seed=self.seed,
            start=self.start,
            calendar=sources.calendar,
            catalog=catalog,
            policy=sources.policy,
            mix=self.mix,
        )


@dataclass
class ShardOutcome:
    """What one shard saw: its cases' final views and published events, and what driving them cost."""

    cases: int
    wall_seconds: float
    views: dict[str, CaseView | None]
    events: list[NotificationEvent]
    updates_sent: int
    refusals: list[str]
    stranded: list[str]
    cpu_seconds: dict[str, float]
    rss_mib: float
    histories: dict[str, float]
    cores: list[int]  # the cores the shard's process could run on
    server_cores: list[int]  # and its test server
    # From its lane handing it out to its outcome back: the process's start, imports, server and worker, the drive,
    # the final views, the shutdown and the outcome's trip back (set by the lane).
    lane_seconds: float = 0.0


async def run_simulated_month(
    cases: int = 10_000,
    *,
    seed: int = DEFAULT_SEED,
    shards: int | None = None,
    parallel: int | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    runner: str = "unsandboxed",
    tuning: Mapping[str, int | bool] | None = None,
    mix: Mapping[Profile, float] = PROFILE_MIX,
    pin: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Replay a month of `cases` cases in `shards` processes, `parallel` at a time (defaults: shards of
    `SHARD_CASES`, one at a time per core, each lane pinned to its core; `shards=1`: in this process, unpinned); the
    JSON-able result (wall time in seconds, counts from the workflows)."""
    workflow_runner(runner)  # an unknown runner is refused here, not by every shard
    options = {**DEFAULT_TUNING, **(tuning or {})}
    shards = max(1, min(shards or math.ceil(cases / SHARD_CASES), cases))
    parallel = max(1, min(parallel or os.cpu_count() or 1, shards))
    load_before = os.getloadavg()
    # Before the shards and after them, on the idle cores: how fast the host was around this run.
    yardstick_before = yardstick_seconds()
    # The time-skipping servers' clocks start at the real now (a shard's, when it starts): the month starts at the
    # first midnight at least a day ahead, for all shards, however late the last shard gets a core.
    start = month_start_after(datetime.now(UTC) + timedelta(days=1))
    spec = MonthSpec(cases, seed, start, concurrency, runner, options, dict(mix))
    plan = spec.plan()
    shard_processes = None if shards == 1 else forked_shards()
    began = time.perf_counter()
    if shard_processes is None:
        cores: list[int | None] = [None]
        outcomes = [await run_shard(spec, plan, progress)]
        outcomes[0].lane_seconds = time.perf_counter() - began
    else:
        shown = progress is not None
        specs = [
            dataclasses.replace(spec, shard=i, shards=shards, progress=shown, parent=os.getpid()) for i in range(shards)
        ]
        # Every `shards`-th case, from the i-th: each shard gets arrivals spread over the whole month.
        shares = [dataclasses.replace(plan, cases=plan.cases[i::shards]) for i in range(shards)]
        cores = lane_cores(parallel, pin=pin, available=os.sched_getaffinity(0))
        outcomes = await run_in_lanes(specs, shares, cores, shard_processes)
    wall = time.perf_counter() - began
    yardstick_after = yardstick_seconds()
    views = {case_id: view for outcome in outcomes for case_id, view in outcome.views.items()}
    events = [event for outcome in outcomes for event in outcome.events]
    cpu = dict(sum((Counter(outcome.cpu_seconds) for outcome in outcomes), Counter()))
    cpu = {name: round(spent, 1) for name, spent in cpu.items()}
    closed = [view.closed_at for view in views.values() if view is not None and view.closed_at is not None]
    return {
        "benchmark": "simulated_month",
        "cases": cases,
        "seed": seed,
        "mix": mix_drawn(plan),
        "month_start": spec.start.isoformat(),
        "shards": shards,
        "parallel": parallel,
        "shard_cases": [outcome.cases for outcome in outcomes],
        "cores": os.cpu_count(),
        "wall_seconds": round(wall, 1),
        "shard_seconds": [round(outcome.wall_seconds, 1) for outcome in outcomes],
        "shard_lane_seconds": [round(outcome.lane_seconds, 1) for outcome in outcomes],
        "cases_per_wall_second": round(cases / wall, 1),
        "simulated_span_days": round((max(closed, default=spec.start) - spec.start) / timedelta(days=1), 1),
        "updates_sent": sum(outcome.updates_sent for outcome in outcomes),
        "updates_refused": sum(len(outcome.refusals) for outcome in outcomes),
        "refusals": [r for outcome in outcomes for r in outcome.refusals][:10],
        "updates_stranded": sum(len(outcome.stranded) for outcome in outcomes),
        "stranded": [s for outcome in outcomes for s in outcome.stranded][:10],
        "cpu_seconds": cpu,
        "cpu_ms_per_case": {name: round(1000 * spent / cases, 1) for name, spent in cpu.items()},
        "histories": merge_history_samples([outcome.histories for outcome in outcomes]),
        # Shards run `parallel` at a time: the most resident at once is the largest `parallel` of them together.
        "rss_mib": round(sum(sorted((outcome.rss_mib for outcome in outcomes), reverse=True)[:parallel])),
        "shard_rss_mib": [round(outcome.rss_mib) for outcome in outcomes],
        "lane_cores": cores,
        "shard_cores": [outcome.cores for outcome in outcomes],
        "server_cores": [outcome.server_cores for outcome in outcomes],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "host_yardstick_seconds": {"before": yardstick_before, "after": yardstick_after},
        "interpreter": this_interpreter(),
        "worker": {"runner": runner, **options},
        "concurrency": concurrency,
        **tally(plan, views, events),
    }


def lane_cores(parallel: int, *, pin: bool, available: Set[int]) -> list[int | None]:
    """The core each of `parallel` lanes is pinned to: one each while there are cores enough, else none (None)."""
    if not pin or parallel > len(available):
        return [None] * parallel
    return [core for core in sorted(available)[:parallel]]


def forked_shards() -> ForkServerContext:
    """Where shard processes come from: a fork server that has imported this module once, started now.

    Forked from it, not from this process, each shard starts clean (no copy of this process's event loop or SDK
    runtime); and not spawned, it does not import this module again (1 200 cases in six shards: 0.6–0.9 s from a
    shard handed out to its drive started and from its drive's end to its outcome back, against 1.8–2.2 s spawned).
    The fork server's own start (about a second, the import) is paid here, before the month's clock starts, like
    the plan: it used to delay both lanes' first shards.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["bench.simulated_month"])
    first = context.Process(target=_nothing)  # the first process through it starts it
    first.start()
    first.join()
    return context


def _nothing() -> None:
    return None


async def run_in_lanes(
    specs: Sequence[MonthSpec],
    shares: Sequence[MonthPlan],
    cores: Sequence[int | None],
    shard_processes: ForkServerContext,
) -> list[ShardOutcome]:
    """Run the shards in one lane per entry of `cores`, each lane taking the next shard when its last one is done (a
    process each, forked by `shard_processes`, on the lane's core); the outcomes in shard order. A shard that fails
    ends the run: no lane takes another shard, the shards running are waited for, and the failure is raised (in an
    `ExceptionGroup`)."""
    loop = asyncio.get_running_loop()
    waiting = iter(enumerate(zip(specs, shares, strict=True)))
    outcomes: dict[int, ShardOutcome] = {}
    # A process per shard (`max_tasks_per_child`): a later shard does not inherit an earlier one's frozen heap, nor
    # its test server's age.
    with ProcessPoolExecutor(len(cores), mp_context=shard_processes, max_tasks_per_child=1) as pool:

        async def lane(core: int | None) -> None:
            for index, (spec, share) in waiting:  # shared by the lanes: whichever is free takes the next shard
                pinned, handed_out = dataclasses.replace(spec, core=core), time.perf_counter()
                outcome = await loop.run_in_executor(pool, shard_main, pinned, share)
                outcome.lane_seconds = time.perf_counter() - handed_out
                outcomes[index] = outcome

        async with asyncio.TaskGroup() as lanes:
            for core in cores:
                lanes.create_task(lane(core))
    return [outcomes[index] for index in range(len(specs))]


def shard_main(spec: MonthSpec, share: MonthPlan) -> ShardOutcome:
    """A shard's process: on its lane's core, quiet logs, its share of the month, the outcome sent back."""
    if spec.parent is not None:
        end_with(spec.parent)
    if spec.core is not None:
        # Before the test server starts: it inherits the affinity.
        os.sched_setaffinity(0, {spec.core})
    _quiet_logs()
    shown = f"shard {spec.shard + 1}/{spec.shards}"
    progress = (lambda line: print(f"{shown}{line}", flush=True)) if spec.progress else None
    # On uvloop, as the services run: the worker's event loop carries every activity, update and completion.
    return uvloop.run(run_shard(spec, share, progress))


async def run_shard(spec: MonthSpec, plan: MonthPlan, progress: Callable[[str], None] | None) -> ShardOutcome:
    """`plan`'s cases (the shard's share of the month) on a time-skipping server of its own."""
    env = await start_time_skipping(TEST_SERVER_ARGS)
    try:
        published, sources = PublishedEvents(), Sources()
        tuning: dict[str, Any] = dict(spec.tuning)  # WorkerTuning's fields, checked by name when it is built
        worker_tuning = WorkerTuning(**tuning, workflow_runner=workflow_runner(spec.runner))
        async with case_worker(env, published, sources, tuning=worker_tuning) as task_queue:
            driver = MonthDriver(env, task_queue, published, asyncio.Semaphore(spec.concurrency), progress=progress)
            await driver.sleep_until(plan.start)
            cpu_before, began = cpu_seconds(), time.perf_counter()
            await driver.drive(plan)
            views = await driver.final_views(plan)
            wall = time.perf_counter() - began
            cpu = {name: spent - cpu_before.get(name, 0.0) for name, spent in cpu_seconds().items()}
            rss = rss_mib()
            server_cores = sorted({core for pid in children() for core in os.sched_getaffinity(pid)})
            histories = await history_sample(env, plan, views, size=max(1, HISTORY_SAMPLE // spec.shards))
    finally:
        await env.shutdown()
    return ShardOutcome(
        cases=len(plan.cases),
        wall_seconds=wall,
        views=views,
        events=published.events,
        updates_sent=driver.updates_sent,
        refusals=driver.refusals,
        stranded=driver.stranded,
        cpu_seconds=cpu,
        rss_mib=rss,
        histories=histories,
        cores=sorted(os.sched_getaffinity(0)),
        server_cores=server_cores,
    )


def freeze_survivors() -> None:
    """Once a simulated day: hide every object alive now from later collections.

    The shard's heap only grows (every case stays cached to its end, every published event is kept for the tally),
    so each full collection walked all of it again: at 5 k cases a pause of seconds, long enough for the SDK to
    report a workflow deadlocked, and most of the month's wall time. Frozen objects are still freed by reference
    counting; only cycles that die after being frozen stay until the shard ends (a collection before each freeze
    would free them, and cost a twelfth of the driver's CPU). The memory this keeps is in the result (`rss_mib`).
    Freezing is a constant-time list splice; counting the frozen objects (`gc.get_freeze_count`) walks them all,
    a thirteenth of the shard's Python time when done daily, so it is not counted.
    """
    gc.freeze()


def _quiet_logs() -> None:
    # Deadlines counted into a year with no holiday schedule log a warning each; the result counts those cases.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))


class MonthDriver:
    """Moves the clock from one scripted hour to the next, starting that hour's cases and sending its actions.

    The time-skipping server strands a run whose workflow task cancels a timer that fired (in real time, between
    skips) while the task was with the worker: it refuses the completion ("invalid history builder state for
    action") and never retries the task (temporalio/sdk-java#2606, #3088). An update that lands on one of its
    case's timers does exactly that, so the script keeps actions off the timers' instants (`ACTION_MINUTE`), and
    an update that still hangs is given up after `UPDATE_TIMEOUT_SECONDS` and counted as stranded.
    """

    def __init__(
        self,
        env: WorkflowEnvironment,
        task_queue: str,
        published: PublishedEvents,
        limit: asyncio.Semaphore,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.env = env
        self.progress = progress
        self.task_queue = task_queue
        self.published = published
        self.limit = limit
        self.updates_sent = 0
        self.refusals: list[str] = []
        self.stranded: list[str] = []
        self._scanned = 0

    async def sleep_until(self, moment: datetime) -> None:
        """Skip server time to `moment`: every timer due on the way fires, in order."""
        remaining = moment - await self.env.get_current_time()
        if remaining > timedelta(0):
            await self.env.sleep(remaining)

    async def drive(self, plan: MonthPlan) -> None:
        arrivals: dict[datetime, list[CasePlan]] = defaultdict(list)
        agenda: dict[datetime, list[tuple[CasePlan, list[Action]]]] = defaultdict(list)
        for case in plan.cases:
            arrivals[case.arrives_at].append(case)
            by_hour: dict[datetime, list[Action]] = defaultdict(list)
            for action in case.actions:
                by_hour[action.at].append(action)
            for at, actions in by_hour.items():
                agenda[at].append((case, actions))
        began, started, day = time.perf_counter(), 0, plan.start.astimezone(CHINA_TZ).date()
        for moment in sorted(arrivals.keys() | agenda.keys()):
            if moment.astimezone(CHINA_TZ).date() != day:
                freeze_survivors()
                if self.progress:
                    elapsed = time.perf_counter() - began
                    self.progress(
                        f"  {day} done: {started} cases started, {self.updates_sent} updates sent, {elapsed:.0f} s"
                    )
                day = moment.astimezone(CHINA_TZ).date()
            started += len(arrivals.get(moment, []))
            await self.sleep_until(moment)
            await asyncio.gather(*(self._act(case, actions) for case, actions in agenda.get(moment, [])))
            await self._start(arrivals.get(moment, []))
        last = max((action.at for case in plan.cases for action in case.actions), default=plan.start)
        await self.sleep_until(last + TAIL)

    async def _start(self, cases: Sequence[CasePlan]) -> None:
        """Start this hour's cases and wait until each unit has been told (before that, actions are refused)."""

        async def start(case: CasePlan) -> None:
            async with self.limit:
                await self.env.client.start_workflow(
                    WORKFLOW_TYPE,
                    case.case,
                    id=workflow_id_for(case.case.case_id),
                    task_queue=self.task_queue,
                    result_type=CaseView,
                )

        await asyncio.gather(*(start(case) for case in cases))
        await self._until_assigned({case.case.case_id for case in cases})

    async def _until_assigned(self, waiting: set[str]) -> None:
        deadline = time.monotonic() + ASSIGNED_TIMEOUT_SECONDS
        while waiting:
            events = self.published.events
            for event in events[self._scanned :]:
                if event.kind is EventKind.CASE_ASSIGNED:
                    waiting.discard(event.case_id)
            self._scanned = len(events)
            if waiting and time.monotonic() > deadline:
                raise TimeoutError(f"{len(waiting)} cases never assigned, e.g. {sorted(waiting)[:3]}")
            if waiting:
                await asyncio.sleep(0.005)

    async def _act(self, case: CasePlan, actions: Sequence[Action]) -> None:
        """One case's actions due this hour, in order; a refusal is recorded (the check counts it) and skipped."""
        for action in actions:
            workflow_id = workflow_id_for(case.case.case_id)
            if action.target is Target.JOINT_TASK:
                assert action.joint_unit is not None
                workflow_id = joint_task_workflow_id(case.case.case_id, 1, action.joint_unit)
            handle = self.env.client.get_workflow_handle(workflow_id)
            what = f"{case.profile.value} {action.update} {case.case.case_id}"
            async with self.limit:
                self.updates_sent += 1
                try:
                    await asyncio.wait_for(handle.execute_update(action.update, action.body), UPDATE_TIMEOUT_SECONDS)
                except WorkflowUpdateFailedError as failed:
                    cause = failed.cause
                    self.refusals.append(f"{what}: {cause.message if isinstance(cause, ApplicationError) else cause!r}")
                except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError) as error:
                    self.stranded.append(f"{what}: {error!r}")
                    return

    async def final_views(self, plan: MonthPlan) -> dict[str, CaseView | None]:
        """Each case's result (its final view); None for one still running, which the check reports."""

        async def result(case: CasePlan) -> tuple[str, CaseView | None]:
            handle = self.env.client.get_workflow_handle(workflow_id_for(case.case.case_id), result_type=CaseView)
            async with self.limit:
                try:
                    return case.case.case_id, await asyncio.wait_for(handle.result(), RESULT_TIMEOUT_SECONDS)
                except TimeoutError:
                    return case.case.case_id, None

        return dict(await asyncio.gather(*(result(case) for case in plan.cases)))


def main() -> None:
    parser = argparse.ArgumentParser(description="The simulated month in the time-skipping environment.")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--shards", type=int, default=None, help=f"processes (default: one per {SHARD_CASES} cases)")
    parser.add_argument("--parallel", type=int, default=None, help="shards run at once (default: one per core)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="client calls in flight")
    parser.add_argument("--runner", choices=RUNNERS, default="unsandboxed", help="workflow runner of the worker")
    parser.add_argument("--workflow-tasks", type=int, default=None, help="worker max_concurrent_workflow_tasks")
    parser.add_argument(
        "--pin", action=argparse.BooleanOptionalAction, default=True, help="pin each lane of shards to a core"
    )
    parser.add_argument(
        "--activations",
        choices=("inline", "thread"),
        default="inline" if DEFAULT_TUNING["inline_activations"] else "thread",
        help="run workflow activations on the worker's event loop, or on a thread of their own",
    )
    args = parser.parse_args()
    _quiet_logs()
    tuning: dict[str, int | bool] = {"inline_activations": args.activations == "inline"}
    if args.workflow_tasks:
        tuning["max_concurrent_workflow_tasks"] = args.workflow_tasks
    result = uvloop.run(
        run_simulated_month(
            args.cases,
            seed=args.seed,
            shards=args.shards,
            parallel=args.parallel,
            concurrency=args.concurrency,
            runner=args.runner,
            tuning=tuning,
            pin=args.pin,
            progress=lambda line: print(line, flush=True),
        )
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    activations = "inline" if result["worker"]["inline_activations"] else "on a thread"
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    pinned = "pinned" if any(core is not None for core in result["lane_cores"]) else "unpinned"
    print(
        f"simulated month ({result['worker']['runner']} worker, activations {activations}, {result['shards']} shards,"
        f" {result['parallel']} at a time on {result['cores']} cores, {pinned},"
        f" {result['concurrency']} calls in flight per shard)"
    )
    print(table(result))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
