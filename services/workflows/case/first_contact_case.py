"""The `FirstContactCase` workflow: the first unit owns the case to the end (首接负责).

Pure orchestration. Every action is an Update whose validator refuses what the case's state does not allow
(`case_rules`); the handler checks again under the lock (another action may have landed since) and applies the
change (`case_replies`, `case_handover`, `joint_handling`, `case_escalation`, `case_closure`). Between actions the
case waits for its next alarm (`case_alarms`); a long case continues as new (`case_continuation`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import (
        CITY_LEADER,
        ActionDone,
        ArbitrationDecision,
        EscalationRequest,
        ExtensionDecision,
        ExtensionRequest,
        FeedbackReport,
        JointHandlingRequest,
        ProgressReport,
        RatingSubmission,
        TransferRequest,
        UnitAction,
        UnreasonableDemandJudgement,
    )
    from services.contracts.case_event_log import EventSource, PersonalData
    from services.contracts.case_view import NOT_RATED, CaseAttachment, CaseView, JointTaskView
    from services.contracts.case_workflow import (
        INTERNAL_STATE_QUERY,
        STATE_QUERY,
        WORKFLOW_TYPE,
        CaseSignal,
        CaseUpdate,
    )
    from services.contracts.cases import CaseStatus
    from services.workflows.calendar.deadline_clock import AlarmKind
    from services.workflows.case import case_closure as closure
    from services.workflows.case import case_handover as handover
    from services.workflows.case import case_replies as replies
    from services.workflows.case import case_rules as rules
    from services.workflows.case.case_alarms import due_alarms
    from services.workflows.case.case_attachment_fetches import fetch_all, fetches_of
    from services.workflows.case.case_continuation import CaseContinuation, CaseInput, continue_as_new_due
    from services.workflows.case.case_engine import CaseEngine
    from services.workflows.case.case_escalation import CaseEscalation
    from services.workflows.case.case_log import CaseLog
    from services.workflows.case.case_opening import initial_state, open_case
    from services.workflows.case.case_state import CaseState, public_view
    from services.workflows.case.case_wakeup import CaseWakeup
    from services.workflows.joint.joint_handling import JointHandling

LEADERS = {CITY_LEADER}


@workflow.defn(name=WORKFLOW_TYPE)
class FirstContactCase:
    @workflow.init
    def __init__(self, case: CaseInput) -> None:
        self._input = case
        continued = case.continued
        self._view = continued.state if continued else initial_state(case)
        log = CaseLog(self._view, source=EventSource.CASE, personal=PersonalData.of(case.ticket))
        self._engine = CaseEngine(self._view, case.ticket, log)
        self._escalation = CaseEscalation(self._engine)
        self._joint = JointHandling(self._engine)
        self._lock = asyncio.Lock()
        # A continued case is set up already: its policy and deadlines came with it.
        self._started = continued is not None
        if continued is not None:
            self._engine.resume(continued.policy)
        self._wakeup = CaseWakeup()
        self._fetching: asyncio.Task[None] | None = None

    @workflow.run
    async def run(self, case: CaseInput) -> CaseView:
        if case.continued is None:
            async with self._lock:
                # The opening's time is the workflow's start (from its history): its first task's own time is not
                # replayed the same when the task was kept alive past a slow local activity (see `StepClock.now`).
                self._engine.clock.begin(workflow.info().workflow_start_time)
                await open_case(self._engine, case)
            self._started = True
            fetches = fetches_of(case)
            if fetches:
                self._fetching = asyncio.create_task(fetch_all(fetches, self._change))
        while self._view.status is not CaseStatus.CLOSED:
            at = await self._wakeup.wait(self._view, self._engine.now())
            async with self._lock:
                self._engine.clock.begin(at)
                await self._handle_due_alarms()
            # Not while attachments are being fetched (they finish on this run; the next wakeup asks again).
            if self._continue_as_new_due() and (self._fetching is None or self._fetching.done()):
                # Every update in flight finishes on this run; none is lost across the continuation.
                await workflow.wait_condition(workflow.all_handlers_finished)
                if self._continue_as_new_due():
                    runs = case.continued.runs + 1 if case.continued else 2
                    continuation = CaseContinuation(state=self._view, policy=self._engine.policy, runs=runs)
                    workflow.continue_as_new(case.model_copy(update={"continued": continuation}))
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._escalation.top_level_finished()
        return public_view(self._view)

    def _continue_as_new_due(self) -> bool:
        info = workflow.info()
        return continue_as_new_due(
            self._view,
            self._engine.policy,
            history_length=info.get_current_history_length(),
            suggested=info.is_continue_as_new_suggested(),
            children_open=self._escalation.top_level_open,
        )

    async def _handle_due_alarms(self) -> None:
        alarms = due_alarms(self._view, self._engine.now())
        if not alarms:
            return
        if any(alarm.kind is AlarmKind.RATING_TIMEOUT for alarm in alarms):
            await closure.close(self._engine, NOT_RATED)
        await self._escalation.handle_alarms([a for a in alarms if a.kind is not AlarmKind.RATING_TIMEOUT])
        await self._engine.flush()
        await self._escalation.case_changed(self._view.timeline[-1].detail)

    async def _apply(self, check: Callable[[], None], change: Callable[[], Awaitable[None]]) -> ActionDone:
        """Run one action: wait until the case is set up, take the lock, check again, change, show the change."""
        at = workflow.now()  # the action's time, before it waits for the case (see `StepClock.now`)
        await workflow.wait_condition(lambda: self._started)
        async with self._lock:
            self._engine.clock.begin(at)
            try:
                check()
                await change()
            finally:
                self._wakeup.changed(at)
                await self._engine.flush()
            await self._escalation.case_changed(self._view.timeline[-1].detail)
        view = self._view
        return ActionDone(case_id=view.case_id, status=view.status.value, event_sequence=view.event_sequence)

    async def _change(self, change: Callable[[CaseEngine], Awaitable[None]]) -> None:
        """A change of the workflow's own (an attachment fetched), made as an action is."""
        await self._apply(lambda: None, lambda: change(self._engine))

    @workflow.query(name=STATE_QUERY)
    def state(self) -> CaseView:
        return public_view(self._view)

    @workflow.query(name=INTERNAL_STATE_QUERY)
    def internal_state(self) -> CaseState:
        """The state with the workflow's bookkeeping, for operators and tests; never served by the API."""
        return self._view

    # --- signing for, transferring, arbitration ---------------------------------------------------------

    @workflow.update(name=CaseUpdate.ACCEPT.value)
    async def accept(self, action: UnitAction) -> ActionDone:
        return await self._apply(lambda: self._validate_accept(action), lambda: replies.accept(self._engine, action))

    @accept.validator
    def _validate_accept(self, action: UnitAction) -> None:
        rules.check_accept(self._view, action.unit)

    @workflow.update(name=CaseUpdate.TRANSFER.value)
    async def transfer(self, request: TransferRequest) -> ActionDone:
        return await self._apply(
            lambda: self._validate_transfer(request), lambda: handover.transfer_or_arbitrate(self._engine, request)
        )

    @transfer.validator
    def _validate_transfer(self, request: TransferRequest) -> None:
        rules.require_started(self._view, self._started, "transferred")
        rules.check_transfer(self._view, self._engine.policy, request, workflow.now())

    @workflow.update(name=CaseUpdate.ARBITRATE.value)
    async def arbitrate(self, decision: ArbitrationDecision) -> ActionDone:
        return await self._apply(
            lambda: self._validate_arbitrate(decision), lambda: handover.arbitrate(self._engine, decision)
        )

    @arbitrate.validator
    def _validate_arbitrate(self, decision: ArbitrationDecision) -> None:
        rules.check_arbitration(self._view, decision)

    # --- replies to the caller --------------------------------------------------------------------------

    @workflow.update(name=CaseUpdate.ADD_ATTACHMENT.value)
    async def add_attachment(self, attachment: CaseAttachment) -> ActionDone:
        return await self._apply(lambda: None, lambda: replies.attach(self._engine, attachment))

    @workflow.update(name=CaseUpdate.FEEDBACK.value)
    async def feedback(self, report: FeedbackReport) -> ActionDone:
        return await self._apply(
            lambda: self._validate_feedback(report), lambda: replies.feedback(self._engine, report)
        )

    @feedback.validator
    def _validate_feedback(self, report: FeedbackReport) -> None:
        rules.check_feedback(self._view, report.unit)

    @workflow.update(name=CaseUpdate.PROGRESS.value)
    async def progress(self, report: ProgressReport) -> ActionDone:
        return await self._apply(
            lambda: self._validate_progress(report), lambda: replies.progress(self._engine, report)
        )

    @progress.validator
    def _validate_progress(self, report: ProgressReport) -> None:
        rules.require_started(self._view, self._started, "reported on")
        rules.check_progress(self._view, self._engine.policy, report.unit)

    # --- joint handling ---------------------------------------------------------------------------------

    @workflow.update(name=CaseUpdate.REQUEST_JOINT_HANDLING.value)
    async def request_joint_handling(self, request: JointHandlingRequest) -> ActionDone:
        return await self._apply(lambda: self._validate_joint_handling(request), lambda: self._joint.start(request))

    @request_joint_handling.validator
    def _validate_joint_handling(self, request: JointHandlingRequest) -> None:
        rules.require_started(self._view, self._started, "handled jointly")
        rules.check_joint_handling(self._view, self._engine.policy, request)

    @workflow.update(name=CaseUpdate.CLOSE_JOINT_PHASE.value)
    async def close_joint_phase(self, action: UnitAction) -> ActionDone:
        return await self._apply(
            lambda: self._validate_close_joint_phase(action), lambda: self._joint.close_by_lead(action)
        )

    @close_joint_phase.validator
    def _validate_close_joint_phase(self, action: UnitAction) -> None:
        rules.check_close_joint_phase(self._view, action.unit)

    @workflow.signal(name=CaseSignal.JOINT_TASK_CHANGED.value)
    async def joint_task_changed(self, task: JointTaskView) -> None:
        await self._apply(lambda: None, lambda: self._joint.task_changed(task))

    # --- escalation and extensions ----------------------------------------------------------------------

    @workflow.update(name=CaseUpdate.ESCALATE.value)
    async def escalate(self, request: EscalationRequest) -> ActionDone:
        return await self._apply(lambda: self._validate_escalate(request), lambda: self._escalation.request(request))

    @escalate.validator
    def _validate_escalate(self, request: EscalationRequest) -> None:
        rules.require_started(self._view, self._started, "escalated")
        rules.check_escalation(self._view, self._engine.policy, request, leaders=LEADERS)

    @workflow.update(name=CaseUpdate.REQUEST_EXTENSION.value)
    async def request_extension(self, request: ExtensionRequest) -> ActionDone:
        return await self._apply(
            lambda: self._validate_request_extension(request),
            lambda: closure.request_extension(self._engine, request),
        )

    @request_extension.validator
    def _validate_request_extension(self, request: ExtensionRequest) -> None:
        rules.require_started(self._view, self._started, "extended")
        rules.check_extension_request(self._view, self._engine.policy, request, workflow.now())

    @workflow.update(name=CaseUpdate.DECIDE_EXTENSION.value)
    async def decide_extension(self, decision: ExtensionDecision) -> ActionDone:
        return await self._apply(
            lambda: self._validate_decide_extension(decision),
            lambda: closure.decide_extension(self._engine, decision),
        )

    @decide_extension.validator
    def _validate_decide_extension(self, decision: ExtensionDecision) -> None:
        rules.check_extension_decision(self._view, decision.unit)

    # --- resolution, rating, rework ---------------------------------------------------------------------

    @workflow.update(name=CaseUpdate.RESOLVE.value)
    async def resolve(self, action: UnitAction) -> ActionDone:
        return await self._apply(lambda: self._validate_resolve(action), lambda: closure.resolve(self._engine, action))

    @resolve.validator
    def _validate_resolve(self, action: UnitAction) -> None:
        rules.check_resolve(self._view, action.unit)

    @workflow.update(name=CaseUpdate.RATE.value)
    async def rate(self, submission: RatingSubmission) -> ActionDone:
        return await self._apply(
            lambda: self._validate_rate(submission), lambda: closure.rate(self._engine, submission)
        )

    @rate.validator
    def _validate_rate(self, submission: RatingSubmission) -> None:
        rules.check_rating(self._view)

    @workflow.update(name=CaseUpdate.JUDGE_UNREASONABLE_DEMAND.value)
    async def judge_unreasonable_demand(self, judgement: UnreasonableDemandJudgement) -> ActionDone:
        return await self._apply(
            lambda: self._validate_judge(judgement), lambda: closure.judge_unreasonable_demand(self._engine, judgement)
        )

    @judge_unreasonable_demand.validator
    def _validate_judge(self, judgement: UnreasonableDemandJudgement) -> None:
        rules.check_unreasonable_demand(self._view, judgement.unit)

    @workflow.signal(name=CaseSignal.RECOMPUTE_DEADLINES.value)
    async def recompute_deadlines(self) -> None:
        """A holiday schedule was loaded: count provisional deadlines again on the official calendar."""
        await self._apply(lambda: None, self._engine.recompute_provisional)
