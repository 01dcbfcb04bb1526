"""`make chaos`: start the whole system on loopback, kill -9 each component in turn under load, reconcile; then the
same on the production topology (a three-node NATS cluster, two replicas of each service): one NATS server, one
replica of each service, the leader of the tickets' stream.

Prints a table per topology, writes `bench/results/chaos.json` (and `chaos-cluster.json`), and exits 1 if any target
is missed (the system's logs are then kept and their directory printed).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from chaos.components import CLUSTER_COMPONENT_NAMES, COMPONENT_NAMES
from chaos.deadline_probes import write_short_deadline_policy
from chaos.report import table, write_json
from chaos.results import SuiteResult
from chaos.suite import FaultSuite, SuitePlan
from services.contracts.telemetry import configure_logging
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results" / "chaos.json"
CLUSTER_RESULTS = RESULTS.with_name("chaos-cluster.json")
# 0.004 h = 14.4 s: probes sent just before a kill fall due while the component is down.
DEADLINE_HOURS = 0.004


def say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)


async def run_suite(workdir: Path, plan: SuitePlan, *, cluster: bool = False) -> SuiteResult:
    """Start a system of its own with the short urgent deadlines, run the suite on it, stop it."""
    policy = write_short_deadline_policy(workdir / "chaos-policy.json", hours=DEADLINE_HOURS)
    extra_env = {"HOTLINE_WORKFLOWS_POLICY_FILE": str(policy)}
    if cluster:
        say(f"starting 3 nats-servers as a cluster, Temporal, PostgreSQL and two of each service in {workdir}")
        system = await RunningSystem.start(workdir, extra_env=extra_env, with_records=True, nats_nodes=3, replicas=2)
    else:
        say(f"starting nats-server, Temporal, PostgreSQL and the five services in {workdir}")
        system = await RunningSystem.start(workdir, extra_env=extra_env, with_records=True)
    receiver = WebhookReceiver()
    await receiver.start()
    try:
        async with system.client() as api:
            suite = FaultSuite(system, api, receiver, plan, run=uuid.uuid4().hex[:8], say=say)
            return await suite.run()
    finally:
        await receiver.stop()
        await asyncio.to_thread(system.stop)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("--components", default=",".join(COMPONENT_NAMES), help="comma-separated, in kill order")
    parser.add_argument("--rate", type=float, default=SuitePlan.rate_per_second, help="tickets per second")
    parser.add_argument("--seed", type=int, default=None, help="for the kill times while catching up")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    topology = parser.add_mutually_exclusive_group()
    topology.add_argument("--cluster", action="store_true", help="only the cluster run")
    topology.add_argument("--single", action="store_true", help="only the single-server run")
    args = parser.parse_args(argv)
    configure_logging(service="chaos", level="ERROR", json=False)  # the services log to files; keep this table clean
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    say(f"seed {seed} (python -m chaos --seed {seed} repeats the kill times)")
    runs: list[tuple[str, SuitePlan, Path, bool]] = []
    if not args.cluster:
        components = tuple(c for c in args.components.split(",") if c)
        runs.append(
            ("single", SuitePlan(components=components, rate_per_second=args.rate, seed=seed), args.json, False)
        )
    if not args.single:
        # The replicas' phases: one kill each (a second replica serves meanwhile, so there is no catching up to hit).
        plan = SuitePlan(components=CLUSTER_COMPONENT_NAMES, rate_per_second=args.rate, seed=seed, second_kills=0)
        runs.append(("cluster", plan, args.json.with_name(CLUSTER_RESULTS.name), True))
    return max(_run(name, plan, path, cluster=cluster) for name, plan, path, cluster in runs)


def _run(name: str, plan: SuitePlan, json_path: Path, *, cluster: bool) -> int:
    workdir = Path(tempfile.mkdtemp(prefix=f"hotline-chaos-{name}-"))
    started = time.monotonic()
    result = asyncio.run(run_suite(workdir, plan, cluster=cluster))
    print()
    print(f"{name}: " + ("3-node NATS cluster, 2 replicas of each service" if cluster else "one of each"))
    print(table(result))
    print(f"\nwall time {time.monotonic() - started:.0f}s (suite {result.wall_seconds:.0f}s)")
    write_json(result, json_path, plan={**dataclasses.asdict(plan), "deadline_hours": DEADLINE_HOURS})
    print(f"results: {json_path}")
    recorded = {p.component: p.refused_yet_recorded for p in result.phases if p.refused_yet_recorded}
    if recorded:
        print(f"note: tickets answered 503 whose refused attempt was recorded all the same: {recorded}")
    failures = result.failures()
    if failures:
        print("\ntargets missed:")
        for failure in failures:
            print(f"  - {failure}")
        print(f"service and engine logs kept in {workdir}")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    print(
        "every target met: 0 lost, 0 duplicate cases, 0 duplicate workflow starts, every deadline fired once, "
        "every case recorded once with each event of its log once"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
