"""`JointTask`: one participant's share of joint handling (lead, co-managing, enforcement or township).

A child of `FirstContactCase`: its own deadline, reminders and breach handling; it reports every change to
the case, which keeps the combined view.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import UnitAction
    from services.contracts.case_policy import Window
    from services.contracts.case_timeline import SYSTEM, TimelineAction
    from services.contracts.case_view import DeadlineKind, JointTaskStatus, JointTaskView
    from services.contracts.case_workflow import JOINT_TASK_TYPE, STATE_QUERY, CaseSignal, JointTaskUpdate
    from services.contracts.events import Audience, EventKind
    from services.contracts.problem_codes import ProblemCode
    from services.workflows.calendar.deadline_clock import AlarmKind, DeadlineClock, due_now, pending
    from services.workflows.case.case_errors import CaseActionRefused
    from services.workflows.publishing.workflow_notices import About, Notice, notification, publish, timeline_entry


class JointTaskInput(BaseModel):
    task: JointTaskView
    phase: int
    title: str
    handling_unit: str
    reminders: list[datetime] = Field(default_factory=list)
    started_at: datetime | None = Field(default=None, description="When the phase began (the clock's start).")
    window: Window = Field(default=Window(working_days=5), description="The window the due time was counted with.")
    max_reports: int = Field(
        default=100, ge=1, description="Reports the task takes (the case's policy; bounded history)."
    )


@workflow.defn(name=JOINT_TASK_TYPE)
class JointTask:
    @workflow.init
    def __init__(self, assignment: JointTaskInput) -> None:
        self._assignment = assignment
        self._view = assignment.task
        # The task's deadline on the clock every workflow keeps (reminders, then the breach).
        self._clock = DeadlineClock(
            kind=DeadlineKind.JOINT_TASK,
            started_at=assignment.started_at or assignment.task.due,
            due=assignment.task.due,
            window=assignment.window,
            reminders=assignment.reminders,
        )
        self._sequence = 0
        self._changed = False

    @workflow.run
    async def run(self, assignment: JointTaskInput) -> JointTaskView:
        view = self._view
        await self._publish(EventKind.JOINT_TASK_ASSIGNED, view.unit, Audience.UNIT, view.task)
        try:
            await self._follow(assignment)
        except asyncio.CancelledError:
            # The lead closed the joint phase; the case has recorded it already.
            view.status = JointTaskStatus.CLOSED_BY_LEAD
            return view
        return view

    async def _follow(self, assignment: JointTaskInput) -> None:
        view, clock = self._view, self._clock
        while not view.finished:
            alarms = pending([clock])
            self._changed = False
            if not alarms:
                await workflow.wait_condition(lambda: self._changed)
                continue
            remaining = alarms[0].at - workflow.now()
            if remaining.total_seconds() > 0:
                try:
                    await workflow.wait_condition(lambda: self._changed, timeout=remaining)
                    continue
                except TimeoutError:
                    pass
            if view.finished:
                break
            for alarm in due_now(pending([clock]), workflow.now()):
                if alarm.kind is AlarmKind.REMINDER:
                    clock.reminders_sent += 1
                    await self._publish(EventKind.REMINDER, view.unit, Audience.UNIT)
                elif alarm.kind is AlarmKind.BREACH:
                    await self._breach()
        clock.met_at = workflow.now()
        await workflow.wait_condition(workflow.all_handlers_finished)

    async def _breach(self) -> None:
        view = self._view
        self._clock.breached_at = workflow.now()
        view.overdue = True
        self._note(SYSTEM, TimelineAction.DEADLINE_BREACHED, f"due {view.due.isoformat()}")
        detail = view.task
        await self._publish(EventKind.JOINT_TASK_BREACHED, view.unit, Audience.UNIT, detail)
        await self._publish(EventKind.JOINT_TASK_BREACHED, view.unit, Audience.UNIT_LEADER, detail)
        await self._publish(EventKind.JOINT_TASK_BREACHED, self._assignment.handling_unit, Audience.UNIT, detail)
        await self._report_to_case()

    @workflow.query(name=STATE_QUERY)
    def state(self) -> JointTaskView:
        return self._view

    @workflow.update(name=JointTaskUpdate.ACCEPT.value)
    async def accept(self, action: UnitAction) -> JointTaskView:
        self._view.status = JointTaskStatus.ACCEPTED
        return await self._changed_by(action, TimelineAction.ACCEPTED)

    @accept.validator
    def _validate_accept(self, action: UnitAction) -> None:
        self._require(action, JointTaskStatus.ASSIGNED, "accepted")

    @workflow.update(name=JointTaskUpdate.REPORT.value)
    async def report(self, action: UnitAction) -> JointTaskView:
        return await self._changed_by(action, TimelineAction.REPORTED)

    @report.validator
    def _validate_report(self, action: UnitAction) -> None:
        self._require(action, JointTaskStatus.ACCEPTED, "reported on")
        reports = sum(1 for entry in self._view.reports if entry.action == TimelineAction.REPORTED)
        if reports >= self._assignment.max_reports:
            raise CaseActionRefused(
                f"this joint task has {reports} reports, the most it takes; complete it instead",
                ProblemCode.JOINT_REPORT_LIMIT_REACHED,
            )

    @workflow.update(name=JointTaskUpdate.COMPLETE.value)
    async def complete(self, action: UnitAction) -> JointTaskView:
        self._view.status = JointTaskStatus.COMPLETED
        self._view.completed_at = workflow.now()
        return await self._changed_by(action, TimelineAction.COMPLETED)

    @complete.validator
    def _validate_complete(self, action: UnitAction) -> None:
        self._require(action, JointTaskStatus.ACCEPTED, "completed")

    def _require(self, action: UnitAction, status: JointTaskStatus, verb: str) -> None:
        if action.unit != self._view.unit:
            raise CaseActionRefused(
                f"this joint task belongs to {self._view.unit!r}, not {action.unit!r}", ProblemCode.NOT_JOINT_TASK_UNIT
            )
        if self._view.status is not status:
            raise CaseActionRefused(
                f"joint task is {self._view.status.value}; only a {status.value} task can be {verb}",
                ProblemCode.WRONG_JOINT_TASK_STATUS,
            )

    async def _changed_by(self, action: UnitAction, what: TimelineAction) -> JointTaskView:
        self._note(action.unit, what, action.note, attachment_ids=action.attachment_ids)
        self._changed = True
        await self._report_to_case()
        return self._view

    def _note(
        self, actor: str, action: TimelineAction, detail: str, *, attachment_ids: list[str] | None = None
    ) -> None:
        self._view.reports.append(timeline_entry(actor, action, detail, attachment_ids=attachment_ids))

    async def _report_to_case(self) -> None:
        parent = workflow.info().parent
        if parent is not None:
            handle = workflow.get_external_workflow_handle(parent.workflow_id)
            await handle.signal(CaseSignal.JOINT_TASK_CHANGED.value, self._view)

    async def _publish(self, kind: EventKind, recipient: str, audience: Audience, detail: str = "") -> None:
        self._sequence += 1
        view, assignment = self._view, self._assignment
        about = About(case_id=view.case_id, title=assignment.title, handling_unit=assignment.handling_unit)
        event = notification(
            about,
            kind=kind,
            sequence=self._sequence,
            at=workflow.now(),
            recipient=recipient,
            audience=audience,
            notice=Notice(detail=detail, due=view.due, to_unit=view.unit, role=view.role.value),
            stream=f"joint-{assignment.phase}-{view.unit}",
        )
        await publish(event)
