"""Whole case histories built by hand, as the case workflows would log them: each step's events (kind, time, actor,
the timeline's words) and the view after it, for the tests of the facts and rates that are derived from them.

Times are hours after `T0` (Monday 2026-12-07, 09:00 in the city). A step's events all carry the view after the
step, as `CaseLog.flush` publishes them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Self

from services.contracts.case_actions import COORDINATION_CENTRE
from services.contracts.case_event_log import CaseEvent, EventFields, EventSource, case_event_id
from services.contracts.case_timeline import CALLER, ROUTER, SYSTEM, TimelineAction
from services.contracts.case_view import (
    NOT_RATED,
    UNREASONABLE_DEMAND,
    Breach,
    CaseView,
    DeadlineKind,
    Escalation,
    Extension,
    ExtensionStatus,
    JointPhase,
    JointRole,
    JointTaskStatus,
    JointTaskView,
    Rating,
    RatingLevel,
    TimelineEntry,
    Transfer,
    UnreasonableDemand,
)
from services.contracts.cases import CaseStatus

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
MAX_REWORKS = 2  # the shipped policy's


def hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


class CaseHistory:
    """A case from its assignment to `unit` (at hour `at`), one workflow step a call."""

    def __init__(
        self,
        unit: str = "water",
        *,
        at: float = 0,
        channel: str = "12345",
        item: str = "LS-06",
        township: str | None = "hekou-town",
        case_id: str | None = None,
    ) -> None:
        case_id = case_id or str(uuid.uuid4())
        self.view = CaseView(
            case_id=case_id,
            status=CaseStatus.ASSIGNED,
            channel=channel,
            external_id=f"T-{case_id[:8]}",
            title="小区停水",
            catalog_item=item,
            first_contact_unit=unit,
            handling_unit=unit,
            township=township,
            received_at=hours(at),
        )
        self.events: list[CaseEvent] = []
        self._now = hours(at)
        with self._step(at):
            self._record(channel, TimelineAction.RECEIVED, "小区停水")
            self._record(ROUTER, TimelineAction.ROUTED, f"{item} → {unit}", EventFields(item=item, unit=unit))
            self._record(SYSTEM, TimelineAction.ASSIGNED, f"first-contact unit {unit}", EventFields(unit=unit))

    @property
    def unit(self) -> str:
        assert self.view.handling_unit is not None
        return self.view.handling_unit

    # --- the handling unit's steps -----------------------------------------------------------------------

    def accept(self, at: float) -> Self:
        with self._step(at):
            self.view.status = CaseStatus.ACCEPTED
            self._record(self.unit, TimelineAction.ACCEPTED)
        return self

    def transfer(self, to_unit: str, at: float, *, item: str | None = None) -> Self:
        with self._step(at):
            item = item or self.view.catalog_item or ""
            self.view.transfers.append(
                Transfer(from_unit=self.unit, to_unit=to_unit, reason="不属本单位职责", catalog_item=item, at=self._now)
            )
            from_unit, self.view.handling_unit = self.unit, to_unit
            self._record(from_unit, TimelineAction.TRANSFERRED, f"→ {to_unit}（{item}）：不属本单位职责")
        return self

    def ask_arbitration(self, at: float) -> Self:
        with self._step(at):
            self.view.status = CaseStatus.ARBITRATION
            self._record(self.unit, TimelineAction.ARBITRATION_REQUESTED, "提请仲裁")
        return self

    def arbitrate(self, unit: str, at: float) -> Self:
        with self._step(at):
            self.view.status, self.view.arbitrated, self.view.handling_unit = CaseStatus.ASSIGNED, True, unit
            self._record(COORDINATION_CENTRE, TimelineAction.ARBITRATED, f"承办单位：{unit}")
        return self

    def feedback(self, at: float) -> Self:
        with self._step(at):
            self.view.feedback_at = self.view.feedback_at or self._now
            self._record(self.unit, TimelineAction.FEEDBACK, "已联系群众")
        return self

    def progress(self, at: float) -> Self:
        with self._step(at):
            self._record(self.unit, TimelineAction.PROGRESS, "已办：抢修中")
        return self

    def resolve(self, at: float) -> Self:
        with self._step(at):
            view = self.view
            view.status, view.resolved_at = CaseStatus.RESOLVED, self._now
            view.feedback_at = view.feedback_at or self._now
            self._record(self.unit, TimelineAction.RESOLVED, "已恢复供水")
        return self

    def ask_extension(self, days: int, at: float) -> Self:
        with self._step(at):
            self.view.extensions.append(
                Extension(requested_by=self.unit, reason="需更换管道", working_days=days, requested_at=self._now)
            )
            self._record(self.unit, TimelineAction.EXTENSION_REQUESTED, f"{days} 个工作日")
        return self

    def approve_extension(self, at: float, *, old_due: float, new_due: float) -> Self:
        with self._step(at):
            extension = self.view.extensions[-1]
            extension.status, extension.decided_by, extension.decided_at = (
                ExtensionStatus.APPROVED,
                COORDINATION_CENTRE,
                self._now,
            )
            extension.old_due, extension.new_due = hours(old_due), hours(new_due)
            self.view.deadlines.resolution = hours(new_due)
            self._record(COORDINATION_CENTRE, TimelineAction.EXTENSION_APPROVED, "同意延期")
        return self

    # --- the workflow's own steps: deadlines, escalation, closing ----------------------------------------

    def breach(self, kind: DeadlineKind, at: float, *, due: float) -> Self:
        with self._step(at):
            view = self.view
            view.breaches.append(
                Breach(kind=kind, unit=self.unit, due=hours(due), at=self._now, escalation_level=view.escalation_level)
            )
            view.overdue = True
            self._record(SYSTEM, TimelineAction.DEADLINE_BREACHED, f"{kind.value} due {hours(due).isoformat()}")
        return self

    def chase_up(self, at: float) -> Self:
        with self._step(at):
            self._record(SYSTEM, TimelineAction.CHASE_UP, "催办")
        return self

    def escalate(self, level: int, at: float, *, requested_by: str | None = None) -> Self:
        with self._step(at):
            view = self.view
            if requested_by is not None:
                view.escalations.append(
                    Escalation(
                        level=level, level_name="分管市级领导", requested_by=requested_by, reason="需协调", at=self._now
                    )
                )
                self._record(requested_by, TimelineAction.ESCALATION_REQUESTED, "需协调")
            view.escalation_level = level
            self._record(SYSTEM, TimelineAction.ESCALATED, f"level {level}")
        return self

    # --- the caller and the coordination centre ------------------------------------------------------------

    def rate(self, outcome: RatingLevel, at: float) -> Self:
        """The caller's rating: closes the case, or (unsatisfied) sends it back while reworks are left."""
        with self._step(at):
            view = self.view
            view.ratings.append(Rating(speed=outcome, outcome=outcome, at=self._now, round=view.reworks))
            self._record(CALLER, TimelineAction.RATED, f"结果：{outcome.value}")
            if outcome is not RatingLevel.UNSATISFIED:
                self._close("rated")
            elif view.reworks < MAX_REWORKS:
                view.status, view.resolved_at = CaseStatus.REWORK, None
                view.reworks += 1
                self._record(SYSTEM, TimelineAction.REWORK, f"第 {view.reworks} 次重办")
            else:
                self._close("unsatisfied after the last allowed rework")
        return self

    def not_rated(self, at: float) -> Self:
        with self._step(at):
            self._close(NOT_RATED)
        return self

    def judge_unreasonable(self, at: float) -> Self:
        with self._step(at):
            view = self.view
            rating = view.ratings[-1]
            rating.judged_unreasonable = True
            view.unreasonable_demand = UnreasonableDemand(
                judged_by=COORDINATION_CENTRE, judged_at=self._now, reason="诉求不合理", rating_round=rating.round
            )
            self._record(COORDINATION_CENTRE, TimelineAction.DEMAND_JUDGED_UNREASONABLE, "诉求不合理")
            self._close(UNREASONABLE_DEMAND)
        return self

    # --- joint handling ------------------------------------------------------------------------------------

    def start_joint(self, at: float, *tasks: tuple[str, JointRole], due: float) -> Self:
        with self._step(at):
            view = self.view
            phase = JointPhase(
                number=len(view.joint_phases) + 1, requested_by=self.unit, reason="需联合", started_at=self._now
            )
            phase.tasks = [
                JointTaskView(
                    case_id=view.case_id,
                    workflow_id=f"joint-{view.case_id}-{phase.number}-{unit}",
                    unit=unit,
                    role=role,
                    task="配合处置",
                    due=hours(due),
                )
                for unit, role in tasks
            ]
            view.joint_phases.append(phase)
            self._record(self.unit, TimelineAction.JOINT_HANDLING_STARTED, f"需联合（{len(tasks)} 个单位）")
        return self

    def joint_task(self, unit: str, action: TimelineAction, at: float) -> Self:
        """A participant's task: accepted, reported, completed, or (the task's clock) breached."""
        with self._step(at):
            phase = self.view.joint_phases[-1]
            task = next(t for t in phase.tasks if t.unit == unit)
            actor = SYSTEM if action is TimelineAction.DEADLINE_BREACHED else unit
            task.reports.append(TimelineEntry(at=self._now, actor=actor, action=action.value, detail="配合"))
            if action is TimelineAction.ACCEPTED:
                task.status = JointTaskStatus.ACCEPTED
            elif action is TimelineAction.COMPLETED:
                task.status, task.completed_at = JointTaskStatus.COMPLETED, self._now
            elif action is TimelineAction.DEADLINE_BREACHED:
                task.overdue = True
            joint_action = {
                TimelineAction.ACCEPTED: TimelineAction.JOINT_TASK_ACCEPTED,
                TimelineAction.REPORTED: TimelineAction.JOINT_TASK_REPORTED,
                TimelineAction.COMPLETED: TimelineAction.JOINT_TASK_COMPLETED,
                TimelineAction.DEADLINE_BREACHED: TimelineAction.JOINT_TASK_DEADLINE_BREACHED,
            }[action]
            self._record(actor, joint_action, f"{unit}：配合")
            if all(t.finished for t in phase.tasks):
                self._close_joint(phase, SYSTEM)
        return self

    def close_joint(self, at: float) -> Self:
        """The lead (here: the handling unit) ends the phase; open tasks are closed by it."""
        with self._step(at):
            phase = self.view.joint_phases[-1]
            for task in phase.tasks:
                if not task.finished:
                    task.status = JointTaskStatus.CLOSED_BY_LEAD
            self._close_joint(phase, self.unit)
        return self

    # --- the log -------------------------------------------------------------------------------------------

    @contextmanager
    def _step(self, at: float) -> Iterator[None]:
        self._now = hours(at)
        first = len(self.events)
        yield
        view = self.view.model_copy(deep=True)
        self.events[first:] = [event.model_copy(update={"view": view}) for event in self.events[first:]]

    def _record(self, actor: str, action: TimelineAction, detail: str = "", fields: EventFields | None = None) -> None:
        sequence = len(self.events) + 1
        self.events.append(
            CaseEvent(
                event_id=case_event_id(self.view.case_id, sequence),
                case_id=self.view.case_id,
                sequence=sequence,
                source=EventSource.CASE,
                kind=action.value,
                at=self._now,
                actor=actor,
                detail=detail,
                fields=fields or EventFields(),
            )
        )

    def _close(self, reason: str) -> None:
        view = self.view
        view.status, view.closed_at, view.closed_reason = CaseStatus.CLOSED, self._now, reason
        self._record(SYSTEM, TimelineAction.CLOSED, reason)

    def _close_joint(self, phase: JointPhase, by: str) -> None:
        phase.closed_at, phase.closed_by = self._now, by
        self._record(by, TimelineAction.JOINT_HANDLING_CLOSED, "联合处置结束")
