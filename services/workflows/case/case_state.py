"""A case's state as its workflow keeps it, and the projection to the public `CaseView` (pure).

The workflow may change `CaseState` freely: its bookkeeping (reminders sent, chase-up flags, the next escalation
step, event counters) never reaches a platform, because every answer goes through `public_view`.
"""

from __future__ import annotations

from pydantic import Field

from services.contracts.case_view import CaseView, DeadlineKind, TrackedDeadline
from services.workflows.calendar.deadline_clock import DeadlineClock


class CaseState(CaseView):
    """The public fields and the workflow's bookkeeping."""

    # The same field as the view's, holding clocks: a clock is a tracked deadline with its bookkeeping.
    tracked_deadlines: list[DeadlineClock] = Field(default_factory=list)  # type: ignore[assignment]
    event_sequence: int = Field(default=0, description="The last event published on the case event log.")
    notification_sequence: int = Field(default=0, description="The last notification the case sent.")
    last_platform_sequence: int = Field(default=0, description="The last status callback sent to the platform.")

    def tracked(self, kind: DeadlineKind) -> DeadlineClock | None:
        return next((d for d in self.tracked_deadlines if d.kind is kind), None)


_VIEW_FIELDS = tuple(CaseView.model_fields)
_DEADLINE_FIELDS = tuple(TrackedDeadline.model_fields)


def public_deadline(clock: DeadlineClock) -> TrackedDeadline:
    return TrackedDeadline.model_construct(**{name: getattr(clock, name) for name in _DEADLINE_FIELDS})


def public_view(state: CaseState) -> CaseView:
    """The case as the API shows it. Built without validation (the state is valid) and sharing the state's values:
    it is serialized at once, never kept or changed."""
    fields = {name: getattr(state, name) for name in _VIEW_FIELDS}
    fields["tracked_deadlines"] = [public_deadline(clock) for clock in state.tracked_deadlines]
    return CaseView.model_construct(**fields)
