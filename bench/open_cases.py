"""(3) Open cases: N cases waiting on their deadline timers — what the worker holds in memory, what the server
keeps on disk, and whether timers still fire on time with that many pending.

Cases are started straight through the SDK (the API adds nothing to what is held), as fast as the system takes
them, and each is waited on until its unit was told: from then on it sits on its pending timers. On-time firing
is probed with urgent cases whose sign-for window is a minute (the benchmark's policy): the lateness of each
`deadline_breached` event against its due time is what a unit would see.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import nats
from nats.aio.msg import Msg
from temporalio.client import Client

from bench.arrivals import Arrivals
from bench.assigned_watch import AssignedWatch
from bench.bench_tickets import ITEMS
from bench.engine_limit import routed_cases, start_case
from bench.figures import Latency
from services.contracts.case_policy import DeadlinePolicy, Window, WindowSet, load_policy
from services.contracts.events import EventKind
from services.contracts.subjects import NOTIFY_PREFIX
from services.contracts.tickets import Urgency

START_CONCURRENCY = 64
PROBE_CASES = 20
PROBE_SIGN_FOR_HOURS = 1 / 60


def bench_policy(path: Path) -> Path:
    """The shipped policy with urgent windows of a minute (sign-for) and two (the rest), for the timer probes."""
    shipped = load_policy()
    urgent = WindowSet(
        sign_for=Window(hours=PROBE_SIGN_FOR_HOURS),
        transfer=Window(hours=2 / 60),
        feedback=Window(hours=2 / 60),
        resolution=Window(hours=2 / 60),
    )
    policy: DeadlinePolicy = shipped.model_copy(update={"version": f"{shipped.version}-bench", "urgent": urgent})
    path.write_text(policy.model_dump_json(indent=2), encoding="utf-8")
    return path


@dataclass(frozen=True)
class OpenCasesPoint:
    open_cases: int
    started_in_seconds: float
    start_rate_per_second: float
    worker_rss_mib: float
    server_disk_mib: float
    timer_lateness: Latency
    probes_fired: int
    probes: int

    def as_json(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "timer_lateness": self.timer_lateness.__dict__,
            "disk_per_case_kib": round(self.server_disk_mib * 1024 / max(1, self.open_cases), 1),
        }


async def add_open_cases(client: Client, watch: AssignedWatch, count: int, *, progress: bool = True) -> float:
    """Start `count` cases and wait until each one's unit was told; the seconds it took."""
    run = uuid.uuid4().hex[:8]
    began = time.monotonic()
    gate = asyncio.Semaphore(START_CONCURRENCY)
    batch = 1000
    for offset in range(0, count, batch):
        cases = routed_cases(f"{run}-{offset}", min(batch, count - offset))

        async def start(index: int, cases: list[Any] = cases) -> None:
            async with gate:
                await start_case(client, cases[index])

        await asyncio.gather(*(start(i) for i in range(len(cases))))
        await watch.published.wait_for([c.case_id for c in cases], timeout=600)
        if progress:
            elapsed = time.monotonic() - began
            print(f"    {offset + len(cases):>7} cases started, {elapsed:6.0f} s", flush=True)
    return time.monotonic() - began


async def probe_timers(client: Client, nats_url: str) -> tuple[Latency, int, int]:
    """Urgent cases whose sign-for falls due in a minute: how late each breach fired after its due time, how many
    of the probes' breaches fired at all, and how many probes there were."""
    due: dict[str, float] = {}
    fired = Arrivals()
    nc = await nats.connect(nats_url)

    async def breached(msg: Msg) -> None:
        event = json.loads(msg.data)
        if event.get("deadline_kind") == "sign_for" and event.get("due"):
            due.setdefault(event["case_id"], datetime.fromisoformat(event["due"]).timestamp())
            fired.record(event["case_id"])

    await nc.subscribe(f"{NOTIFY_PREFIX}.*.{EventKind.DEADLINE_BREACHED.value}", cb=breached)
    # Every fourth benchmark ticket is about a water outage, an item that may be handled as urgent.
    probes = [
        case.model_copy(update={"ticket": case.ticket.model_copy(update={"urgency": Urgency.URGENT})})
        for case in routed_cases(f"probe-{uuid.uuid4().hex[:8]}", PROBE_CASES * len(ITEMS))
        if case.routing.urgent_allowed
    ]
    await asyncio.gather(*(start_case(client, probe) for probe in probes))
    await fired.wait_for([p.case_id for p in probes], timeout=PROBE_SIGN_FOR_HOURS * 3600 + 120)
    await nc.drain()
    return Latency.of_seconds([fired.at[c] - due[c] for c in fired.at]), len(fired.at), len(probes)


def disk_mib(db_file: Path) -> float:
    """The SQLite database with its WAL and shared-memory files."""
    files = [db_file, db_file.with_name(db_file.name + "-wal"), db_file.with_name(db_file.name + "-shm")]
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20
