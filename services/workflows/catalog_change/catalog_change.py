"""`CatalogChange`: a unit's written application to change the catalog waits for the coordination centre (动态调整).

Pure orchestration. The centre decides with the `decide` Update (its validator refuses anyone else, and any
decision once the change is no longer pending); without a decision by the deadline (working days on the official
calendar) the change expires. An approved change is applied, by an activity, to the catalog version in force at
that moment and published as the next version; one that no longer fits is recorded as failed, with the reason.
Every state is written to the change's record in the `catalog_changes` bucket.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import COORDINATION_CENTRE
    from services.contracts.case_timeline import SYSTEM, TimelineAction
    from services.contracts.case_view import DeadlineKind
    from services.contracts.catalog_changes import (
        CATALOG_CHANGE_DECIDE_UPDATE,
        CATALOG_CHANGE_STATE_QUERY,
        CATALOG_CHANGE_TYPE,
        DECISION_DEADLINE_KIND,
        DECISION_REFUSED,
        AppliedCatalogChange,
        ApplyCatalogChange,
        CatalogChangeDecision,
        CatalogChangeInput,
        CatalogChangeView,
        ChangeStatus,
    )
    from services.contracts.events import Audience, EventKind
    from services.contracts.problem_codes import ProblemCode
    from services.workflows.calendar.deadline_activities import ComputedDeadline, DeadlineActivities, DeadlineRequest
    from services.workflows.calendar.deadline_clock import AlarmKind, DeadlineClock, due_now, pending
    from services.workflows.case.case_engine import ACTIVITY_RETRY, ACTIVITY_TIMEOUT
    from services.workflows.catalog_change.catalog_change_activities import CatalogChangeActivities
    from services.workflows.publishing.workflow_notices import About, Notice, notification, publish, timeline_entry

APPLY_TIMEOUT = timedelta(seconds=60)
KIND_ZH = {"add": "新增", "remove": "取消", "change": "调整"}


class DecisionRefused(ApplicationError):
    """A decision the change's state (or the decider) does not allow; the API answers 409 with the message."""

    def __init__(self, reason: str, code: ProblemCode) -> None:
        super().__init__(reason, code.value, type=DECISION_REFUSED, non_retryable=True)


