"""Each unit's part in one case, derived from the case's events and its newest view (pure): the rows of
`unit_case_facts` that the rates count (services/contracts/assessment.py; docs/assessment.md says how each counts).

- A **handling stint** is a time the case was in a unit's hands: the first-contact unit's from the case's assignment,
  then one for each transfer (the receiving unit's; the transferring unit's ends there) and one for the unit the
  coordination centre names by arbitration. A unit that gets the case back has a second stint.
- A **joint task** is a unit's share of a joint handling phase (lead, co-managing, enforcement, township).

The events give the order and the times (`kind`, `at`, `actor`): the workflows record the acting unit as the actor,
and publish no `fields` for these kinds (a log rebuilt from the workflows' timelines has none either). The view
gives what the events leave out: where each transfer went, whom the arbitration named, the breaches with the unit
that missed them, the extensions, each joint task with its own reports (accepted, reported, completed, breached),
the rating and how the case closed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from services.contracts.assessment import FactRating, FactRole
from services.contracts.case_timeline import TimelineAction
from services.contracts.case_view import (
    NOT_RATED,
    UNREASONABLE_DEMAND,
    Breach,
    CaseView,
    DeadlineKind,
    Extension,
    ExtensionStatus,
    JointTaskStatus,
)
from services.records.unit_fact import UnitFact

# The kinds of event that change a unit's facts (with the parts of the view they come with): a batch of events of
# other kinds (progress reports, reminders, chase-ups, pauses...) leaves the facts as they are.
FACT_KINDS = frozenset(
    action.value
    for action in (
        TimelineAction.ASSIGNED,
        TimelineAction.ACCEPTED,
        TimelineAction.TRANSFERRED,
        TimelineAction.ARBITRATION_REQUESTED,
        TimelineAction.ARBITRATED,
        TimelineAction.FEEDBACK,
        TimelineAction.RESOLVED,
        TimelineAction.REWORK,
        TimelineAction.DEMAND_JUDGED_UNREASONABLE,
        TimelineAction.ESCALATED,
        TimelineAction.DEADLINE_BREACHED,
        TimelineAction.EXTENSION_APPROVED,
        TimelineAction.JOINT_HANDLING_STARTED,
        TimelineAction.JOINT_TASK_ACCEPTED,
        TimelineAction.JOINT_TASK_COMPLETED,
        TimelineAction.JOINT_TASK_DEADLINE_BREACHED,
        TimelineAction.JOINT_HANDLING_CLOSED,
        TimelineAction.CLOSED,
    )
)
# Missing either leaves the case unanswered in time: a sign-for (签收) not given, or no hand-over either.
SIGN_FOR_KINDS = (DeadlineKind.SIGN_FOR, DeadlineKind.TRANSFER)
SECONDS_AN_HOUR = 3600


class CaseLogEvent(Protocol):
    """What the facts read of an event of the case's log: a `CaseEvent`, or a `LoggedEvent` read back."""

    @property
    def kind(self) -> str: ...

    @property
    def at(self) -> datetime: ...

    @property
    def actor(self) -> str: ...


class LoggedEvent(NamedTuple):
    """An event of the case's log as the records keep it, read back for its facts."""

    kind: str
    at: datetime
    actor: str


def unit_facts(events: Iterable[CaseLogEvent], view: CaseView) -> list[UnitFact]:
    """The case's facts: its handling stints in order, then its joint tasks, from all its events (in order; those
    of other kinds than `FACT_KINDS` may be left out) and its view after the last of them."""
    return [*_handling(events, view), *_joint_tasks(view)]


@dataclass(slots=True)
class _Stint:
    """A handling stint while the events are read."""

    fact: UnitFact
    handed_over_at: datetime | None = None  # transferred on, or sent to arbitration: the sign-for is answered
    resolved_before_rework: datetime | None = None


def _handling(events: Iterable[CaseLogEvent], view: CaseView) -> list[UnitFact]:
    stints: list[_Stint] = []
    current: _Stint | None = None
    transfers = iter(view.transfers)

    def begin(unit: str, at: datetime, item: str | None, *, arbitration_lost: bool = False) -> _Stint:
        number = 1 + sum(1 for stint in stints if stint.fact.unit == unit)
        fact = _fact(view, unit, FactRole.HANDLING, number, at, item=item)
        fact.arbitration_lost = arbitration_lost
        stints.append(_Stint(fact))
        return stints[-1]

    for event in events:
        kind, at = event.kind, event.at
        if kind == TimelineAction.ASSIGNED:
            unit = view.first_contact_unit or view.handling_unit
            if not stints and unit is not None:
                current = begin(unit, at, view.catalog_item)
            continue
        if kind == TimelineAction.ARBITRATED and stints and view.handling_unit is not None:
            # No transfer follows an arbitration: the unit it named is the case's handling unit since. It lost if
            # it had asked to give the case away (sent it to arbitration, or transferred it on before).
            unit = view.handling_unit
            lost = any(stint.fact.unit == unit and stint.handed_over_at is not None for stint in stints)
            if current is not None:
                current.fact.left_at = at
            current = begin(unit, at, stints[-1].fact.catalog_item, arbitration_lost=lost)
            continue
        if current is None:  # before the assignment, awaiting arbitration, or closed: in no unit's hands
            continue
        fact = current.fact
        match kind:
            case TimelineAction.ACCEPTED:
                fact.accepted_at = fact.accepted_at or at
            case TimelineAction.FEEDBACK:
                fact.feedback_at = fact.feedback_at or at
            case TimelineAction.RESOLVED:
                # The caller's reply counts as feedback too; after a rework, the last resolution counts.
                fact.feedback_at = fact.feedback_at or at
                fact.resolved_at = at
            case TimelineAction.REWORK:
                fact.rework_times.append(at)
                current.resolved_before_rework, fact.resolved_at = fact.resolved_at, None
            case TimelineAction.DEMAND_JUDGED_UNREASONABLE:
                # The rework ends: the resolution the caller was unsatisfied with stands.
                fact.resolved_at = fact.resolved_at or current.resolved_before_rework
            case TimelineAction.ESCALATED:
                fact.escalation_times.append(at)
            case TimelineAction.TRANSFERRED:
                transfer = next(transfers, None)
                fact.left_at, fact.transferred_out, current.handed_over_at = at, True, at
                current = begin(transfer.to_unit, at, transfer.catalog_item) if transfer is not None else None
            case TimelineAction.ARBITRATION_REQUESTED:
                # No unit holds the case until the coordination centre names one.
                fact.left_at, current.handed_over_at = at, at
                current = None
            case TimelineAction.CLOSED:
                fact.left_at = at
                fact.rating = _rating(view)
                fact.rated_at = at if fact.rating is not None else None
                current = None
    for stint in stints:
        _judge(stint, view)
    return [stint.fact for stint in stints]


