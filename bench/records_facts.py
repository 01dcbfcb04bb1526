"""The units' facts of a generated case (bench/records_seed.py), consistent with its record: the first-contact unit's
stint (transferred on, when the record's handling unit is another), the handling unit's, and the joint tasks, with
times, verdicts, breaches and escalations spread as a city's (`unit_case_facts`, as the records service derives
them from a case's events: services/records/unit_facts.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.contracts.cases import CaseStatus
from services.engines.records_db.tables import unit_case_facts

FACT_COLUMNS = tuple(column.name for column in unit_case_facts.columns)
SIGN_FOR_HOURS = 2
FEEDBACK_HOURS = 72
NOT_ACCEPTED = (CaseStatus.ASSIGNED, CaseStatus.ARBITRATION)


@dataclass(frozen=True)
class GeneratedCase:
    """What the generated record says of the case, that its facts must agree with."""

    case_id: str
    channel: str
    item: str
    township: str
    received: datetime
    first: str | None
    handling: str | None
    joint: list[str]
    status: CaseStatus | None  # None: closed
    closed_at: datetime | None
    rating: str | None
    overdue: bool
    escalation_level: int
    reworks: int
    resolution_due: datetime


def case_facts(case: GeneratedCase, rng: random.Random, now: datetime) -> list[tuple[Any, ...]]:
    """The case's facts as COPY takes them (in `FACT_COLUMNS` order)."""
    if case.first is None or case.handling is None:
        return []  # waiting for triage: in no unit's hands
    facts = []
    start = case.received
    if case.handling != case.first:
        handed_over = start + timedelta(hours=rng.uniform(0.2, 20))
        if case.closed_at is not None:  # a case closed within hours was handed over within the first of them
            handed_over = min(handed_over, start + (case.closed_at - start) / 3)
        first = _fact(case, case.first, start)
        first |= {"left_at": handed_over, "transferred_out": True, "still_open": False}
        first |= {"sign_for_on_time": True, "sign_for_known_at": handed_over}
        facts.append(first)
        start = handed_over
    facts.append(_handling(case, start, rng, now))
    accepted = facts[-1]["accepted_at"] or start
    for unit in case.joint:
        facts.append(_joint(case, unit, accepted + timedelta(days=1), rng, now))
    return [tuple(fact[name] for name in FACT_COLUMNS) for fact in facts]


def _fact(case: GeneratedCase, unit: str, received: datetime, *, role: str = "handling") -> dict[str, Any]:
    fact: dict[str, Any] = dict.fromkeys(FACT_COLUMNS)
    fact |= {
        "case_id": case.case_id,
        "unit": unit,
        "role": role,
        "stint": 1,
        "channel": case.channel,
        "catalog_item": case.item,
        "township": case.township,
        "received_at": received,
        "closed_at": case.closed_at,
        "extended": False,
        "arbitration_lost": False,
        "transferred_out": False,
        "still_open": case.closed_at is None,
        "reworks": 0,
        "rework_times": [],
        "breaches": 0,
        "breach_times": [],
        "escalations": 0,
        "escalation_times": [],
    }
    return fact


def _handling(case: GeneratedCase, start: datetime, rng: random.Random, now: datetime) -> dict[str, Any]:
    fact = _fact(case, case.handling or "", start)
    closed = case.closed_at
    end = closed or now
    accepted = None if case.status in NOT_ACCEPTED else min(start + timedelta(hours=rng.uniform(0.1, 6)), end)
    sign_for_due = start + timedelta(hours=SIGN_FOR_HOURS)
    breaches: list[datetime] = []
    if accepted is not None and rng.random() > 0.04:
        fact |= {"accepted_at": accepted, "sign_for_on_time": True, "sign_for_known_at": accepted}
    elif accepted is not None or (case.overdue and now > sign_for_due):
        fact |= {"accepted_at": accepted, "sign_for_on_time": False, "sign_for_known_at": sign_for_due}
        breaches.append(sign_for_due)
    if accepted is not None:
        feedback = min(accepted + timedelta(hours=rng.uniform(1, 90)), end)
        feedback_due = start + timedelta(hours=FEEDBACK_HOURS)
        if closed is not None or case.status in (CaseStatus.RESOLVED, CaseStatus.REWORK) or rng.random() < 0.7:
            on_time = feedback <= feedback_due
            fact |= {"feedback_at": feedback, "feedback_on_time": on_time}
            fact["feedback_known_at"] = feedback if on_time else feedback_due
        elif now > feedback_due:
            fact |= {"feedback_on_time": False, "feedback_known_at": feedback_due}
        if not fact["feedback_on_time"] and fact["feedback_known_at"] is not None:
            breaches.append(feedback_due)
        resolved = None
        if closed is not None:
            resolved = max(closed - timedelta(hours=rng.uniform(0, 48)), accepted)
        elif case.status is CaseStatus.RESOLVED:
            resolved = max(now - timedelta(hours=rng.uniform(0, 72)), accepted)
        if resolved is not None:
            on_time = resolved <= case.resolution_due or rng.random() < 0.3  # an approved extension
            fact |= {"resolved_at": resolved, "resolution_on_time": on_time}
            fact["resolution_known_at"] = resolved if on_time else case.resolution_due
            fact["handling_hours"] = (resolved - start).total_seconds() / 3600
            if on_time and resolved > case.resolution_due:
                fact |= {"extended": True, "extended_at": case.resolution_due - timedelta(days=1)}
        elif now > case.resolution_due:
            fact |= {"resolution_on_time": False, "resolution_known_at": case.resolution_due}
        if fact["resolution_on_time"] is False:
            breaches.append(case.resolution_due)
        if case.reworks and resolved is not None:
            fact["rework_times"] = [accepted + (resolved - accepted) / 2]
    fact |= {"left_at": closed, "rated_at": closed if case.rating else None, "rating": case.rating}
    breaches = sorted(breaches)
    fact |= {"breach_times": breaches, "breaches": len(breaches), "reworks": len(fact["rework_times"])}
    first_escalation = breaches[0] if breaches else start + timedelta(days=1)
    escalations = [first_escalation + timedelta(days=n) for n in range(case.escalation_level)]
    fact |= {"escalation_times": escalations, "escalations": len(escalations)}
    return fact


def _joint(case: GeneratedCase, unit: str, received: datetime, rng: random.Random, now: datetime) -> dict[str, Any]:
    fact = _fact(case, unit, received, role="joint")
    fact["accepted_at"] = received + timedelta(hours=rng.uniform(1, 24))
    completed = received + timedelta(days=rng.uniform(1, 6))
    if completed < (case.closed_at or now):
        on_time = rng.random() < 0.9
        fact |= {"resolved_at": completed, "left_at": completed, "still_open": False, "resolution_on_time": on_time}
        fact["resolution_known_at"] = completed
        fact["handling_hours"] = (completed - received).total_seconds() / 3600
        if not on_time:
            fact |= {"breaches": 1, "breach_times": [completed - timedelta(days=1)]}
    elif case.closed_at is not None:  # closed by the lead with the case
        fact |= {"left_at": case.closed_at, "still_open": False}
    else:
        fact["still_open"] = True
    return fact
