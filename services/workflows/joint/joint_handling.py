"""The case's side of joint handling (联动): starts a `JointTask` per participant and keeps the combined view.

Workflow code, run inside `FirstContactCase`.
"""

from __future__ import annotations

import contextlib

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import JointHandlingRequest, UnitAction
    from services.contracts.case_event_log import EventFields
    from services.contracts.case_policy import Window
    from services.contracts.case_timeline import JOINT_TASK_ACTIONS, SYSTEM, TimelineAction
    from services.contracts.case_view import JointPhase, JointTaskStatus, JointTaskView
    from services.contracts.case_workflow import JOINT_TASK_TYPE, joint_task_workflow_id
    from services.contracts.events import EventKind
    from services.workflows.case.case_engine import CaseEngine
    from services.workflows.joint.joint_task import JointTaskInput
    from services.workflows.publishing.workflow_notices import Notice


class JointHandling:
    def __init__(self, engine: CaseEngine) -> None:
        self._engine = engine

    async def start(self, request: JointHandlingRequest) -> None:
        engine = self._engine
        view = engine.view
        now = engine.now()
        phase = JointPhase(
            number=len(view.joint_phases) + 1, requested_by=request.unit, reason=request.reason, started_at=now
        )
        view.joint_phases.append(phase)
        engine.record(
            request.unit,
            TimelineAction.JOINT_HANDLING_STARTED,
            f"{request.reason}（{len(request.participants)} 个单位）",
            fields=EventFields(phase=phase.number, reason=request.reason),
        )
        for participant in request.participants:
            window = (
                Window(working_days=participant.working_days) if participant.working_days else engine.policy.joint_task
            )
            computed = await engine.compute(now, window)
            task = JointTaskView(
                case_id=view.case_id,
                workflow_id=joint_task_workflow_id(view.case_id, phase.number, participant.unit),
                unit=participant.unit,
                role=participant.role,
                task=participant.task,
                due=computed.due,
            )
            phase.tasks.append(task)
            await workflow.start_child_workflow(
                JOINT_TASK_TYPE,
                JointTaskInput(
                    task=task,
                    phase=phase.number,
                    title=view.title or "",
                    handling_unit=engine.handling_unit,
                    reminders=computed.reminders,
                    max_reports=engine.policy.max_progress_reports,
                    started_at=now,
                    window=window,
                ),
                id=task.workflow_id,
                parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
            )

    async def task_changed(self, task: JointTaskView) -> None:
        """A participant acted (or missed its deadline): update the combined view; close when all are done."""
        phase = self._phase_of(task)
        if phase is None or not phase.open:
            return
        phase.tasks = [task if t.workflow_id == task.workflow_id else t for t in phase.tasks]
        latest = task.reports[-1] if task.reports else None
        if latest is not None:
            action = JOINT_TASK_ACTIONS[latest.action]
            self._engine.record(
                latest.actor,
                action,
                f"{task.unit}：{latest.detail}",
                fields=EventFields(
                    phase=phase.number,
                    unit=task.unit,
                    role=task.role.value,
                    status=task.status.value,
                    note=latest.detail,
                ),
            )
        if phase.open and all(t.finished for t in phase.tasks):
            await self._close(phase, closed_by=SYSTEM, note="all joint tasks completed")

    async def close_by_lead(self, action: UnitAction) -> None:
        """The lead ends the joint phase; tasks still open are cancelled and shown as closed by the lead."""
        phase = self._engine.view.open_joint_phase()
        assert phase is not None
        for task in phase.tasks:
            if not task.finished:
                task.status = JointTaskStatus.CLOSED_BY_LEAD
                # A task that completed a moment ago cannot be cancelled; closing the phase goes on regardless.
                with contextlib.suppress(Exception):
                    await workflow.get_external_workflow_handle(task.workflow_id).cancel()
        await self._close(phase, closed_by=action.unit, note=action.note, attachment_ids=action.attachment_ids)

    async def _close(
        self, phase: JointPhase, *, closed_by: str, note: str, attachment_ids: list[str] | None = None
    ) -> None:
        engine = self._engine
        phase.closed_at = engine.now()
        phase.closed_by = closed_by
        fields = EventFields(phase=phase.number, note=note, attachment_ids=attachment_ids or None)
        engine.record(closed_by, TimelineAction.JOINT_HANDLING_CLOSED, note, fields=fields)
        closed = Notice(detail=note, attachment_ids=tuple(attachment_ids or ()))
        engine.notify(EventKind.JOINT_PHASE_CLOSED, recipient=engine.handling_unit, notice=closed)

    def _phase_of(self, task: JointTaskView) -> JointPhase | None:
        for phase in self._engine.view.joint_phases:
            if any(t.workflow_id == task.workflow_id for t in phase.tasks):
                return phase
        return None
