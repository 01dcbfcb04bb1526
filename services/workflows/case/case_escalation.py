"""Breaches and the escalation ladder: unit → unit leader → city leader in charge → top-level coordination.

Missed deadlines climb by themselves only as far as the case's policy says (`automatic_top`: the unit leader, told
with the coordination centre; the top for a major item); higher levels come by decision (`request`).
Workflow code, run inside `FirstContactCase`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ChildWorkflowError
from temporalio.workflow import ChildWorkflowHandle, ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import COORDINATION_CENTRE, EscalationRequest, EscalationTarget
    from services.contracts.case_event_log import EventFields
    from services.contracts.case_policy import EscalationLevel
    from services.contracts.case_timeline import SYSTEM, TimelineAction
    from services.contracts.case_view import Breach, DeadlineKind, Escalation
    from services.contracts.case_workflow import TOP_LEVEL_TYPE, TopLevelSignal, top_level_workflow_id
    from services.contracts.cases import CaseStatus
    from services.contracts.events import Audience, EventKind
    from services.workflows.calendar.deadline_clock import Alarm, AlarmKind, DeadlineClock
    from services.workflows.case.case_engine import CaseEngine
    from services.workflows.publishing.workflow_notices import Notice
    from services.workflows.top_level.top_level_models import CaseSummary, TopLevelInput


class CaseEscalation:
    def __init__(self, engine: CaseEngine) -> None:
        self._engine = engine
        # The case's one top-level coordination, once started; it ends when the case closes.
        self._top_level: ChildWorkflowHandle[Any, Any] | None = None
        self._top_level_following = False
        self._top_level_closed = False

    @property
    def top_level_open(self) -> bool:
        """Whether top-level coordination, a child of this run (until the case closes), is running."""
        return self._top_level is not None and not self._top_level_closed

    async def handle_alarms(self, alarms: list[Alarm]) -> None:
        """Handle the deadline alarms due now; deadlines missed at the same instant are one missed step."""
        view = self._engine.view
        # Each missed deadline or step with the moment it was missed (its alarm's time).
        missed: list[tuple[DeadlineClock, datetime]] = []
        for alarm in alarms:
            tracked = view.tracked(alarm.deadline) if alarm.deadline else None
            if tracked is None or not tracked.open:
                continue
            if alarm.kind is AlarmKind.REMINDER:
                await self._remind(tracked)
            elif alarm.kind is AlarmKind.BREACH and self._same_omission_as_sign_for(tracked):
                self._close_transfer_window(tracked)
            elif alarm.kind is AlarmKind.BREACH:
                await self._breach(tracked)
                missed.append((tracked, alarm.at))
            elif alarm.kind is AlarmKind.CHASE_UP:
                await self._chase_up(tracked)
            elif alarm.kind is AlarmKind.ESCALATION_STEP:
                tracked.next_escalation_at = None
                missed.append((tracked, alarm.at))
        if missed:
            climbed = await self._climb(reason="未按时限办理", deadline_kind=missed[0][0].kind.value)
            for tracked, missed_at in missed:
                # A step held at the end of the automatic ladder is the last one these deadlines take by themselves.
                tracked.next_escalation_at = await self._next_step_due(tracked, missed_at) if climbed else None

    async def _climb(self, *, reason: str, deadline_kind: str) -> bool:
        """A missed step: one level up, if the automatic ladder goes that far; whether the case climbed.

        Where the automatic ladder ends (below the top) the step is recorded and the coordination centre told that
        the case is stuck there: the city leader and top-level coordination are reached by a decision. At the top,
        top-level coordination follows the case already.
        """
        engine = self._engine
        level = engine.view.escalation_level
        if level >= engine.policy.top_level:
            return False
        if level >= engine.policy.automatic_top:
            step = engine.policy.step(level)
            engine.record(
                SYSTEM,
                TimelineAction.ESCALATION_HELD,
                f"level {level} ({step.name}), where automatic escalation ends",
                fields=EventFields(level=level, level_name=step.name, deadline_kind=deadline_kind, reason=reason),
            )
            engine.notify_coordination(EventKind.ESCALATION_HELD, Notice(deadline_kind=deadline_kind, detail=reason))
            return False
        await self.raise_level_to(level + 1, reason=reason)
        return True

    def _same_omission_as_sign_for(self, tracked: DeadlineClock) -> bool:
        """A transfer window that passes while the missed sign-for is already on record is the same omission."""
        if tracked.kind is not DeadlineKind.TRANSFER:
            return False
        sign_for = self._engine.view.tracked(DeadlineKind.SIGN_FOR)
        return sign_for is not None and sign_for.open and sign_for.breached_at is not None

    def _close_transfer_window(self, tracked: DeadlineClock) -> None:
        tracked.breached_at = self._engine.now()
        tracked.chase_up_sent = True
        self._engine.record(
            SYSTEM,
            TimelineAction.TRANSFER_WINDOW_CLOSED,
            "未签收也未转办，已按签收超时处理；不能再转办",
            fields=EventFields(deadline_kind=tracked.kind.value, due=tracked.due, unit=self._engine.handling_unit),
        )

    async def request(self, request: EscalationRequest) -> None:
        """An escalation asked with a proposed plan: to the city leader, or from there to top-level coordination."""
        engine = self._engine
        level = EscalationLevel.CITY_LEADER if request.to is EscalationTarget.CITY_LEADER else engine.policy.top_level
        reason = f"{request.reason}；方案：{request.plan}"
        asked = Escalation(
            level=level,
            level_name=engine.policy.step(level).name,
            requested_by=request.unit,
            reason=request.reason,
            plan=request.plan,
            at=engine.now(),
        )
        engine.view.escalations.append(asked)
        fields = EventFields(level=level, level_name=asked.level_name, reason=request.reason, plan=request.plan)
        engine.record(request.unit, TimelineAction.ESCALATION_REQUESTED, reason, fields=fields)
        await self.raise_level_to(level, reason=reason)

    async def raise_level_to(self, level: int, *, reason: str) -> None:
        """Move up the ladder (never down), tell the new level, and start top-level coordination at the top."""
        engine = self._engine
        level = min(level, engine.policy.top_level)
        if level <= engine.view.escalation_level:
            return
        engine.view.escalation_level = level
        step = engine.policy.step(level)
        engine.record(
            SYSTEM,
            TimelineAction.ESCALATED,
            f"level {level} ({step.name}): {reason}",
            fields=EventFields(level=level, level_name=step.name, reason=reason),
        )
        # The unit leader already hears of each breach; higher levels get an escalation notice.
        if step.notify != "handling_unit_leader":
            engine.notify_ladder(level, EventKind.ESCALATED, Notice(detail=reason))
        for actor in step.also_notify:
            audience = Audience.COORDINATION if actor == COORDINATION_CENTRE else Audience.LEADER
            engine.notify(EventKind.ESCALATED, recipient=actor, audience=audience, notice=Notice(detail=reason))
        if level == engine.policy.top_level:
            await self._start_top_level(reason)

    async def case_changed(self, note: str) -> None:
        """Keep top-level coordination informed: it pauses at a resolution, follows a rework, ends at the closing."""
        view = self._engine.view
        if self._top_level is None or self._top_level_closed:
            return
        following = view.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
        if following and not self._top_level_following:
            # The matter is not resolved after all: the same coordination follows it again.
            self._record_top_level()
        self._top_level_following = following
        summary = CaseSummary(
            status=view.status.value,
            handling_unit=view.handling_unit,
            overdue=view.overdue,
            note=note,
            at=self._engine.now(),
        )
        handle = workflow.get_external_workflow_handle(top_level_workflow_id(view.case_id))
        await handle.signal(TopLevelSignal.CASE_CHANGED.value, summary)
        if view.status is CaseStatus.CLOSED:
            self._top_level_closed = True

    async def top_level_finished(self) -> None:
        """Wait until the coordination has ended after the case's closing (before the case completes and cancels it)."""
        if self._top_level is None:
            return
        try:
            await self._top_level
        except ChildWorkflowError:
            # Ended otherwise (an operator terminated it): nothing left to wait for.
            return

    async def _start_top_level(self, reason: str) -> None:
        if self._top_level is not None:
            return
        engine = self._engine
        view = engine.view
        plan = view.escalations[-1].plan if view.escalations else ""
        self._top_level = await workflow.start_child_workflow(
            TOP_LEVEL_TYPE,
            TopLevelInput(
                case_id=view.case_id,
                title=view.title or "",
                handling_unit=engine.handling_unit,
                reason=reason,
                plan=plan,
                review_days=engine.policy.top_level_review_days,
                reviews_per_run=engine.policy.top_level_reviews_per_run,
                status=view.status.value,
            ),
            # One coordination per case, ever: it follows the case through reworks until the case closes.
            id=top_level_workflow_id(view.case_id),
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
        )
        self._top_level_following = view.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
        self._record_top_level()

    def _record_top_level(self) -> None:
        engine = self._engine
        level = engine.view.escalation_level
        review = f"weekly review every {engine.policy.top_level_review_days} days"
        fields = EventFields(level=level, level_name=engine.policy.step(level).name)
        engine.record(SYSTEM, TimelineAction.TOP_LEVEL_COORDINATION, review, fields=fields)

    async def _remind(self, tracked: DeadlineClock) -> None:
        tracked.reminders_sent += 1
        self._engine.notify(
            EventKind.REMINDER,
            recipient=self._engine.handling_unit,
            notice=Notice(deadline_kind=tracked.kind.value, due=tracked.due),
        )

    async def _breach(self, tracked: DeadlineClock) -> None:
        """Record it, mark the case overdue, tell the unit and its leader, chase up and ask for an explanation."""
        engine = self._engine
        view = engine.view
        now = engine.now()
        tracked.breached_at = now
        view.explanation_required = True
        # The breach counts against whoever missed it: the coordination centre for a late arbitration.
        recipient, audiences = self._breach_recipient(tracked)
        view.breaches.append(
            Breach(
                kind=tracked.kind,
                unit=recipient,
                due=tracked.due,
                at=now,
                escalation_level=view.escalation_level,
            )
        )
        engine.record(
            SYSTEM,
            TimelineAction.DEADLINE_BREACHED,
            f"{tracked.kind.value} due {tracked.due.isoformat()}",
            fields=EventFields(deadline_kind=tracked.kind.value, due=tracked.due, unit=recipient),
        )
        missed = Notice(deadline_kind=tracked.kind.value, due=tracked.due)
        for audience in audiences:
            engine.notify(EventKind.DEADLINE_BREACHED, recipient=recipient, audience=audience, notice=missed)
        # Counted from the due time, not from when the worker got round to it: a breach due at 23:59:59 handled a
        # second late (a busy end-of-day burst, a worker restarting) gives the unit no extra working day.
        tracked.chase_up_at = await engine.next_working_day_start(tracked.due)

    def _breach_recipient(self, tracked: DeadlineClock) -> tuple[str, tuple[Audience, ...]]:
        """Who missed it and who hears of it (what they are asked is the notifier's template's to say)."""
        if tracked.kind is DeadlineKind.ARBITRATION:
            return COORDINATION_CENTRE, (Audience.COORDINATION,)
        return self._engine.handling_unit, (Audience.UNIT, Audience.UNIT_LEADER)

    async def _chase_up(self, tracked: DeadlineClock) -> None:
        """The chase-up notice (催办), sent the next working day after a breach."""
        tracked.chase_up_sent = True
        recipient, audiences = self._breach_recipient(tracked)
        self._engine.record(
            SYSTEM,
            TimelineAction.CHASE_UP,
            f"{tracked.kind.value} overdue since {tracked.due.isoformat()}",
            fields=EventFields(deadline_kind=tracked.kind.value, due=tracked.due, unit=recipient),
        )
        self._engine.notify(
            EventKind.CHASE_UP,
            recipient=recipient,
            audience=audiences[0],
            notice=Notice(deadline_kind=tracked.kind.value, due=tracked.due),
        )

    async def _next_step_due(self, tracked: DeadlineClock, missed_at: datetime) -> datetime | None:
        """If the breach is not put right by then, the case climbs one more step (None: already at the top).

        One chase-up window after the chase-up, or after the missed step itself once the chase-up has passed. A step
        that falls due while the case waits (a worker down for days) is taken at once, one step per window missed.
        """
        engine = self._engine
        if engine.view.escalation_level >= engine.policy.top_level:
            return None
        start = tracked.chase_up_at if tracked.chase_up_at and tracked.chase_up_at > missed_at else missed_at
        return (await engine.compute(start, engine.policy.chase_up_window)).due