def _judge(stint: _Stint, view: CaseView) -> None:
    """The stint's breaches, extensions and deadline verdicts, its times and what is still open."""
    fact = stint.fact
    breaches = [b for b in view.breaches if b.unit == fact.unit and _within(fact, b.at)]
    extensions = [
        e
        for e in view.extensions
        if e.status is ExtensionStatus.APPROVED
        and e.requested_by == fact.unit
        and e.decided_at is not None
        and _within(fact, e.decided_at)
    ]
    fact.breach_times = sorted(b.at for b in breaches)
    fact.extended = bool(extensions)
    fact.extended_at = min((e.decided_at for e in extensions if e.decided_at is not None), default=None)
    fact.sign_for_on_time, fact.sign_for_known_at = _verdict(
        _first(b.at for b in breaches if b.kind in SIGN_FOR_KINDS), fact.accepted_at or stint.handed_over_at
    )
    fact.feedback_on_time, fact.feedback_known_at = _verdict(
        _first(b.at for b in breaches if b.kind is DeadlineKind.FEEDBACK), fact.feedback_at
    )
    fact.resolution_on_time, fact.resolution_known_at = _verdict(
        _first(b.at for b in breaches if b.kind is DeadlineKind.RESOLUTION and not _covered(b, extensions)),
        fact.resolved_at,
    )
    fact.closed_at = view.closed_at
    fact.still_open = fact.left_at is None
    fact.handling_hours = _hours(fact.received_at, fact.resolved_at)


def _joint_tasks(view: CaseView) -> list[UnitFact]:
    """Each joint task from the task's own reports (the task workflow's events, as the case keeps them)."""
    facts: list[UnitFact] = []
    tasks_of = Counter[str]()
    for phase in view.joint_phases:
        for task in phase.tasks:
            tasks_of[task.unit] += 1
            fact = _fact(view, task.unit, FactRole.JOINT, tasks_of[task.unit], phase.started_at, item=view.catalog_item)
            fact.accepted_at = _first(r.at for r in task.reports if r.action == TimelineAction.ACCEPTED)
            fact.breach_times = sorted(r.at for r in task.reports if r.action == TimelineAction.DEADLINE_BREACHED)
            fact.resolved_at = task.completed_at if task.status is JointTaskStatus.COMPLETED else None
            fact.left_at = fact.resolved_at or (phase.closed_at if task.finished else None)
            fact.resolution_on_time, fact.resolution_known_at = _verdict(_first(fact.breach_times), fact.resolved_at)
            fact.closed_at = view.closed_at
            fact.still_open = not task.finished
            fact.handling_hours = _hours(fact.received_at, fact.resolved_at)
            facts.append(fact)
    return facts


def _fact(
    view: CaseView, unit: str, role: FactRole, stint: int, received_at: datetime, *, item: str | None
) -> UnitFact:
    return UnitFact(
        case_id=view.case_id,
        unit=unit,
        role=role,
        stint=stint,
        channel=view.channel,
        catalog_item=item,
        township=view.township,
        received_at=received_at,
    )


def _rating(view: CaseView) -> FactRating | None:
    """How the closing counts for the unit that had the case: the outcome rated, not rated, or unreasonable."""
    if view.closed_reason == UNREASONABLE_DEMAND:
        return FactRating.UNREASONABLE
    if view.closed_reason == NOT_RATED:
        return FactRating.NOT_RATED
    if view.rating is not None:
        return FactRating(view.rating.outcome.value)
    return None


def _within(fact: UnitFact, at: datetime) -> bool:
    return fact.received_at <= at and (fact.left_at is None or at <= fact.left_at)


def _covered(breach: Breach, extensions: Sequence[Extension]) -> bool:
    """A resolution breach lifted by an extension approved after it, of the due it missed (the policy counts an
    approved extension as on time)."""
    return any(e.old_due == breach.due and e.decided_at is not None and e.decided_at >= breach.at for e in extensions)


def _verdict(breached_at: datetime | None, met_at: datetime | None) -> tuple[bool | None, datetime | None]:
    """On time or not, and since when: missed once is missed; met without a miss is on time; else not known yet."""
    if breached_at is not None:
        return False, breached_at
    if met_at is not None:
        return True, met_at
    return None, None


def _first(times: Iterable[datetime]) -> datetime | None:
    return min(times, default=None)


def _hours(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / SECONDS_AN_HOUR
