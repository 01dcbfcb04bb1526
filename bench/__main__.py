"""`make bench`: every benchmark in one run on this machine, so the ratios between them hold on noisy hardware.

    .venv/bin/python -m bench                       # everything (open cases up to 100 k: about an hour)
    .venv/bin/python -m bench --quick               # a few minutes: short steps, 2 k open cases, 500-case month,
                                                    # 100 k case records
    .venv/bin/python -m bench --only engine,e2e     # some of: engine, e2e, open, month, index, records, console
    .venv/bin/python -m bench --no-records          # without PostgreSQL and the records service

Prints tables and writes bench/results/bench-<time>.json (and latest.json), named for its start and written again after
each part: a part that fails is recorded as failed (its traceback printed), the parts after it still run, and the
run exits with status 1 at its end. Method and figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import uvloop
from temporalio.client import Client

from bench.assigned_watch import AssignedWatch
from bench.bench_tickets import UNITS
from bench.case_index_memory import measure_index
from bench.case_index_memory import table as index_table
from bench.console_pages import console_phase, console_targets
from bench.cpu_time import cpu_seconds, ms_per_case, process_tree_cpu_seconds, rss_mib
from bench.end_to_end import DRAIN_SECONDS, end_to_end_step, platform_session, point_units_at
from bench.engine_limit import engine_step
from bench.figures import COMPLETION_LATENCY_BUDGET_SECONDS, Step, highest_sustained
from bench.host_speed import yardstick_seconds
from bench.interpreters import describe
from bench.ladder import Ladder, climb
from bench.open_cases import OpenCasesPoint, add_open_cases, bench_policy, disk_mib, probe_timers
from bench.projection_lag import postgres_pid, projection_lag_step
from bench.records_lookup import measure_lookups
from bench.records_lookup import table as lookup_table
from bench.records_reads import RECORDS_TARGET_CASES, records_phase, records_targets
from bench.report import cpu_table, machine, steps_table, table, verdict
from bench.webhook_sink import WebhookSink
from services.contracts.settings import ServiceSettings
from services.contracts.subjects import RECORDS_CONSUMER
from services.engines.temporal import connect_temporal
from tests.support.backlog import BACKLOG_CONSUMERS, wait_until_drained
from tests.support.credentials import bearer
from tests.support.services import RECORDS, ServiceProcess
from tests.support.system import RunningSystem

RESULTS = Path(__file__).resolve().parent / "results"
# The services stopped while cases are started through the SDK: everything in front of Temporal, and the consumers
# of what the workflows publish (the records catch up on the engine phases' events before the end to end starts).
PIPELINE_SERVICES = ("intake", "router", "notifier", RECORDS)
TARGET_RATIO = 0.8
TARGET_POST_P99_MS = 25.0
TARGET_WEBHOOK_P99_MS = 1000.0
TARGET_OPEN_CASES = 100_000
TARGET_WORKER_RSS_MIB = 2048.0
TARGET_MONTH_SECONDS = 300.0
TARGET_MONTH_CASES = 10_000
TARGET_PROJECTION_LAG_P99_MS = 1000.0


@dataclass(frozen=True)
class Options:
    parts: frozenset[str]
    step_seconds: float
    open_cases: tuple[int, ...]
    month_cases: int
    index_keys: int = 1_000_000
    index_ttl_seconds: float = 60.0
    records_cases: int = 1_000_000
    # PostgreSQL and the records service run beside the rest (issue 24); without them, what they cost the end to end
    # shows against a run with them.
    records: bool = True


def parse_options() -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short steps, 2 k open cases, a 500-case month")
    parser.add_argument(
        "--only",
        default="engine,e2e,open,month,index,records,console",
        help="comma-separated: engine,e2e,open,month,index,records,console",
    )
    parser.add_argument("--step-seconds", type=float, default=None, help="length of one load step (default 20)")
    parser.add_argument("--open-cases", default=None, help="comma-separated totals (default 10000,50000,100000)")
    parser.add_argument("--month-cases", type=int, default=None, help="cases in the simulated month (default 10000)")
    parser.add_argument("--index-keys", type=int, default=None, help="case_index records written (default 1000000)")
    parser.add_argument(
        "--records-cases",
        type=int,
        default=None,
        help="case records generated, for records and console (default 1000000)",
    )
    parser.add_argument("--no-records", action="store_true", help="without PostgreSQL and the records service")
    args = parser.parse_args()
    open_default = "2000" if args.quick else "10000,50000,100000"
    return Options(
        parts=frozenset(part.strip() for part in args.only.split(",") if part.strip()),
        step_seconds=args.step_seconds or (8.0 if args.quick else 20.0),
        open_cases=tuple(int(n) for n in (args.open_cases or open_default).split(",")),
        month_cases=args.month_cases or (500 if args.quick else 10_000),
        index_keys=args.index_keys or (100_000 if args.quick else 1_000_000),
        index_ttl_seconds=10.0 if args.quick else 60.0,
        records_cases=args.records_cases or (100_000 if args.quick else RECORDS_TARGET_CASES),
        records=not args.no_records,
    )


class ResultsFile:
    """bench/results/bench-<start>.json and latest.json, written again whenever a part is done: an hour of figures
    is not lost to a later part that fails (the month once did, its test server not up within 5 s)."""

    def __init__(self, directory: Path = RESULTS) -> None:
        self.directory = directory
        self.path = directory / f"bench-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"

    def save(self, results: dict[str, Any]) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps({**results, "targets": targets(results)}, indent=2, ensure_ascii=False, default=str)
        self.path.write_text(text, encoding="utf-8")
        (self.directory / "latest.json").write_text(text, encoding="utf-8")
        return self.path


async def main(options: Options, results_file: ResultsFile) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "options": {**options.__dict__, "parts": sorted(options.parts)}}
    results["host_yardstick_seconds"] = {"at_start": yardstick_seconds()}
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    env = {
        # One platform sends every ticket: its per-client limit is not what is measured here.
        "HOTLINE_INTAKE_RATE_LIMIT": "1000000/second",
        "HOTLINE_WORKFLOWS_POLICY_FILE": str(bench_policy(workdir / "bench-policy.json")),
    }
    on_the_system = [part for part in ("engine", "e2e", "open") if part in options.parts]
    if "engine" in on_the_system and "e2e" in on_the_system:
        # A-B-A: the host's speed drifts within a run (F4: its yardstick 0.208 s at the start, 0.306 s at the end), so
        # the engine limit measured only before the end to end would be compared with it on a different machine.
        on_the_system.insert(on_the_system.index("e2e") + 1, "engine_again")
    if on_the_system:
        try:
            await system_parts(on_the_system, options, results, results_file, workdir, env)
        except Exception as error:  # the system did not start, or its watcher did not: the parts not yet measured
            traceback.print_exc()
            for part in on_the_system:
                if PART_KEYS[part] not in results and part not in results.get("failed_parts", {}):
                    part_failed(results, part, error)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    if "month" in options.parts:
        await measure_part(results, "month", month_phase(options), results_file)
    if "index" in options.parts:
        await measure_part(results, "index", index_phase(options), results_file)
    if "records" in options.parts:
        await measure_part(results, "records", records_phase(options.records_cases), results_file)
    if "console" in options.parts:
        await measure_part(results, "console", console_phase(options.records_cases), results_file)
    results["host_yardstick_seconds"]["at_end"] = yardstick_seconds()
    return results


async def system_parts(
    parts: Sequence[str],
    options: Options,
    results: dict[str, Any],
    results_file: ResultsFile,
    workdir: Path,
    env: dict[str, str],
) -> None:
    """The parts measured on the system `make run` starts (engine, e2e, open), one after the other on one system."""
    system = await RunningSystem.start(workdir, extra_env=env, with_records=options.records)
    try:
        temporal = await connect_temporal(ServiceSettings(temporal_address=system.temporal.address))
        watch = AssignedWatch()
        await watch.start(system.nats.url)

        async def end_to_end_at(system: RunningSystem, temporal: Client, watch: AssignedWatch, options: Options) -> Any:
            # Read when the end to end begins: the engine limit (1) measured before it, if this run measured one.
            engine_limit = (results.get("engine_limit") or {}).get("sustained_rate") or None
            return await end_to_end_phase(system, temporal, watch, options, engine_limit=engine_limit)

        phases = {
            "engine": engine_phase,
            "e2e": end_to_end_at,
            "engine_again": engine_again_phase,
            "open": open_cases_phase,
        }
        for part in parts:
            await measure_part(results, part, phases[part](system, temporal, watch, options), results_file)
        await watch.stop()
    finally:
        system.stop()


# Where each part's result is kept in the results.
PART_KEYS = {
    "engine": "engine_limit",
    "e2e": "end_to_end",
    "engine_again": "engine_limit_after_end_to_end",
    "open": "open_cases",
    "month": "simulated_month",
    "index": "case_index",
    "records": "case_records",
    "console": "console_pages",
}


async def measure_part(
    results: dict[str, Any],
    part: str,
    measuring: Awaitable[Any],
    results_file: ResultsFile,
    *,
    yardstick: Callable[[], float] = yardstick_seconds,
) -> None:
    """The part's result in `results`, or the part recorded as failed with its traceback printed; either way the
    results are saved, and the run goes on to its next part. The host's yardstick is taken before and after it, so
    two parts' figures can be told apart from the host's drift between them."""
    speeds = results.setdefault("host_yardstick_seconds", {}).setdefault("by_part", {})
    speeds[part] = {"before": yardstick()}
    try:
        results[PART_KEYS[part]] = await measuring
    except Exception as error:
        traceback.print_exc()
        part_failed(results, part, error)
    speeds[part]["after"] = yardstick()
    print(f"  results so far: {results_file.save(results)}", flush=True)


def part_failed(results: dict[str, Any], part: str, error: BaseException) -> None:
    print(f"\n{part}: FAILED: {error!r}", flush=True)
    results.setdefault("failed_parts", {})[part] = repr(error)


async def engine_phase(
    system: RunningSystem,
    temporal: Client,
    watch: AssignedWatch,
    options: Options,
    heading: str = "(1) engine limit: FirstContactCase started through the SDK, until its unit is told",
) -> dict[str, Any]:
    """Intake, router and notifier stopped: Temporal and the workflows worker alone."""
    print(f"\n{heading}", flush=True)
    async with pipeline_stopped(system):
        await engine_step(temporal, watch, 2.0, 5.0)  # warm-up: imports, connections, caches

        async def measure(rate: float) -> Step:
            return _shown(await with_cpu(system, engine_step(temporal, watch, rate, options.step_seconds)))

        steps = await climb(Ladder(), measure)
    best = highest_sustained(steps)
    print(steps_table("engine limit steps", steps), flush=True)
    print(cpu_table("engine limit: CPU ms per case, by process", steps), flush=True)
    return {"steps": [s.as_json() for s in steps], "sustained_rate": best.rate if best else 0.0}


async def engine_again_phase(
    system: RunningSystem, temporal: Client, watch: AssignedWatch, options: Options
) -> dict[str, Any]:
    """The engine limit measured again straight after the end to end, for the ratio's A-B-A."""
    heading = "(1′) engine limit again, after the end to end: the ratio compares with the mean of both"
    return await engine_phase(system, temporal, watch, options, heading)