@workflow.defn(name=CATALOG_CHANGE_TYPE)
class CatalogChange:
    @workflow.init
    def __init__(self, start: CatalogChangeInput) -> None:
        request = start.request
        self._view = CatalogChangeView(
            change_id=start.change_id,
            workflow_id=workflow.info().workflow_id,
            status=ChangeStatus.PENDING,
            unit=request.unit,
            kind=request.kind,
            item_code=request.item_code,
            item=request.item,
            item_before=start.item_before,
            reason=request.reason,
            submitted_at=workflow.now(),
            submitted_against=start.submitted_against,
        )
        self._request = request
        self._decision: CatalogChangeDecision | None = None
        self._settled = False
        self._sequence = 0

    @workflow.run
    async def run(self, start: CatalogChangeInput) -> CatalogChangeView:
        view = self._view
        self._note(view.unit, TimelineAction.SUBMITTED, view.reason)
        deadline = await self._decision_deadline(start)
        view.decision_due = deadline.due
        await self._record()
        await self._notify(EventKind.CATALOG_CHANGE_PENDING, COORDINATION_CENTRE, Audience.COORDINATION, view.reason)
        # The decision's deadline on the clock every workflow keeps: reminders, then the breach, which expires it.
        clock = DeadlineClock(
            kind=DeadlineKind.CATALOG_CHANGE_DECISION,
            started_at=view.submitted_at,
            due=deadline.due,
            window=start.decision_window,
            reminders=deadline.reminders,
        )
        while self._decision is None and clock.breached_at is None:
            remaining = pending([clock])[0].at - workflow.now()
            if remaining > timedelta(0):
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(lambda: self._decision is not None, timeout=remaining)
            if self._decision is not None:
                break
            for alarm in due_now(pending([clock]), workflow.now()):
                if alarm.kind is AlarmKind.REMINDER:
                    clock.reminders_sent += 1
                    # The deadline travels as data (`due`): the reminder's template says when.
                    await self._notify(EventKind.REMINDER, COORDINATION_CENTRE, Audience.COORDINATION, view.reason)
                elif alarm.kind is AlarmKind.BREACH:
                    clock.breached_at = workflow.now()
        if self._decision is None:
            await self._expire()
        else:
            await self._settle(self._decision)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return view

    @workflow.query(name=CATALOG_CHANGE_STATE_QUERY)
    def state(self) -> CatalogChangeView:
        return self._view

    @workflow.update(name=CATALOG_CHANGE_DECIDE_UPDATE)
    async def decide(self, decision: CatalogChangeDecision) -> CatalogChangeView:
        """Approve or refuse; answers once the outcome is recorded (for an approval: applied, or failed)."""
        # The deadline may have passed between the validator and this handler.
        self._validate_decide(decision)
        self._decision = decision
        await workflow.wait_condition(lambda: self._settled)
        return self._view

    @decide.validator
    def _validate_decide(self, decision: CatalogChangeDecision) -> None:
        if decision.unit != COORDINATION_CENTRE:
            raise DecisionRefused(
                f"only the coordination centre decides on catalog changes, not {decision.unit!r}",
                ProblemCode.COORDINATION_CENTRE_ONLY,
            )
        if self._decision is not None:
            raise DecisionRefused(
                f"this change has already been decided by {self._decision.unit!r}", ProblemCode.CHANGE_ALREADY_DECIDED
            )
        if self._view.status is not ChangeStatus.PENDING:
            raise DecisionRefused(
                f"this change is {self._view.status.value}; only a pending change can be decided",
                ProblemCode.CHANGE_NOT_PENDING,
            )

    async def _decision_deadline(self, start: CatalogChangeInput) -> ComputedDeadline:
        return await workflow.execute_activity_method(
            DeadlineActivities.compute_deadline,
            DeadlineRequest(
                start=self._view.submitted_at,
                window=start.decision_window,
                reminder_fraction=start.reminder_fraction,
                remind_on_last_working_day=False,
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    async def _settle(self, decision: CatalogChangeDecision) -> None:
        view = self._view
        view.decided_by = decision.unit
        view.decided_at = workflow.now()
        view.note = decision.note
        if not decision.approved:
            view.status = ChangeStatus.REFUSED
            self._note(decision.unit, TimelineAction.REFUSED, decision.note)
        else:
            self._note(decision.unit, TimelineAction.APPROVED, decision.note)
            applied = await self._apply()
            if applied.applied:
                view.status = ChangeStatus.APPROVED
                view.catalog_version = applied.version
                self._note(SYSTEM, TimelineAction.APPLIED, f"catalog version {applied.version}")
            else:
                view.status = ChangeStatus.FAILED
                view.failure_reason = applied.reason
                self._note(SYSTEM, TimelineAction.FAILED, applied.reason)
        await self._record()
        self._settled = True
        detail = view.failure_reason or view.note
        await self._notify(EventKind.CATALOG_CHANGE_DECIDED, view.unit, Audience.UNIT, detail)
        if view.status is ChangeStatus.FAILED:
            await self._notify(EventKind.CATALOG_CHANGE_DECIDED, COORDINATION_CENTRE, Audience.COORDINATION, detail)

    async def _apply(self) -> AppliedCatalogChange:
        view = self._view
        request = ApplyCatalogChange(
            change_id=view.change_id, request=self._request, submitted_against=view.submitted_against
        )
        return await workflow.execute_activity_method(
            CatalogChangeActivities.apply_catalog_change,
            request,
            start_to_close_timeout=APPLY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    async def _expire(self) -> None:
        view = self._view
        view.status = ChangeStatus.EXPIRED
        due = view.decision_due.isoformat() if view.decision_due else "the deadline"
        self._note(SYSTEM, TimelineAction.EXPIRED, f"no decision by {due}")
        await self._record()
        self._settled = True
        detail = view.reason
        await self._notify(EventKind.CATALOG_CHANGE_EXPIRED, view.unit, Audience.UNIT, detail)
        await self._notify(EventKind.CATALOG_CHANGE_EXPIRED, COORDINATION_CENTRE, Audience.COORDINATION, detail)

    def _note(self, actor: str, action: TimelineAction, detail: str) -> None:
        self._view.timeline.append(timeline_entry(actor, action, detail))

    async def _record(self) -> None:
        self._view.revision += 1
        await workflow.execute_activity_method(
            CatalogChangeActivities.record_catalog_change,
            self._view,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    async def _notify(self, kind: EventKind, recipient: str, audience: Audience, detail: str) -> None:
        """Publish one event; its id comes from the change's event sequence, so retries are harmless."""
        self._sequence += 1
        view = self._view
        change = About(
            case_id=view.workflow_id,
            title=f"清单动态调整申请：{KIND_ZH[view.kind.value]} {view.item_code}（{view.unit}）",
            status=view.status.value,
            catalog_item=view.item_code,
        )
        notice = Notice(detail=detail, due=view.decision_due, deadline_kind=DECISION_DEADLINE_KIND, from_unit=view.unit)
        await publish(
            notification(
                change,
                kind=kind,
                sequence=self._sequence,
                at=workflow.now(),
                recipient=recipient,
                audience=audience,
                notice=notice,
            )
        )
