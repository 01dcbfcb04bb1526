"""Reconciliation from the outside: each ticket's answers against Temporal's workflows and the receivers' log.

Pure: the facts are gathered elsewhere (`chaos/observations.py`, `chaos/deliveries.py`), so the counting itself
is unit-tested. A ticket answered 202 (or 200) must have exactly one case workflow and exactly one
`case_assigned` event id at its unit's receiver; the same event id arriving again is a redelivery, which the
receiver de-duplicates and which is reported, not failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chaos.deliveries import DeliveryLog
from chaos.load import Submission
from services.contracts.events import EventKind


@dataclass(frozen=True)
class TicketVerdict:
    submission: Submission
    workflows: int
    assigned_event_ids: int
    at_its_unit: bool
    redelivered: int

    @property
    def accepted(self) -> bool:
        return self.submission.accepted is not None

    @property
    def lost(self) -> bool:
        """Answered 202/200, yet no case workflow, or its unit's receiver never heard of it."""
        return self.accepted and (self.workflows == 0 or not self.at_its_unit)

    @property
    def duplicate_cases(self) -> int:
        """More than one case id answered for one ticket, or the API creating it (202) more than once."""
        submission = self.submission
        return max(0, len(submission.case_ids) - 1) + max(0, submission.created_answers - 1)

    @property
    def duplicate_starts(self) -> int:
        return max(0, self.workflows - 1)

    @property
    def duplicate_events(self) -> int:
        """Distinct `case_assigned` event ids beyond the first: the receiver could not de-duplicate those."""
        return max(0, self.assigned_event_ids - 1)

    @property
    def duplicated(self) -> int:
        return self.duplicate_cases + self.duplicate_starts + self.duplicate_events


def judge(submission: Submission, workflows: Mapping[str, int], deliveries: DeliveryLog) -> TicketVerdict:
    """One ticket's verdict from the workflows per case id and the receivers' log."""
    case_id = submission.case_id
    if case_id is None:
        return TicketVerdict(submission, 0, 0, False, 0)
    assigned = deliveries.events(case_id, EventKind.CASE_ASSIGNED)
    return TicketVerdict(
        submission,
        workflows=workflows.get(case_id, 0),
        assigned_event_ids=len(assigned),
        at_its_unit=deliveries.assigned_to(case_id, submission.ticket.unit),
        redelivered=sum(deliveries.redeliveries(event.event_id) for event in assigned),
    )


@dataclass(frozen=True)
class Tally:
    """Counts over a set of tickets (one phase of the run, or all of it)."""

    tickets: int = 0
    resent: int = 0
    refused: int = 0
    unavailable: int = 0
    retries: int = 0
    never_accepted: int = 0
    lost: int = 0
    duplicate_cases: int = 0
    duplicate_starts: int = 0
    duplicate_events: int = 0
    redelivered: int = 0

    @property
    def duplicated(self) -> int:
        return self.duplicate_cases + self.duplicate_starts + self.duplicate_events

    @classmethod
    def of(cls, verdicts: Iterable[TicketVerdict]) -> Tally:
        listed = list(verdicts)
        return cls(
            tickets=len(listed),
            resent=sum(1 for v in listed if v.submission.resent),
            refused=sum(1 for v in listed if v.submission.refusals),
            unavailable=sum(1 for v in listed if v.submission.unavailable),
            retries=sum(v.submission.refusals for v in listed),
            never_accepted=sum(1 for v in listed if not v.accepted),
            lost=sum(1 for v in listed if v.lost),
            duplicate_cases=sum(v.duplicate_cases for v in listed),
            duplicate_starts=sum(v.duplicate_starts for v in listed),
            duplicate_events=sum(v.duplicate_events for v in listed),
            redelivered=sum(v.redelivered for v in listed),
        )


def orphan_cases(workflows: Mapping[str, int], submissions: Iterable[Submission]) -> list[str]:
    """Case workflows no ticket was answered for: a ticket refused yet recorded, or a case from nowhere."""
    answered = {case_id for s in submissions for case_id in s.case_ids}
    return sorted(set(workflows) - answered)
