"""The moving parts of a case inside its workflow: policy, deadlines, alarms, notifications, search attributes.

Runs only inside `FirstContactCase` (workflow code: deterministic, I/O through activities). What a step records and
sends waits in the case's log and goes out in one activity when the step ends (`flush`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import COORDINATION_CENTRE
    from services.contracts.case_event_log import EventFields
    from services.contracts.case_policy import CasePolicy, Window, shared_policy
    from services.contracts.case_timeline import SYSTEM, TimelineAction
    from services.contracts.case_view import DeadlineKind, Deadlines
    from services.contracts.cases import RoutedCase
    from services.contracts.events import Audience, EventKind
    from services.contracts.tickets import Ticket
    from services.workflows.calendar.deadline_activities import (
        CaseStartRequest,
        ComputedDeadline,
        DeadlineActivities,
        DeadlineBatch,
        DeadlineRequest,
        NextWorkingDayRequest,
        PolicyRequest,
        deadline_request,
        window_for,
    )
    from services.workflows.calendar.deadline_clock import DeadlineClock
    from services.workflows.case.case_alarms import is_overdue
    from services.workflows.case.case_events import carries_description, case_event, platform_wants
    from services.workflows.case.case_log import CaseLog
    from services.workflows.case.case_search_attributes import CaseSearchAttributes
    from services.workflows.case.case_state import CaseState
    from services.workflows.case.step_clock import StepClock
    from services.workflows.publishing.workflow_notices import NO_NOTICE, Notice
    from services.workflows.web_ui_summaries import case_details

# Activities are retried for as long as it takes: an event or a deadline is never given up.
ACTIVITY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
ACTIVITY_TIMEOUT = timedelta(seconds=10)

Request = TypeVar("Request")
Result = TypeVar("Result")


class CaseEngine:
    def __init__(self, view: CaseState, ticket: Ticket, log: CaseLog) -> None:
        self.view = view
        self.ticket = ticket
        self.log = log
        self._policy: CasePolicy | None = None
        self.clock = StepClock()
        self._search_attributes = CaseSearchAttributes()
        self.show_details()

    def now(self) -> datetime:
        """The time of the step being taken (`StepClock.now`)."""
        return self.clock.now()

    def resume(self, policy: CasePolicy) -> None:
        """A case continued as new: the policy it started under, carried over."""
        self._policy = shared_policy(policy)

    @property
    def policy(self) -> CasePolicy:
        assert self._policy is not None, "policy is loaded before any handler runs"
        return self._policy

    @property
    def handling_unit(self) -> str:
        assert self.view.handling_unit is not None
        return self.view.handling_unit

    async def load_policy(
        self, case: RoutedCase, *, first_deadlines: list[DeadlineKind], start: datetime
    ) -> list[ComputedDeadline]:
        """Fix the policy version for the life of the case, and count its first deadlines from `start` in the same
        activity (one marker in the history where there would be two): their due times, for `start_deadlines`."""
        request = PolicyRequest(
            item=case.routing.item,
            complexity=case.routing.complexity,
            urgent=case.ticket.urgency.value == "urgent",
            urgent_allowed=case.routing.urgent_allowed,
            major=case.routing.major,
        )
        opened = await self._local(
            DeadlineActivities.start_case, CaseStartRequest(policy=request, start=start, deadlines=first_deadlines)
        )
        self._policy = shared_policy(opened.policy)
        self.view.policy_version = self._policy.version
        if self.view.urgency != self._policy.urgency:
            self.record(
                SYSTEM,
                TimelineAction.URGENCY_NOT_ALLOWED,
                f"{case.routing.item} 不适用紧急时限，按一般时限办理",
                fields=EventFields(item=case.routing.item),
            )
        self.view.urgency = self._policy.urgency
        return opened.deadlines

    def record(
        self,
        actor: str,
        action: TimelineAction,
        detail: str = "",
        *,
        at: datetime | None = None,
        fields: EventFields | None = None,
        publish: bool = True,
    ) -> None:
        """One change of the case: a timeline entry and an event on the case event log (`CaseLog.record`)."""
        self.log.record(actor, action, detail, at=at or self.now(), fields=fields, publish=publish)

    async def flush(self) -> None:
        """End of a step: the summary and search attributes brought up to date, then what the step recorded and
        the notifications it sends published."""
        self.refresh()
        await self.log.flush()

    # --- deadlines --------------------------------------------------------------------------------------

    def window_for(self, kind: DeadlineKind) -> Window:
        return window_for(self.policy, kind)

    def _deadline_request(self, start: datetime, window: Window, *, extra_working_days: int = 0) -> DeadlineRequest:
        return deadline_request(self.policy, start, window, extra_working_days=extra_working_days)

    async def compute(self, start: datetime, window: Window, *, extra_working_days: int = 0) -> ComputedDeadline:
        request = self._deadline_request(start, window, extra_working_days=extra_working_days)
        return await self._local(DeadlineActivities.compute_deadline, request)

    async def recount(self, clock: DeadlineClock) -> ComputedDeadline:
        """The clock's due time and reminders counted again from its own record: start, window, extensions, pauses."""
        request = deadline_request(
            self.policy,
            clock.started_at,
            clock.window,
            extra_working_days=clock.extra_working_days,
            pauses=clock.pauses,
        )
        return await self._local(DeadlineActivities.compute_deadline, request)

    async def compute_all(self, start: datetime, windows: list[Window]) -> list[ComputedDeadline]:
        """Several windows from the same start, in one activity (one marker in the history instead of one each)."""
        if len(windows) > 1:
            batch = DeadlineBatch(requests=[self._deadline_request(start, window) for window in windows])
            return (await self._local(DeadlineActivities.compute_deadlines, batch)).deadlines
        return [await self.compute(start, window) for window in windows]

    async def start_deadlines(
        self, kinds: list[DeadlineKind], *, start: datetime, computed: list[ComputedDeadline] | None = None
    ) -> None:
        """Start (or restart) these deadlines from `start`, replacing earlier ones of the same kind; `computed`: their
        due times counted already (by `load_policy`), in the order of `kinds`."""
        windows = [self.window_for(kind) for kind in kinds]
        if computed is None:
            computed = await self.compute_all(start, windows)
        for kind, window, counted in zip(kinds, windows, computed, strict=True):
            tracked = DeadlineClock(
                kind=kind,
                started_at=start,
                due=counted.due,
                window=window,
                provisional=counted.provisional,
                provisional_years=counted.provisional_years,
                reminders=counted.reminders,
            )
            self.view.tracked_deadlines = [d for d in self.view.tracked_deadlines if d.kind is not kind] + [tracked]

    def meet(self, *kinds: DeadlineKind) -> None:
        """What these deadlines asked for is done (or no longer asked)."""
        for kind in kinds:
            tracked = self.view.tracked(kind)
            if tracked is not None and tracked.open:
                tracked.met_at = self.now()
                tracked.next_escalation_at = None

    async def recompute_provisional(self) -> None:
        """Count open provisional deadlines again, now that the calendar may know their years."""
        for tracked in self.view.tracked_deadlines:
            # A paused clock is counted again when it resumes.
            if not (tracked.open and tracked.provisional and tracked.breached_at is None and tracked.paused_at is None):
                continue
            computed = await self.recount(tracked)
            if computed.due != tracked.due or not computed.provisional:
                self.record(
                    SYSTEM,
                    TimelineAction.DEADLINE_RECOMPUTED,
                    f"{tracked.kind.value}: {computed.due.isoformat()}",
                    fields=EventFields(deadline_kind=tracked.kind.value, due=computed.due, previous_due=tracked.due),
                )
            tracked.due = computed.due
            tracked.provisional = computed.provisional
            tracked.provisional_years = computed.provisional_years
            tracked.reminders = [r for r in computed.reminders if r > self.now()]
            tracked.reminders_sent = 0

    # --- notifications ----------------------------------------------------------------------------------

    def notify(
        self,
        kind: EventKind,
        *,
        recipient: str,
        audience: Audience = Audience.UNIT,
        notice: Notice = NO_NOTICE,
    ) -> None:
        """Send one notification when the step ends; its id comes from the case's notification sequence, so a
        retried publish is harmless."""
        state = self.view
        state.notification_sequence += 1
        previous: int | None = None
        if audience is Audience.PLATFORM:
            previous, state.last_platform_sequence = state.last_platform_sequence, state.notification_sequence
        # The event carries the deadlines as they are now (an action may have just moved one).
        self.summarise()
        event = case_event(
            state,
            self.ticket,
            kind=kind,
            sequence=state.notification_sequence,
            at=self.now(),
            recipient=recipient,
            audience=audience,
            notice=notice,
            previous_sequence=previous,
        )
        description = self.ticket.description if carries_description(kind, audience) else None
        self.log.notify(event, description=description)

    def notify_platform(self, kind: EventKind, notice: Notice = NO_NOTICE) -> None:
        """Tell the originating platform of a status change, when it gave a callback URL."""
        platform = platform_wants(kind, self.ticket)
        if platform is not None:
            self.notify(kind, recipient=platform, audience=Audience.PLATFORM, notice=notice)

    def notify_coordination(self, kind: EventKind, notice: Notice = NO_NOTICE) -> None:
        self.notify(kind, recipient=COORDINATION_CENTRE, audience=Audience.COORDINATION, notice=notice)

    def notify_ladder(self, level: int, kind: EventKind, notice: Notice = NO_NOTICE) -> None:
        """Tell whoever the escalation ladder names for this level."""
        target = self.policy.step(level).notify
        if target == "handling_unit":
            self.notify(kind, recipient=self.handling_unit, notice=notice)
        elif target == "handling_unit_leader":
            self.notify(kind, recipient=self.handling_unit, audience=Audience.UNIT_LEADER, notice=notice)
        else:
            self.notify(kind, recipient=target, audience=Audience.LEADER, notice=notice)

    async def next_working_day_start(self, after: datetime) -> datetime:
        return await self._local(DeadlineActivities.next_working_day_start, NextWorkingDayRequest(after=after))

    async def _local(self, activity: Callable[[Any, Request], Awaitable[Result]], request: Request) -> Result:
        """Run one of the case's activities, as a local activity (see docs/performance.md for why local)."""
        return await workflow.execute_local_activity_method(
            activity, request, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=ACTIVITY_RETRY
        )

    # --- what operators see -----------------------------------------------------------------------------

    def summarise(self) -> None:
        """Derive the summary fields (`overdue`, `deadlines`) from the tracked deadlines."""
        view = self.view
        view.overdue = is_overdue(view)
        # A due time that is not running is not shown: the clock stands still and the time will move.
        due = {d.kind: d.due for d in view.tracked_deadlines if d.paused_at is None}
        view.deadlines = Deadlines(
            sign_for=due.get(DeadlineKind.SIGN_FOR),
            transfer=due.get(DeadlineKind.TRANSFER),
            feedback=due.get(DeadlineKind.FEEDBACK),
            resolution=due.get(DeadlineKind.RESOLUTION),
            arbitration=due.get(DeadlineKind.ARBITRATION),
            provisional=any(d.provisional for d in view.tracked_deadlines if d.open),
            paused=[d.kind for d in view.tracked_deadlines if d.open and d.paused_at is not None],
        )

    def refresh(self) -> None:
        """Derive the summary fields, upsert the search attributes and show the details (on every change)."""
        self.summarise()
        self._search_attributes.sync(self.view)
        self.show_details()

    def show_details(self) -> None:
        """The case as the Web UI's current details show it (no command: a replay is not affected)."""
        workflow.set_current_details(case_details(self.view))
