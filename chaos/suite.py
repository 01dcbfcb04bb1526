"""The fault suite on one running system: steady load, then each component killed in turn, then reconciliation.

A component's phase, once the system has caught up with the load: send deadline probes and wait until their
deadlines are counted, let the load run a moment, `kill -9` the component and keep it down until the probes are
past due (and at least `outage_seconds`), start it again; then kill it again (`second_kills`, twice by default)
a moment after it serves, while it is catching up and work is most likely in flight, and start it again each
time. Recovery runs from the last restart command until every ticket first sent in the phase before it is
accepted with its `case_assigned` at its unit's receiver, and every probe's breach is told; for the records and
PostgreSQL, until the records have applied every event the case log held when the component served again (their
*catch-up*, measured in every phase where the system runs the records).
Lost and duplicated are counted per phase once the whole run is over (`chaos/reconcile.py`, and for the records
`chaos/records_reconcile.py`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from chaos.components import COMPONENT_NAMES, RECORDS_COMPONENTS, Component, component
from chaos.deadline_probes import (
    DeadlineProbe,
    ProbeVerdict,
    breach_delivered,
    probe_verdict,
    wait_until_counted,
)
from chaos.deliveries import DeliveryLog, hook_path
from chaos.load import Submission, TicketLoad
from chaos.observations import case_workflows
from chaos.phases import Outage, Phase
from chaos.reconcile import Tally, judge, orphan_cases
from chaos.records import RecordsWatch
from chaos.records_reconcile import RecordTally, RecordVerdict
from chaos.results import PhaseResult, SuiteResult
from chaos.tickets import UNITS, deadline_probe, steady_tickets
from services.contracts.settings import ServiceSettings
from services.contracts.subjects import RECORDS_CONSUMER
from services.engines.temporal import connect_temporal
from tests.support.backlog import BACKLOG_CONSUMERS, consumer_backlog
from tests.support.receiver import WebhookReceiver
from tests.support.services import RECORDS
from tests.support.system import RunningSystem

POLL_SECONDS = 0.2


@dataclass(frozen=True)
class SuitePlan:
    """How hard and how long; the defaults are `make chaos`'s."""

    components: tuple[str, ...] = COMPONENT_NAMES
    rate_per_second: float = 3.0
    warmup_seconds: float = 5.0
    lead_seconds: float = 1.5
    outage_seconds: float = 8.0
    past_due_seconds: float = 2.0
    probes_per_outage: int = 2
    # Kills while the component catches up, each a random time (within the range, seconds) after it served again.
    second_kills: int = 2
    second_kill_after_seconds: tuple[float, float] = (0.2, 2.0)
    second_outage_seconds: float = 3.0
    seed: int = 0
    recovery_timeout_seconds: float = 150.0
    settle_seconds: float = 1.0
    drain_timeout_seconds: float = 150.0


