"""The `FirstContactCase` workflow: the first unit owns the case to the end (首接负责).

Pure orchestration: the rules are in `case_rules`, what to wait for next in `case_alarms`, the events in
`case_events`; the calendar, the policy and publishing are activities. Every action is an Update whose validator
refuses what the case's state does not allow; the state is the `state` query.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import (
        CITY_LEADER,
        ArbitrationDecision,
        EscalationRequest,
        EscalationTarget,
        ExtensionDecision,
        ExtensionRequest,
        FeedbackReport,
        JointHandlingRequest,
        ProgressReport,
        RatingSubmission,
        TransferRequest,
        UnitAction,
    )
    from services.contracts.case_policy import CasePolicy
    from services.contracts.case_view import (
        CaseView,
        DeadlineKind,
        Escalation,
        Extension,
        ExtensionStatus,
        JointTaskView,
        Rating,
        RatingLevel,
    )
    from services.contracts.case_workflow import STATE_QUERY, WORKFLOW_TYPE, CaseSignal, CaseUpdate
    from services.contracts.cases import CaseStatus, RoutedCase
    from services.contracts.events import EventKind
    from services.workflows import case_closure as closure
    from services.workflows import case_handover as handover
    from services.workflows import case_rules as rules
    from services.workflows.case_alarms import AlarmKind, due_alarms, next_alarm
    from services.workflows.case_engine import CaseEngine
    from services.workflows.case_errors import CaseActionRefused
    from services.workflows.case_escalation import CaseEscalation
    from services.workflows.joint_handling import JointHandling

SYSTEM = "system"
LEADERS = {CITY_LEADER}


@workflow.defn(name=WORKFLOW_TYPE)
class FirstContactCase:
    @workflow.init
    def __init__(self, case: RoutedCase) -> None:
        unit = case.routing.unit
        self._view = CaseView(
            case_id=case.case_id,
            status=CaseStatus.ASSIGNED,
            channel=case.ticket.channel.value,
            external_id=case.ticket.external_id,
            title=case.ticket.title,
            urgency=case.ticket.urgency.value,
            catalog_item=case.routing.item,
            catalog_version=case.routing.catalog_version,
            first_contact_unit=unit,
            handling_unit=unit,
            township=case.ticket.township,
            supporting_units=case.routing.supporting_units,
            received_at=case.received_at,
            routing=case.routing,
        )
        self._engine = CaseEngine(self._view, case.ticket)
        self._escalation = CaseEscalation(self._engine)
        self._joint = JointHandling(self._engine)
        self._lock = asyncio.Lock()
        self._started = False
        self._changed = False

    @property
    def _policy(self) -> CasePolicy:
        return self._engine.policy

    @workflow.run
    async def run(self, case: RoutedCase) -> CaseView:
        engine = self._engine
        async with self._lock:
            await engine.load_policy(case)
            engine.record(case.ticket.channel.value, "received", case.ticket.title, at=case.received_at)
            engine.record("router", "routed", f"{case.routing.item} → {case.routing.unit} ({case.routing.reason})")
            engine.record(SYSTEM, "assigned", f"first-contact unit {self._view.first_contact_unit}")
            kinds = [DeadlineKind.SIGN_FOR, DeadlineKind.TRANSFER, DeadlineKind.FEEDBACK, DeadlineKind.RESOLUTION]
            await engine.start_deadlines(kinds, start=case.received_at)
            engine.refresh()
            await engine.notify(EventKind.CASE_ASSIGNED, recipient=engine.handling_unit)
        self._started = True
        while self._view.status is not CaseStatus.CLOSED:
            await self._wait_for_alarm_or_change()
            async with self._lock:
                await self._handle_due_alarms()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view

    async def _wait_for_alarm_or_change(self) -> None:
        alarm = next_alarm(self._view)
        self._changed = False
        if alarm is None:
            await workflow.wait_condition(lambda: self._changed)
            return
        remaining = alarm.at - workflow.now()
        if remaining > timedelta(0):
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._changed, timeout=remaining)

    async def _handle_due_alarms(self) -> None:
        alarms = due_alarms(self._view, workflow.now())
        if not alarms:
            return
        if any(alarm.kind is AlarmKind.RATING_TIMEOUT for alarm in alarms):
            await closure.close(self._engine, self._escalation, "not rated")
        await self._escalation.handle_alarms([a for a in alarms if a.kind is not AlarmKind.RATING_TIMEOUT])
        self._engine.refresh()

    async def _begin(self) -> None:
        """Handlers wait until the case is set up, then take the lock so actions apply one at a time."""
        await workflow.wait_condition(lambda: self._started)
        await self._lock.acquire()

    def _end(self) -> None:
        self._engine.refresh()
        self._changed = True
        self._lock.release()

    @workflow.query(name=STATE_QUERY)
    def state(self) -> CaseView:
        return self._view

    # --- signing for and transferring -------------------------------------------------------------------

    @workflow.update(name=CaseUpdate.ACCEPT.value)
    async def accept(self, action: UnitAction) -> CaseView:
        await self._begin()
        try:
            rules.check_accept(self._view, action.unit)
            self._view.status = CaseStatus.ACCEPTED
            self._engine.meet(DeadlineKind.SIGN_FOR, DeadlineKind.TRANSFER)
            self._engine.record(action.unit, "accepted", action.note)
        finally:
            self._end()
        return self._view

    @accept.validator
    def _validate_accept(self, action: UnitAction) -> None:
        rules.check_accept(self._view, action.unit)

    @workflow.update(name=CaseUpdate.TRANSFER.value)
    async def transfer(self, request: TransferRequest) -> CaseView:
        await self._begin()
        try:
            rules.check_transfer(self._view, self._policy, request, workflow.now())
            if len(self._view.transfers) >= self._policy.max_transfers:
                await handover.send_to_arbitration(self._engine, request)
                raise CaseActionRefused(
                    f"the case has been transferred {len(self._view.transfers)} times, the most allowed; "
                    "it now goes to the coordination centre for arbitration"
                )
            await handover.transfer(self._engine, request)
        finally:
            self._end()
        return self._view

    @transfer.validator
    def _validate_transfer(self, request: TransferRequest) -> None:
        rules.check_transfer(self._view, self._policy, request, workflow.now())

    @workflow.update(name=CaseUpdate.ARBITRATE.value)
    async def arbitrate(self, decision: ArbitrationDecision) -> CaseView:
        await self._begin()
        try:
            rules.check_arbitration(self._view, decision.unit)
            await handover.arbitrate(self._engine, decision)
        finally:
            self._end()
        return self._view

    @arbitrate.validator
    def _validate_arbitrate(self, decision: ArbitrationDecision) -> None:
        rules.check_arbitration(self._view, decision.unit)

    # --- replies to the caller --------------------------------------------------------------------------

    @workflow.update(name=CaseUpdate.FEEDBACK.value)
    async def feedback(self, report: FeedbackReport) -> CaseView:
        await self._begin()
        try:
            rules.check_feedback(self._view, report.unit)
            self._view.feedback_at = self._view.feedback_at or workflow.now()
            self._engine.meet(DeadlineKind.FEEDBACK)
            self._engine.record(report.unit, "feedback", report.message)
            await self._engine.notify_platform(EventKind.FEEDBACK_GIVEN, detail=report.message)
        finally:
            self._end()
        return self._view

    @feedback.validator
    def _validate_feedback(self, report: FeedbackReport) -> None:
        rules.check_feedback(self._view, report.unit)

    @workflow.update(name=CaseUpdate.PROGRESS.value)
    async def progress(self, report: ProgressReport) -> CaseView:
        await self._begin()
        try:
            rules.check_progress(self._view, report.unit)
            detail = f"已办：{report.done}；下一步：{report.next}" if report.next else f"已办：{report.done}"
            if report.explanation:
                detail += f"；说明：{report.explanation}"
                self._view.explanation_required = False
            self._engine.record(report.unit, "progress", detail)
            await self._engine.notify_platform(EventKind.PROGRESS_REPORTED, detail=detail)
        finally:
            self._end()
        return self._view

    @progress.validator
    def _validate_progress(self, report: ProgressReport) -> None:
        rules.check_progress(self._view, report.unit)

    # --- joint handling ---------------------------------------------------------------------------------

    @workflow.update(name=CaseUpdate.REQUEST_JOINT_HANDLING.value)
    async def request_joint_handling(self, request: JointHandlingRequest) -> CaseView:
        await self._begin()
        try:
            rules.check_joint_handling(self._view, request)
            await self._joint.start(request)
        finally:
            self._end()
        return self._view

    @request_joint_handling.validator
    def _validate_joint_handling(self, request: JointHandlingRequest) -> None:
        rules.check_joint_handling(self._view, request)

    @workflow.update(name=CaseUpdate.CLOSE_JOINT_PHASE.value)
    async def close_joint_phase(self, action: UnitAction) -> CaseView:
        await self._begin()
        try:
            rules.check_close_joint_phase(self._view, action.unit)
            await self._joint.close_by_lead(action)
        finally:
            self._end()
        return self._view

    @close_joint_phase.validator
    def _validate_close_joint_phase(self, action: UnitAction) -> None:
        rules.check_close_joint_phase(self._view, action.unit)

    @workflow.signal(name=CaseSignal.JOINT_TASK_CHANGED.value)
    async def joint_task_changed(self, task: JointTaskView) -> None:
        await self._begin()
        try:
            await self._joint.task_changed(task)
        finally:
            self._end()

    # --- escalation and extensions ----------------------------------------------------------------------

    @workflow.update(name=CaseUpdate.ESCALATE.value)
    async def escalate(self, request: EscalationRequest) -> CaseView:
        await self._begin()
        try:
            rules.check_escalation(self._view, self._policy, request, leaders=LEADERS)
            level = 2 if request.to is EscalationTarget.CITY_LEADER else self._policy.top_level
            self._view.escalations.append(
                Escalation(
                    level=level,
                    level_name=self._policy.step(level).name,
                    requested_by=request.unit,
                    reason=request.reason,
                    plan=request.plan,
                    at=workflow.now(),
                )
            )
            self._engine.record(request.unit, "escalation_requested", f"{request.reason}；方案：{request.plan}")
            await self._escalation.raise_level_to(level, reason=f"{request.reason}；方案：{request.plan}")
        finally:
            self._end()
        return self._view

    @escalate.validator
    def _validate_escalate(self, request: EscalationRequest) -> None:
        rules.check_escalation(self._view, self._policy, request, leaders=LEADERS)

    @workflow.update(name=CaseUpdate.REQUEST_EXTENSION.value)
    async def request_extension(self, request: ExtensionRequest) -> CaseView:
        await self._begin()
        try:
            rules.check_extension_request(self._view, self._policy, request, workflow.now())
            self._view.extensions.append(
                Extension(
                    requested_by=request.unit,
                    reason=request.reason,
                    working_days=request.working_days,
                    requested_at=workflow.now(),
                )
            )
            self._engine.record(
                request.unit, "extension_requested", f"{request.working_days} 个工作日：{request.reason}"
            )
            await self._engine.notify_coordination(EventKind.EXTENSION_REQUESTED, detail=request.reason)
        finally:
            self._end()
        return self._view

    @request_extension.validator
    def _validate_request_extension(self, request: ExtensionRequest) -> None:
        rules.check_extension_request(self._view, self._policy, request, workflow.now())

    @workflow.update(name=CaseUpdate.DECIDE_EXTENSION.value)
    async def decide_extension(self, decision: ExtensionDecision) -> CaseView:
        await self._begin()
        try:
            rules.check_extension_decision(self._view, decision.unit)
            pending = next(e for e in self._view.extensions if e.status is ExtensionStatus.PENDING)
            pending.decided_by = decision.unit
            pending.decided_at = workflow.now()
            pending.note = decision.note
            if decision.approved:
                pending.status = ExtensionStatus.APPROVED
                await closure.extend_resolution(self._engine, pending)
            else:
                pending.status = ExtensionStatus.REFUSED
                self._engine.record(decision.unit, "extension_refused", decision.note)
            await self._engine.notify(
                EventKind.EXTENSION_DECIDED,
                recipient=self._engine.handling_unit,
                detail=f"{pending.status.value}：{decision.note}",
            )
        finally:
            self._end()
        return self._view

    @decide_extension.validator
    def _validate_decide_extension(self, decision: ExtensionDecision) -> None:
        rules.check_extension_decision(self._view, decision.unit)

    # --- resolution, rating, rework ---------------------------------------------------------------------

    @workflow.update(name=CaseUpdate.RESOLVE.value)
    async def resolve(self, action: UnitAction) -> CaseView:
        await self._begin()
        try:
            rules.check_resolve(self._view, action.unit)
            await closure.resolve(self._engine, self._escalation, action)
        finally:
            self._end()
        return self._view

    @resolve.validator
    def _validate_resolve(self, action: UnitAction) -> None:
        rules.check_resolve(self._view, action.unit)

    @workflow.update(name=CaseUpdate.RATE.value)
    async def rate(self, submission: RatingSubmission) -> CaseView:
        await self._begin()
        try:
            rules.check_rating(self._view)
            rating = Rating(
                speed=submission.speed,
                outcome=submission.outcome,
                comment=submission.comment,
                at=workflow.now(),
                round=self._view.reworks,
            )
            self._view.ratings.append(rating)
            self._engine.record("caller", "rated", f"速度：{rating.speed.value}；结果：{rating.outcome.value}")
            if rating.outcome is not RatingLevel.UNSATISFIED:
                await closure.close(self._engine, self._escalation, "rated")
            elif self._view.reworks < self._policy.max_reworks:
                await closure.rework(self._engine, self._escalation, rating)
            else:
                await closure.close(self._engine, self._escalation, "unsatisfied after the last allowed rework")
        finally:
            self._end()
        return self._view

    @rate.validator
    def _validate_rate(self, submission: RatingSubmission) -> None:
        rules.check_rating(self._view)

    @workflow.signal(name=CaseSignal.RECOMPUTE_DEADLINES.value)
    async def recompute_deadlines(self) -> None:
        """A holiday schedule was loaded: count provisional deadlines again on the official calendar."""
        await self._begin()
        try:
            await self._engine.recompute_provisional()
        finally:
            self._end()