@contextlib.asynccontextmanager
async def pipeline_stopped(system: RunningSystem) -> AsyncIterator[None]:
    """Intake, router and notifier stopped while cases are started through the SDK, then started again.

    The records too (issue 24): the engine limit stays what Temporal and the worker cost alone, comparable with the
    runs before the records existed.

    Not only for the engine limit: a notifier left running while the open cases are added would try to deliver
    each case's events to webhooks nobody serves any more (the end-to-end phase's receiver is gone) and retry
    them with backoff, about 240 attempts a second at 10 k cases: a core's worth of CPU taken from the phase.
    """
    stopped = [system.services[name] for name in PIPELINE_SERVICES if name in system.services]
    for service in stopped:
        service.stop()
    try:
        yield
    finally:
        await asyncio.gather(*(service.start() for service in stopped))


def system_pids(system: RunningSystem) -> dict[str, int]:
    """The processes of the system under test running now, and the benchmark's own (load, receiver, watcher)."""
    processes = {name: service.process for name, service in system.services.items()}
    processes |= {"temporal": system.temporal.process, "nats": system.nats.process}
    running = {name: process.pid for name, process in processes.items() if process and process.poll() is None}
    return running | {"bench": os.getpid()}


def system_cpu_seconds(system: RunningSystem, pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each of `pids` still running, and of PostgreSQL with its connections where it runs."""
    seconds = cpu_seconds(pids)
    if (postmaster := postgres_pid(system)) is not None and (tree := process_tree_cpu_seconds(postmaster)) is not None:
        seconds["postgres"] = tree
    return seconds


async def with_cpu(system: RunningSystem, stepping: Awaitable[Step]) -> Step:
    """The step, with the CPU each process spent on it per accepted case."""
    pids = system_pids(system)
    before = system_cpu_seconds(system, pids)
    step = await stepping
    return replace(step, cpu_ms_per_case=ms_per_case(before, system_cpu_seconds(system, pids), step.accepted))


async def end_to_end_phase(
    system: RunningSystem,
    temporal: Client,
    watch: AssignedWatch,
    options: Options,
    *,
    engine_limit: float | None = None,
) -> dict[str, Any]:
    """The ladder, a step at half its sustained rate, and, where the records run, a step at the engine limit's rate
    (`engine_limit`; the end to end's own limit without one) for their projection lag."""
    print("\n(2) end to end: POST /v1/cases → NATS → router → Temporal → notifier → webhook", flush=True)
    records = RECORDS in system.services
    drained_consumers = (*BACKLOG_CONSUMERS, RECORDS_CONSUMER) if records else BACKLOG_CONSUMERS
    lag: dict[str, Any] | None = None
    sink = WebhookSink()
    await sink.start()
    try:
        async with (
            httpx.AsyncClient(base_url=system.api_url, headers=bearer(system.keys["admin"])) as admin,
            platform_session(system.api_url, bearer(system.keys["platform-12345"])) as platform,
        ):
            await point_units_at(admin, sink)
            # The engine phase's events, published while the notifier was stopped (and parked by it once restarted,
            # the units having no channel yet), are delivered now that the units have a webhook: not on top of the
            # first step, whose CPU and latencies would be theirs.
            # The records, stopped with the pipeline, catch up on the engine phase's case events too.
            drained = await wait_until_drained(
                system.nats.url, timeout=DRAIN_SECONDS, consumers=drained_consumers, parked_for=UNITS
            )
            print(f"  the engine phase's events delivered (and recorded) in {drained:.0f} s", flush=True)
            await end_to_end_step(platform, temporal, sink, watch, 2.0, 5.0)  # warm-up

            async def measure(rate: float) -> Step:
                stepping = end_to_end_step(platform, temporal, sink, watch, rate, options.step_seconds)
                return _shown(await with_cpu(system, stepping))

            steps = await climb(Ladder(), measure)
            best = highest_sustained(steps)
            half = None
            if best is not None:
                print(f"  at half the sustained rate ({best.rate / 2:g}/s), for {2 * options.step_seconds:g} s:")
                stepping = end_to_end_step(platform, temporal, sink, watch, best.rate / 2, 2 * options.step_seconds)
                half = _shown(await with_cpu(system, stepping))
            lag_rate = engine_limit or (best.rate if best else None)
            if records and lag_rate:
                lag = await records_lag_phase(
                    system, platform, temporal, sink, watch, lag_rate, 2 * options.step_seconds, engine_limit
                )
    finally:
        await sink.stop()
    print(steps_table("end-to-end steps", steps), flush=True)
    print(cpu_table("end to end: CPU ms per case, by process", steps + ([half] if half else [])), flush=True)
    return {
        "steps": [s.as_json() for s in steps],
        "sustained_rate": best.rate if best else 0.0,
        "at_half_rate": half.as_json() if half else None,
        "webhook_deliveries": dict(sink.deliveries),
        "records_projection": lag,
    }


async def records_lag_phase(
    system: RunningSystem,
    platform: aiohttp.ClientSession,
    temporal: Client,
    sink: WebhookSink,
    watch: AssignedWatch,
    rate: float,
    seconds: float,
    engine_limit: float | None,
) -> dict[str, Any]:
    """One end-to-end step at `rate` with the records' projection lag measured (bench/projection_lag.py)."""
    source = "the engine limit (1)" if engine_limit else "the end to end's sustained rate (no engine limit measured)"
    print(f"  the records' projection lag at {rate:g}/s, {source}, for {seconds:g} s:", flush=True)
    pids = system_pids(system)
    stepping = end_to_end_step(platform, temporal, sink, watch, rate, seconds)
    step, lag = await projection_lag_step(system, stepping, cpu=lambda: system_cpu_seconds(system, pids))
    _shown(step)
    shown, backlog = lag["published_to_row_visible"], lag["records_backlog"]
    cpu = step.cpu_ms_per_case
    print(
        f"    {lag['events_visible']}/{lag['events_published']} events in their rows, published → row visible"
        f" p50 {shown['p50_ms']} / p95 {shown['p95_ms']} / p99 {shown['p99_ms']} / worst {shown['max_ms']} ms;"
        f" records backlog at most {backlog['most_during_step']}, {backlog['at_step_end']} at the step's end,"
        f" all shown {lag['caught_up_after_step_seconds']} s after it;"
        f" CPU a case: records {cpu.get('records')}, postgres {cpu.get('postgres')} of {cpu.get('total')} ms",
        flush=True,
    )
    return {"rate": rate, "rate_is": source, "step": step.as_json(), **lag}


async def open_cases_phase(
    system: RunningSystem, temporal: Client, watch: AssignedWatch, options: Options
) -> list[dict[str, Any]]:
    print("\n(3) open cases waiting on their deadline timers", flush=True)
    worker = system.services["workflows"]
    assert worker.process is not None
    points: list[OpenCasesPoint] = []
    already = len(watch.published.at)
    total = already
    async with pipeline_stopped(system):
        for target in options.open_cases:
            total = await open_cases_point(system, temporal, watch, worker, target, total, points)
    return [p.as_json() for p in points]


async def open_cases_point(
    system: RunningSystem,
    temporal: Client,
    watch: AssignedWatch,
    worker: ServiceProcess,
    target: int,
    total: int,
    points: list[OpenCasesPoint],
) -> int:
    """Open cases up to `target`, then measure the worker, the server's disk and the timers; the new total."""
    assert worker.process is not None
    adding = max(0, target - total)
    seconds = await add_open_cases(temporal, watch, adding)
    total += adding
    lateness, fired, probes = await probe_timers(temporal, system.nats.url)
    point = OpenCasesPoint(
        open_cases=total,
        started_in_seconds=round(seconds, 1),
        start_rate_per_second=round(adding / seconds, 1) if seconds else 0.0,
        worker_rss_mib=round(rss_mib(worker.process.pid), 1),
        server_disk_mib=round(disk_mib(system.workdir / "temporal.db"), 1),
        timer_lateness=lateness,
        probes_fired=fired,
        probes=probes,
    )
    points.append(point)
    print(
        f"  {total:>7} open: worker RSS {point.worker_rss_mib:.0f} MiB,"
        f" server disk {point.server_disk_mib:.0f} MiB,"
        f" timers fired {fired} late by p50 {lateness.p50_ms} / p99 {lateness.p99_ms} ms",
        flush=True,
    )
    return total


async def month_phase(options: Options) -> dict[str, Any]:
    print(f"\n(4) simulated month: {options.month_cases} cases in the time-skipping environment", flush=True)
    from bench.month_tally import table as month_table
    from bench.simulated_month import run_simulated_month

    result: dict[str, Any] = await run_simulated_month(cases=options.month_cases)
    print(month_table(result), flush=True)
    return result


async def index_phase(options: Options) -> dict[str, Any]:
    """Intake's idempotency index on nats-servers of its own, and the records' lookup on a PostgreSQL of its own."""
    print(
        f"\n(5) the case_index bucket: nats-server memory after {options.index_keys} tickets,"
        f" keys living {options.index_ttl_seconds:g} s against keys kept for ever",
        flush=True,
    )
    memory = await measure_index(keys=options.index_keys, ttl_seconds=options.index_ttl_seconds)
    print(index_table(memory), flush=True)
    print("\n(5′) a ticket reported longer ago than the keys live, looked up in the case records", flush=True)
    lookup = await measure_lookups(rows=options.index_keys)
    print(lookup_table(lookup), flush=True)
    return {"memory": memory, "records_lookup": lookup}


def engine_limit_around_end_to_end(results: dict[str, Any]) -> float | None:
    """The engine limit the end to end is compared with: the mean of the limits measured before and after it where
    both were (a drift of the host's speed through the run then costs both sides alike), else the one measured. A limit
    of 0 (not one step sustained) is no figure to compare with and is left out."""
    limits = [
        part["sustained_rate"]
        for part in (results.get("engine_limit"), results.get("engine_limit_after_end_to_end"))
        if part and part.get("sustained_rate")
    ]
    return round(sum(limits) / len(limits), 2) if limits else None


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    engine = engine_limit_around_end_to_end(results)
    e2e = results.get("end_to_end", {})
    ratio = e2e["sustained_rate"] / engine if engine and e2e.get("sustained_rate") else None
    if ratio is not None:
        e2e["ratio_to_engine_limit"] = round(ratio, 3)
        e2e["engine_limit_compared"] = engine
    half = (e2e.get("at_half_rate") or {}).get("latencies", {})
    post_p99 = half.get("post", {}).get("p99_ms")
    webhook_p99 = half.get("call_to_webhook_delivered", {}).get("p99_ms")
    open_points = results.get("open_cases") or []
    largest = max(open_points, key=lambda p: p["open_cases"], default=None)
    lag = (e2e.get("records_projection") or {}).get("published_to_row_visible", {})
    month = results.get("simulated_month") or {}
    # The target is for a month of 10 k cases: a smaller month (--quick) says nothing about it.
    month_seconds = month.get("wall_seconds") if month.get("cases", 0) >= TARGET_MONTH_CASES else None
    expiring = ((results.get("case_index") or {}).get("memory") or {}).get("ttl") or {}
    keys_left = (expiring.get("after_expiry") or {}).get("keys")

    failed = results.get("failed_parts", {})

    def target(name: str, parts: tuple[str, ...], figure: Any, met: Callable[[Any], bool]) -> dict[str, Any]:
        if any(part in failed for part in parts):
            return {"target": name, "figure": None, "result": "FAILED: " + ", ".join(p for p in parts if p in failed)}
        return {"target": name, "figure": figure, "result": verdict(None if figure is None else met(figure))}

    return [
        target(
            "end to end ≥ 80% of the engine limit",
            ("engine", "e2e"),
            ratio and round(ratio, 3),
            lambda r: r >= TARGET_RATIO,
        ),
        target("POST p99 < 25 ms at half the sustained rate", ("e2e",), post_p99, lambda ms: ms < TARGET_POST_P99_MS),
        target(
            "call→webhook p99 < 1 s at half the sustained rate",
            ("e2e",),
            webhook_p99,
            lambda ms: ms < TARGET_WEBHOOK_P99_MS,
        ),
        target(
            "records' projection lag p99 < 1 s at the engine limit's rate",
            ("e2e",),
            lag.get("p99_ms"),
            lambda ms: ms < TARGET_PROJECTION_LAG_P99_MS,
        ),
        target("100 k open cases", ("open",), largest and largest["open_cases"], lambda n: n >= TARGET_OPEN_CASES),
        target(
            "worker RSS < 2 GiB",
            ("open",),
            largest and largest["worker_rss_mib"],
            lambda mib: mib < TARGET_WORKER_RSS_MIB,
        ),
        target(
            "simulated month of 10 k cases < 5 min",
            ("month",),
            month_seconds,
            lambda seconds: seconds < TARGET_MONTH_SECONDS,
        ),
        target("case_index keys all expired after their TTL", ("index",), keys_left, lambda keys: keys == 0),
        *(target(name, ("records",), figure, met) for name, figure, met in records_targets(results)),
        *(
            target(name, ("console",), figure, met) if met else {"target": name, "figure": figure, "result": figure}
            for name, figure, met in console_targets(results)
        ),
    ]


def _shown(step: Step) -> Step:
    done = step.latencies[step.completion]
    print(
        f"  {step.rate:>6g}/s: {step.accepted}/{step.offered} accepted, {step.completed_per_second:.1f} done/s,"
        f" {step.completion} p50 {done.p50_ms} / p99 {done.p99_ms} ms, errors {step.errors}"
        f"{' ' + str(step.error_kinds) if step.error_kinds else ''}"
        f" → {'sustained' if step.sustained else 'NOT sustained'}",
        flush=True,
    )
    return step


def run(entry: Callable[[Options, ResultsFile], Coroutine[Any, Any, dict[str, Any]]]) -> None:
    options = parse_options()
    began = time.monotonic()
    results_file = ResultsFile()
    # On uvloop, as the services run: the load generator and the webhook receiver should cost the cores they share
    # with the system under test as little as they can.
    results = uvloop.run(entry(options, results_file))
    results["wall_seconds"] = round(time.monotonic() - began, 1)
    rows = [[t["target"], str(t["figure"]), t["result"]] for t in targets(results)]
    print("\n" + table("targets", ["target", "figure", "result"], rows))
    yardstick = results["host_yardstick_seconds"]
    print(f"host yardstick: {yardstick['at_start']} s at the start, {yardstick['at_end']} s at the end (lower: faster)")
    for part, speeds in yardstick.get("by_part", {}).items():
        print(f"  {part}: {speeds.get('before')} s before, {speeds.get('after')} s after")
    print(f"interpreter: {describe(results['machine']['interpreter'])}")
    budget = COMPLETION_LATENCY_BUDGET_SECONDS
    print(f"\nlatency budget of a sustained step: p99 ≤ {budget:g} s; results: {results_file.save(results)}")
    if failed := results.get("failed_parts"):
        raise SystemExit(f"parts failed: {', '.join(failed)} (the others' results are kept)")


if __name__ == "__main__":
    run(main)
