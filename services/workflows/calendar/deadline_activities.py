"""Activities that read data which changes over time (the calendar, the policy), so workflows stay deterministic.

Their results are recorded in each case's history: a case keeps the policy and the deadlines it got.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import structlog
from prometheus_client import Counter
from pydantic import BaseModel, Field
from temporalio import activity

from services.contracts.case_policy import CasePolicy, DeadlinePolicy, Window, policy_for_case
from services.contracts.case_view import DeadlineKind
from services.workflows.calendar.deadline_pauses import Pause, due_after_pauses
from services.workflows.calendar.working_calendar import WorkingCalendar, WorkingDeadline

log = structlog.get_logger(__name__)

PROVISIONAL_DEADLINES = Counter(
    "hotline_provisional_deadlines_total",
    "Deadlines counted Monday to Friday because a year has no holiday schedule loaded, by year.",
    ["year"],
)


class PolicyRequest(BaseModel):
    item: str | None
    complexity: str = "normal"
    urgent: bool = False
    urgent_allowed: bool = True
    major: bool = False


class DeadlineRequest(BaseModel):
    start: datetime
    window: Window
    extra_working_days: int = 0
    reminder_fraction: float | None = Field(default=0.75, description="None: no reminders.")
    remind_on_last_working_day: bool = True
    pauses: list[Pause] = Field(
        default_factory=list, description="Spans the clock stood still, in order; extra working days count after them."
    )


class ComputedDeadline(BaseModel):
    due: datetime
    provisional: bool
    provisional_years: list[int] = Field(default_factory=list)
    reminders: list[datetime] = Field(default_factory=list)


class DeadlineBatch(BaseModel):
    """Several windows to count at once (a case's first deadlines, all from its receipt)."""

    requests: list[DeadlineRequest] = Field(min_length=1)


class ComputedDeadlines(BaseModel):
    deadlines: list[ComputedDeadline]  # in the order of the batch's requests


class CaseStartRequest(BaseModel):
    """A new case's policy, and the deadlines it starts with, counted from `start` under that policy."""

    policy: PolicyRequest
    start: datetime
    deadlines: list[DeadlineKind] = Field(min_length=1)


class CaseStart(BaseModel):
    policy: CasePolicy
    deadlines: list[ComputedDeadline]  # in the order of the request's kinds


class NextWorkingDayRequest(BaseModel):
    after: datetime


class DeadlineActivities:
    """Constructed with sources of the current calendar and policy (reloaded without a restart)."""

    def __init__(self, *, calendar: Callable[[], WorkingCalendar], policy: Callable[[], DeadlinePolicy]) -> None:
        self._calendar = calendar
        self._policy = policy

    def all(self) -> list[Callable[..., Any]]:
        """Every activity of this class, for a worker to register (the production worker and the workflow tests')."""
        return [
            self.resolve_case_policy,
            self.start_case,
            self.compute_deadline,
            self.compute_deadlines,
            self.next_working_day_start,
        ]

    @activity.defn(name="resolve_case_policy")
    async def resolve_case_policy(self, request: PolicyRequest) -> CasePolicy:
        """The current policy, resolved for the case's item, complexity and urgency."""
        return self._resolve(request)

    @activity.defn(name="start_case")
    async def start_case(self, request: CaseStartRequest) -> CaseStart:
        """`resolve_case_policy` and then `compute_deadlines` for the deadlines a case starts with, in one activity:
        one marker in the case's history and one activation of the workflow where there were two."""
        policy = self._resolve(request.policy)
        calendar = self._calendar()
        requests = [deadline_request(policy, request.start, window_for(policy, kind)) for kind in request.deadlines]
        return CaseStart(policy=policy, deadlines=[self._compute(calendar, r) for r in requests])

    def _resolve(self, request: PolicyRequest) -> CasePolicy:
        return policy_for_case(
            self._policy(),
            item=request.item,
            complexity=request.complexity,
            urgent=request.urgent,
            urgent_allowed=request.urgent_allowed,
            major=request.major,
        )

    @activity.defn(name="compute_deadline")
    async def compute_deadline(self, request: DeadlineRequest) -> ComputedDeadline:
        """Due time (and reminder times) of a window starting at `request.start`, on the working calendar."""
        return self._compute(self._calendar(), request)

    @activity.defn(name="compute_deadlines")
    async def compute_deadlines(self, batch: DeadlineBatch) -> ComputedDeadlines:
        """Each request of the batch, as `compute_deadline` would, on one calendar: one activity (and one marker in
        the case's history) instead of one per deadline."""
        calendar = self._calendar()
        return ComputedDeadlines(deadlines=[self._compute(calendar, request) for request in batch.requests])

    def _compute(self, calendar: WorkingCalendar, request: DeadlineRequest) -> ComputedDeadline:
        due = _due(calendar, request)
        if due.provisional:
            for year in due.provisional_years:
                PROVISIONAL_DEADLINES.labels(str(year)).inc()
            log.warning(
                "deadline.provisional",
                years=due.provisional_years,
                hint="no holiday schedule loaded for these years: counted Monday to Friday",
            )
        reminders: list[datetime] = []
        # After a pause, reminders are counted over what is left from the last resume.
        counted_from = request.pauses[-1].resumed_at if request.pauses else request.start
        if request.reminder_fraction is not None and due.at > counted_from:
            reminders = calendar.reminder_times(
                counted_from,
                due.at,
                fraction=request.reminder_fraction,
                last_working_day=request.remind_on_last_working_day,
            )
        return ComputedDeadline(
            due=due.at, provisional=due.provisional, provisional_years=due.provisional_years, reminders=reminders
        )

    @activity.defn(name="next_working_day_start")
    async def next_working_day_start(self, request: NextWorkingDayRequest) -> datetime:
        """09:00 (Asia/Shanghai) of the first working day after `request.after`'s date."""
        return self._calendar().start_of_next_working_day(request.after).at


def window_for(policy: CasePolicy, kind: DeadlineKind) -> Window:
    """The window the case's policy gives a deadline of this kind."""
    if kind is DeadlineKind.ARBITRATION:
        return policy.arbitration
    windows = policy.windows
    return {
        DeadlineKind.SIGN_FOR: windows.sign_for,
        DeadlineKind.TRANSFER: windows.transfer,
        DeadlineKind.FEEDBACK: windows.feedback,
        DeadlineKind.RESOLUTION: windows.resolution,
    }[kind]


def deadline_request(
    policy: CasePolicy,
    start: datetime,
    window: Window,
    *,
    extra_working_days: int = 0,
    pauses: Sequence[Pause] = (),
) -> DeadlineRequest:
    """What to count for a window from `start`, with the reminders the case's policy asks for."""
    return DeadlineRequest(
        start=start,
        window=window,
        extra_working_days=extra_working_days,
        pauses=list(pauses),
        reminder_fraction=policy.reminder_fraction,
        remind_on_last_working_day=policy.remind_on_last_working_day,
    )


def _due(calendar: WorkingCalendar, request: DeadlineRequest) -> WorkingDeadline:
    window = request.window
    if request.pauses:
        return _due_after_pauses(calendar, request)
    if window.working_days is not None:
        return calendar.add_working_days(request.start, window.working_days + request.extra_working_days)
    assert window.hours is not None
    due = calendar.add_hours(request.start, window.hours)
    if request.extra_working_days:
        return calendar.add_working_days(due.at, request.extra_working_days)
    return due


def _due_after_pauses(calendar: WorkingCalendar, request: DeadlineRequest) -> WorkingDeadline:
    """The window's due time moved by its pauses, then by its extra working days.

    Extensions are granted only once the unit has signed for the case, and the clocks pause only before that
    (awaiting arbitration): the days they add count from the due time the pauses left.
    """
    plain = request.model_copy(update={"pauses": [], "extra_working_days": 0})
    due = due_after_pauses(
        calendar, _due(calendar, plain), request.pauses, working_days=request.window.working_days is not None
    )
    if not request.extra_working_days:
        return due
    extended = calendar.add_working_days(due.at, request.extra_working_days)
    years = sorted(set(due.provisional_years) | set(extended.provisional_years))
    return WorkingDeadline(at=extended.at, provisional=bool(years), provisional_years=years)