class FaultSuite:
    def __init__(
        self,
        system: RunningSystem,
        api: httpx.AsyncClient,
        receiver: WebhookReceiver,
        plan: SuitePlan,
        *,
        run: str,
        say: Callable[[str], None] = lambda _line: None,
    ) -> None:
        self._system = system
        self._api = api
        self._receiver = receiver
        self._plan = plan
        self._run = run
        self._say = say
        self._load = TicketLoad(api, rate_per_second=plan.rate_per_second)
        self._deliveries = DeliveryLog(receiver)
        self._probes_sent = 0
        self._random = random.Random(plan.seed)
        self._records: RecordsWatch | None = None
        if system.postgres is not None and RECORDS in system.services:
            self._records = RecordsWatch(nats_url=system.nats.url, database_url=system.postgres.url)

    @property
    def submissions(self) -> list[Submission]:
        """Every ticket sent so far, with its answers."""
        return self._load.submissions

    async def run(self) -> SuiteResult:
        """Run every phase under load, let the last tickets through, and reconcile."""
        started = time.monotonic()
        await self._point_webhooks_at_receiver()
        stop = asyncio.Event()
        sending = asyncio.create_task(self._load.run(steady_tickets(self._run), stop))
        phases: list[Phase] = []
        try:
            phases.append(await self._steady())
            for name in self._plan.components:
                phase = await self._faults(component(self._system, name))
                phases[-1].ended_at = phase.started_at
                phases.append(phase)
        finally:
            stop.set()
            await sending
        self._say("load stopped; letting the last tickets through")
        await self._load.drain(timeout=self._plan.drain_timeout_seconds)
        await self._wait_delivered(self._load.submissions, [], timeout=self._plan.drain_timeout_seconds)
        backlog = await self._wait_for_empty_backlog(timeout=self._plan.drain_timeout_seconds)
        return await self._reconcile(phases, backlog, wall_seconds=time.monotonic() - started)

    async def _point_webhooks_at_receiver(self) -> None:
        for unit in UNITS:
            url = self._receiver.url(hook_path(unit))
            response = await self._api.put(f"/v1/units/{unit}/webhook", json={"url": url})
            response.raise_for_status()

    async def _steady(self) -> Phase:
        """The control: load alone, everything delivered before the first kill."""
        phase = Phase("none (steady load)", time.monotonic())
        await asyncio.sleep(self._plan.warmup_seconds)
        sent = list(self._load.submissions)
        if await self._wait_delivered(sent, [], timeout=self._plan.recovery_timeout_seconds) is None:
            raise RuntimeError("the system did not handle the steady load before any fault; see the service logs")
        return phase

    async def _faults(self, part: Component) -> Phase:
        plan = self._plan
        # Start from a system that has caught up, so the probes are assigned in moments and fall due in the outage.
        await self._wait_delivered(list(self._load.submissions), [], timeout=plan.recovery_timeout_seconds)
        phase = Phase(part.label, time.monotonic())
        phase.probes = [
            DeadlineProbe(self._load.submit(deadline_probe(self._run, self._next_probe())))
            for _ in range(plan.probes_per_outage)
        ]
        await wait_until_counted(self._api, phase.probes, timeout=plan.recovery_timeout_seconds)
        await asyncio.sleep(plan.lead_seconds)

        dues = [probe.due for probe in phase.probes if probe.due is not None]
        phase.outages.append(await self._outage(part, plan.outage_seconds, past=max(dues, default=None)))
        for _ in range(plan.second_kills):
            await asyncio.sleep(self._random.uniform(*plan.second_kill_after_seconds))
            phase.outages.append(await self._outage(part, plan.second_outage_seconds))

        waited_for = [s for s in self._load.submissions if phase.sent_before_last_restart(s)]
        delivered, caught_up = await asyncio.gather(
            self._wait_delivered(waited_for, phase.probes, timeout=plan.recovery_timeout_seconds),
            self._wait_records_caught_up(phase),
        )
        phase.recovered_at = delivered
        if part.name in RECORDS_COMPONENTS:
            phase.recovered_at = None if delivered is None or caught_up is None else max(delivered, caught_up)
        recovery = phase.recovery_seconds
        self._say(f"{part.label}: " + ("no recovery in time" if recovery is None else f"recovered in {recovery:.1f}s"))
        await asyncio.sleep(plan.settle_seconds)
        return phase

    async def _outage(self, part: Component, seconds: float, *, past: datetime | None = None) -> Outage:
        """Kill it, keep it down `seconds` (and `past_due_seconds` beyond `past`), start it, wait until it serves."""
        killed_utc, killed_at = datetime.now(UTC), time.monotonic()
        await part.kill()
        self._say(f"killed {part.label} (kill -9)")
        if past is not None:
            seconds = max(seconds, (past - datetime.now(UTC)).total_seconds() + self._plan.past_due_seconds)
        await asyncio.sleep(seconds)
        restarted_utc, restarted_at = datetime.now(UTC), time.monotonic()
        await part.restart()
        outage = Outage(killed_at, restarted_at, time.monotonic(), killed_utc, restarted_utc)
        self._say(f"restarted {part.label} after {seconds:.0f}s down; serving in {outage.restart_seconds:.1f}s")
        return outage

    async def _wait_records_caught_up(self, phase: Phase) -> float | None:
        """When the records had applied the case log as it stood after the last restart (None: no records, or late)."""
        if self._records is None:
            return None
        phase.log_end_at_restart = await self._records.log_end()
        timeout = self._plan.recovery_timeout_seconds
        phase.records_caught_up_at = await self._records.wait_caught_up(phase.log_end_at_restart, timeout=timeout)
        return phase.records_caught_up_at

    def _next_probe(self) -> int:
        self._probes_sent += 1
        return self._probes_sent

    def _delivered(self, submission: Submission) -> bool:
        case_id = submission.case_id
        return case_id is not None and self._deliveries.assigned_to(case_id, submission.ticket.unit)

    async def _wait_delivered(
        self, submissions: Sequence[Submission], probes: Sequence[DeadlineProbe], *, timeout: float
    ) -> float | None:
        """When every ticket was accepted and its unit told, and every probe's breach told (None: timed out)."""
        deadline = time.monotonic() + timeout
        waiting = list(submissions)
        while True:
            self._deliveries.refresh()
            waiting = [s for s in waiting if not self._delivered(s)]
            if not waiting and all(breach_delivered(self._deliveries, p) for p in probes):
                return time.monotonic()
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(POLL_SECONDS)

    async def _wait_for_empty_backlog(self, *, timeout: float) -> dict[str, int]:
        """Once everything is back nothing may sit unfinished on the pipeline's consumers; the last count seen."""
        consumers = (*BACKLOG_CONSUMERS, RECORDS_CONSUMER) if self._records else BACKLOG_CONSUMERS
        deadline = time.monotonic() + timeout
        while True:
            backlog = await consumer_backlog(self._system.nats.url, consumers)
            if not any(backlog.values()) or time.monotonic() > deadline:
                return backlog
            await asyncio.sleep(1.0)

    async def _reconcile(self, phases: list[Phase], backlog: dict[str, int], *, wall_seconds: float) -> SuiteResult:
        client = await connect_temporal(ServiceSettings(temporal_address=self._system.temporal.address))
        workflows = await case_workflows(client)
        self._deliveries.refresh()
        submissions = self._load.submissions
        verdicts = [judge(s, workflows, self._deliveries) for s in submissions]
        recorded_anyway = await self._refused_yet_recorded(submissions)
        records = await self._record_verdicts(submissions)
        results = [
            PhaseResult(
                component=phase.component,
                kills=phase.kills,
                tally=Tally.of(v for v in verdicts if phase.holds(v.submission)),
                tickets_in_outage=sum(1 for s in submissions if phase.in_outage(s)),
                refused_yet_recorded=sum(1 for s in recorded_anyway if phase.holds(s)),
                down_seconds=[round(o.restarted_at - o.killed_at, 1) for o in phase.outages],
                restart_seconds=phase.restart_seconds,
                accepted_seconds=_last_accepted(phase, submissions),
                recovery_seconds=phase.recovery_seconds,
                recovered=phase.kills == 0 or phase.recovered_at is not None,
                probes=[await self._probe_verdict(probe, phase) for probe in phase.probes],
                records=None if records is None else RecordTally.of_cases(records, _case_ids(submissions, phase)),
                catch_up_seconds=phase.catch_up_seconds,
                caught_up=records is None or not phase.outages or phase.records_caught_up_at is not None,
            )
            for phase in phases
        ]
        return SuiteResult(
            phases=results,
            total=Tally.of(verdicts),
            backlog=backlog,
            orphan_cases=orphan_cases(workflows, submissions),
            wall_seconds=wall_seconds,
            records=None if records is None else RecordTally.of_cases(records, _case_ids(submissions)),
        )

    async def _record_verdicts(self, submissions: Sequence[Submission]) -> dict[str, RecordVerdict] | None:
        """Each accepted ticket's case record against its case's event log (None: the system runs no records)."""
        if self._records is None:
            return None
        return await self._records.verdicts(_case_ids(submissions), timeout=self._plan.drain_timeout_seconds)

    async def _refused_yet_recorded(self, submissions: Sequence[Submission]) -> list[Submission]:
        """Tickets answered 503 ("nothing recorded") whose case was nevertheless received by a refused attempt."""
        found = []
        for submission in submissions:
            if not submission.only_503_before_accepted:
                continue
            response = await self._api.get(f"/v1/cases/{submission.case_id}")
            received_at = response.json().get("received_at") if response.status_code == 200 else None
            if received_at and submission.recorded_before_accepted(datetime.fromisoformat(received_at)):
                found.append(submission)
        return found

    async def _probe_verdict(self, probe: DeadlineProbe, phase: Phase) -> ProbeVerdict:
        case_id = probe.submission.case_id
        case = None
        if case_id is not None:
            response = await self._api.get(f"/v1/cases/{case_id}")
            case = response.json() if response.status_code == 200 else None
        outage = phase.probed_outage
        assert outage is not None, "probes are sent only in phases with a kill"
        return probe_verdict(case, self._deliveries, probe, outage=outage)


def _case_ids(submissions: Iterable[Submission], phase: Phase | None = None) -> list[str]:
    """The cases of the tickets accepted (in `phase`, or in the whole run)."""
    return [s.case_id for s in submissions if s.case_id is not None and (phase is None or phase.holds(s))]


def _last_accepted(phase: Phase, submissions: Sequence[Submission]) -> float | None:
    """Seconds from the last restart until the last ticket sent before it was accepted (the API's share)."""
    if not phase.outages:
        return None
    restarted = phase.outages[-1].restarted_at
    accepted = [s.accepted.at for s in submissions if phase.sent_before_last_restart(s) and s.accepted]
    return max(0.0, max(accepted, default=restarted) - restarted)
