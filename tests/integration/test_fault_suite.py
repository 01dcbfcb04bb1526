"""The fault suite in small (`make chaos` runs all eight components): a killed worker and a NATS restart under load.

Reconciled from the outside with the same code as `make chaos`: every ticket answered 202 has one case, one
workflow and one `case_assigned` event id at its unit's receiver, and deadlines that fell due while the component
was down fired once. The first tests show that the reconciliation counts what it must, so the last can fail.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from chaos.deadline_probes import DeadlineProbe, probe_verdict, write_short_deadline_policy
from chaos.deliveries import DeliveryLog, hook_path
from chaos.load import Answer, Submission
from chaos.reconcile import Tally, judge
from chaos.suite import SuitePlan
from chaos.tickets import PlannedTicket
from tests.support.fault_runs import run_fault_suite
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem

pytestmark = pytest.mark.integration

# 0.003 h = 10.8 s: a probe sent just before the kill falls due while the component is down.
DEADLINE_HOURS = 0.003


def submission(case_id: str, *statuses: int, unit: str = "water") -> Submission:
    """A ticket for `unit` answered with these statuses, each naming `case_id` when accepted."""
    sent = Submission(PlannedTicket({"external_id": f"x-{case_id}"}, unit), time.monotonic())
    sent.answers = [Answer(0.0, s, case_id if s in (200, 202) else None) for s in statuses]
    return sent


def deliver(log: DeliveryLog, case_id: str, event_id: str, *, unit: str = "water", **fields: str) -> None:
    log.add(hook_path(unit), {"event_id": event_id, "case_id": case_id, "kind": "case_assigned", **fields})


def test_the_reconciliation_counts_lost_duplicated_and_redelivered_tickets() -> None:
    log = DeliveryLog(WebhookReceiver())
    deliver(log, "ok", "ok:1")
    deliver(log, "ok", "ok:1")  # the same event id again: a redelivery, which the receiver de-duplicates
    deliver(log, "twice-started", "twice-started:1")
    deliver(log, "two-events", "two-events:1")
    deliver(log, "two-events", "two-events:2")
    deliver(log, "wrong-unit", "wrong-unit:1", unit="transport")
    deliver(log, "created-twice", "created-twice:1")
    log.add(hook_path("water"), {"event_id": "ok:2", "case_id": "ok", "kind": "reminder"})
    workflows = {"ok": 1, "twice-started": 2, "two-events": 1, "wrong-unit": 1, "created-twice": 1}

    verdicts = {
        name: judge(submission(name, *statuses), workflows, log)
        for name, statuses in {
            "ok": (503, 202, 200),
            "no-workflow": (202,),
            "twice-started": (202,),
            "two-events": (202,),
            "wrong-unit": (202,),
            "created-twice": (202, 202),
            "never-accepted": (503, 422),
        }.items()
    }

    assert [name for name, v in verdicts.items() if v.lost] == ["no-workflow", "wrong-unit"]
    assert {name: v.duplicated for name, v in verdicts.items() if v.duplicated} == {
        "twice-started": 1,
        "two-events": 1,
        "created-twice": 1,
    }
    assert verdicts["ok"].redelivered == 1 and verdicts["ok"].submission.resent
    tally = Tally.of(verdicts.values())
    assert (tally.lost, tally.duplicated, tally.never_accepted, tally.refused) == (2, 3, 1, 2)


def test_a_probed_deadline_fired_once_only_with_one_breach_and_one_event_per_audience() -> None:
    log = DeliveryLog(WebhookReceiver())
    now = datetime.now(UTC)
    probe = DeadlineProbe(submission("c", 202), due=now)
    case = {
        "breaches": [{"kind": "sign_for"}],
        "timeline": [{"action": "deadline_breached", "detail": "sign_for due ..."}],
    }
    outage = (now - timedelta(seconds=5), now + timedelta(seconds=5))
    breach = {"kind": "deadline_breached", "deadline_kind": "sign_for"}
    log.add(hook_path("water"), {"event_id": "c:5", "case_id": "c", "audience": "unit", **breach})
    assert not probe_verdict(case, log, probe, outage=outage).fired_once  # the leader was not told yet

    log.add(hook_path("water"), {"event_id": "c:6", "case_id": "c", "audience": "unit_leader", **breach})
    assert probe_verdict(case, log, probe, outage=outage).fired_once

    log.add(hook_path("water"), {"event_id": "c:9", "case_id": "c", "audience": "unit", **breach})
    assert not probe_verdict(case, log, probe, outage=outage).fired_once  # a second breach event id

    later = (now + timedelta(seconds=1), now + timedelta(seconds=9))
    assert not probe_verdict(case, log, probe, outage=later).due_in_outage


@pytest_asyncio.fixture(scope="module")
async def chaos_system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    """A system of its own, whose urgent sign-for window is seconds long; the test kills its parts."""
    workdir: Path = tmp_path_factory.mktemp("fault-suite")
    policy = write_short_deadline_policy(workdir / "policy.json", hours=DEADLINE_HOURS)
    running = await RunningSystem.start(workdir, extra_env={"HOTLINE_WORKFLOWS_POLICY_FILE": str(policy)})
    try:
        yield running
    finally:
        running.stop()


async def test_a_killed_worker_and_a_nats_restart_lose_and_duplicate_nothing(chaos_system: RunningSystem) -> None:
    plan = SuitePlan(
        components=("workflows", "nats"),
        warmup_seconds=3.0,
        outage_seconds=5.0,
        second_kills=0,
        recovery_timeout_seconds=60.0,
        drain_timeout_seconds=60.0,
    )
    suite, result = await run_fault_suite(chaos_system, plan)

    assert result.failures() == []
    _steady, worker, nats = result.phases
    for phase in (worker, nats):
        assert phase.kills == 1 and phase.tickets_in_outage > 0 and phase.recovered
        assert (phase.tally.lost, phase.tally.duplicated, phase.tally.never_accepted) == (0, 0, 0)
        assert len(phase.probes) == plan.probes_per_outage
        assert all(probe.due_in_outage and probe.fired_once for probe in phase.probes)
    # While the bus was down the API refused tickets (503, saying when to retry) rather than accept them unrecorded;
    # each went in later.
    assert nats.tally.unavailable > 0
    unavailable = [a for s in suite.submissions for a in s.answers if a.status == 503]
    assert all(a.retry_after for a in unavailable), unavailable[:3]
    # Tickets sent again after they were accepted, before and after the restart, are still duplicates (200).
    assert result.total.resent > 0
    assert result.backlog == {"router": 0, "case-starter": 0, "notifier": 0}
