"""Deadlines that fall due during an outage: urgent tickets with a sign-for window of seconds, checked after.

The suite runs the system under a copy of the shipped policy whose urgent sign-for (and transfer) window is a
few seconds long. Probes are sent and assigned just before a kill; the outage lasts until their deadlines are
past. Once everything is back, each must show its breach exactly once: one breach on the case, one
`deadline_breached` timeline entry, and one event id per audience the breach tells (the unit and its leader).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from chaos.deliveries import DeliveryLog
from chaos.load import Submission
from services.contracts.case_policy import default_policy_path, load_policy
from services.contracts.case_view import DeadlineKind
from services.contracts.events import Audience, EventKind

PROBED = DeadlineKind.SIGN_FOR
# Who a missed sign-for tells (docs/case-lifecycle.md, "Breaches and the escalation ladder").
BREACH_AUDIENCES = frozenset({Audience.UNIT.value, Audience.UNIT_LEADER.value})


def write_short_deadline_policy(path: Path, *, hours: float) -> Path:
    """The shipped policy with urgent sign-for and transfer windows of `hours` (0.004 h is 14.4 s)."""
    policy = json.loads(default_policy_path().read_text(encoding="utf-8"))
    policy["version"] = f"{policy['version']}-chaos"
    policy["urgent"]["sign_for"] = {"hours": hours}
    policy["urgent"]["transfer"] = {"hours": hours}
    path.write_text(json.dumps(policy, ensure_ascii=False, indent=2), encoding="utf-8")
    load_policy(path)  # refuse to start a run with a policy the worker would refuse
    return path


@dataclass
class DeadlineProbe:
    """An urgent ticket whose sign-for deadline is meant to fall due inside one outage."""

    submission: Submission
    due: datetime | None = None


@dataclass(frozen=True)
class ProbeVerdict:
    """What the case and the receiver show of the probe's breach."""

    case_id: str | None
    due: datetime | None
    due_in_outage: bool
    breaches: int
    timeline_entries: int
    events_per_audience: dict[str, int]

    @property
    def fired_once(self) -> bool:
        every_audience_once = self.events_per_audience == dict.fromkeys(sorted(BREACH_AUDIENCES), 1)
        return self.breaches == 1 and self.timeline_entries == 1 and every_audience_once


async def wait_until_counted(api: httpx.AsyncClient, probes: list[DeadlineProbe], *, timeout: float) -> None:
    """Wait until each probe's case is assigned with its sign-for deadline counted (so a kill cannot stop that)."""
    deadline = time.monotonic() + timeout
    for probe in probes:
        while probe.due is None:
            case_id = probe.submission.case_id
            if case_id is not None:
                response = await api.get(f"/v1/cases/{case_id}")
                due = response.json().get("deadlines", {}).get(PROBED.value) if response.status_code == 200 else None
                probe.due = datetime.fromisoformat(due) if due else None
            if probe.due is None:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"deadline probe {probe.submission.ticket.external_id} not assigned in time")
                await asyncio.sleep(0.2)


def breach_delivered(deliveries: DeliveryLog, probe: DeadlineProbe) -> bool:
    """Every audience of the probe's breach has been told."""
    case_id = probe.submission.case_id
    if case_id is None:
        return False
    told = {e.audience for e in deliveries.events(case_id, EventKind.DEADLINE_BREACHED) if e.deadline_kind == PROBED}
    return told >= BREACH_AUDIENCES


def probe_verdict(
    case: Mapping[str, Any] | None,
    deliveries: DeliveryLog,
    probe: DeadlineProbe,
    *,
    outage: tuple[datetime, datetime],
) -> ProbeVerdict:
    """Judge one probe from its case (`GET /v1/cases/{id}`, None if unreadable) and the receiver's log."""
    case_id = probe.submission.case_id
    breaches: list[dict[str, Any]] = case.get("breaches", []) if case else []
    timeline: list[dict[str, Any]] = case.get("timeline", []) if case else []
    events = deliveries.events(case_id, EventKind.DEADLINE_BREACHED) if case_id else []
    killed, restarted = outage
    return ProbeVerdict(
        case_id=case_id,
        due=probe.due,
        due_in_outage=probe.due is not None and killed < probe.due < restarted,
        breaches=sum(1 for b in breaches if b.get("kind") == PROBED.value),
        timeline_entries=sum(
            1
            for entry in timeline
            if entry.get("action") == "deadline_breached" and str(entry.get("detail", "")).startswith(PROBED.value)
        ),
        events_per_audience=dict(Counter(e.audience for e in events if e.deadline_kind == PROBED)),
    )
