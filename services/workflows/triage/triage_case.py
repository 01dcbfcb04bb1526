"""`TriageCase`: a case the router could not place waits for the coordination centre's decision (`triage-<case_id>`).

Pure orchestration. The deadline comes from the policy (`triage` window) and the working calendar, through the
same activities as every case's; the coordination centre is told at the start, reminded at 75% of the window and
told again when the deadline passes. The decision is an Update; then the decision is recorded for curating the
router's data (`record_triage_decision`) and the case is published as routed (`publish_routed_case`), from
which the case starter starts its `FirstContactCase` as for any routed case.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from services.contracts import search_attributes as sa
    from services.contracts.case_actions import COORDINATION_CENTRE
    from services.contracts.case_event_log import EventFields, EventSource, PersonalData
    from services.contracts.case_policy import EscalationLevel
    from services.contracts.case_timeline import ROUTER, SYSTEM, TimelineAction
    from services.contracts.case_view import Breach, CaseView, DeadlineKind, Deadlines
    from services.contracts.case_workflow import (
        INTERNAL_STATE_QUERY,
        STATE_QUERY,
        TRIAGE_CASE_TYPE,
        TRIAGE_DECIDE_UPDATE,
    )
    from services.contracts.cases import CaseStatus, RoutedCase, RoutingMethod
    from services.contracts.events import Audience, EventKind, event_id_for
    from services.contracts.problem_codes import ProblemCode
    from services.contracts.triage import TriageAssignment, TriageDecisionRecord
    from services.workflows.calendar.deadline_activities import DeadlineActivities, DeadlineRequest, PolicyRequest
    from services.workflows.calendar.deadline_clock import AlarmKind, DeadlineClock
    from services.workflows.case.case_alarms import due_alarms, next_alarm
    from services.workflows.case.case_attachment_fetches import fetch_while_in_triage, fetches_of
    from services.workflows.case.case_engine import ACTIVITY_RETRY, ACTIVITY_TIMEOUT
    from services.workflows.case.case_errors import CaseActionRefused
    from services.workflows.case.case_events import case_event
    from services.workflows.case.case_log import CaseLog
    from services.workflows.case.case_opening import initial_state
    from services.workflows.case.case_state import CaseState, public_view
    from services.workflows.publishing.workflow_notices import Notice
    from services.workflows.triage.triage_activities import TriageActivities
    from services.workflows.web_ui_summaries import case_details

EVENT_STREAM = "triage"


@workflow.defn(name=TRIAGE_CASE_TYPE)
class TriageCase:
    @workflow.init
    def __init__(self, case: RoutedCase) -> None:
        self._case = case
        # As received, waiting for the coordination centre: no unit yet.
        self._view = initial_state(case, status=CaseStatus.TRIAGE)
        self._log = CaseLog(self._view, source=EventSource.TRIAGE, personal=PersonalData.of(case.ticket))
        self._assignment: TriageAssignment | None = None
        self._sequence = 0
        self._started = False
        self._fetching: asyncio.Future[list[None]] | None = None  # held: a task nobody holds may be collected
        workflow.set_current_details(case_details(self._view))

    @workflow.run
    async def run(self, case: RoutedCase) -> CaseView:
        self._log.record(case.ticket.channel.value, TimelineAction.RECEIVED, case.ticket.title, at=case.received_at)
        self._log.record(ROUTER, TimelineAction.SENT_TO_TRIAGE, case.routing.reason)
        initial: list[SearchAttributeUpdate[Any]] = [
            sa.CASE_ID.value_set(case.case_id),
            sa.CASE_STATUS.value_set(CaseStatus.TRIAGE.value),
            sa.CHANNEL.value_set(case.ticket.channel.value),
            sa.OVERDUE.value_set(False),
        ]
        workflow.upsert_search_attributes(initial)
        await self._start_deadline(case.received_at)
        self._started = True
        self._notify(EventKind.TRIAGE_NEEDED, COORDINATION_CENTRE, Audience.COORDINATION, case.routing.reason)
        await self._log.flush()
        if fetches := fetches_of(case):
            self._fetching = asyncio.gather(*(fetch_while_in_triage(fetch, self._view) for fetch in fetches))
        while self._assignment is None:
            await self._wait_for_alarm_or_decision()
            if self._assignment is None:
                await self._handle_due_alarms()
                await self._log.flush()
        await self._hand_over(self._assignment)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return public_view(self._view)

    @workflow.query(name=STATE_QUERY)
    def state(self) -> CaseView:
        return public_view(self._view)

    @workflow.query(name=INTERNAL_STATE_QUERY)
    def internal_state(self) -> CaseState:
        """The state with the workflow's bookkeeping, for operators and tests; never served by the API."""
        return self._view

    @workflow.update(name=TRIAGE_DECIDE_UPDATE)
    async def decide(self, assignment: TriageAssignment) -> CaseView:
        await workflow.wait_condition(lambda: self._started)
        self._check(assignment)  # again: another decision may have landed since the validator ran
        decision, now = assignment.decision, workflow.now()
        routing = assignment.routing.model_copy(
            update={
                "method": RoutingMethod.TRIAGE,
                "decided_by": decision.unit,
                "decided_at": now,
                "note": decision.note,
                "original": self._case.routing,
            }
        )
        self._assignment = assignment.model_copy(update={"routing": routing})
        view = self._view
        view.status = CaseStatus.RECEIVED
        view.catalog_item = routing.item
        view.catalog_version = routing.catalog_version
        view.first_contact_unit = view.handling_unit = routing.unit
        view.township = routing.township or view.township
        view.supporting_units = list(routing.supporting_units)
        view.routing = routing
        tracked = view.tracked(DeadlineKind.TRIAGE)
        if tracked is not None:
            tracked.met_at = now
        view.overdue = False
        self._log.record(decision.unit, TimelineAction.TRIAGED, f"{routing.item} → {routing.unit}: {decision.note}")
        workflow.set_current_details(case_details(view))
        return public_view(view)

    @decide.validator
    def _validate_decide(self, assignment: TriageAssignment) -> None:
        self._check(assignment)

    def _check(self, assignment: TriageAssignment) -> None:
        actor = assignment.decision.unit
        if self._view.status is not CaseStatus.TRIAGE:
            decided = self._view.routing.decided_by if self._view.routing else None
            raise CaseActionRefused(
                f"case is {self._view.status.value}, not awaiting triage (decided by {decided or 'the router'})",
                ProblemCode.WRONG_CASE_STATUS,
            )
        if actor != COORDINATION_CENTRE:
            raise CaseActionRefused(
                f"only the coordination centre ({COORDINATION_CENTRE}) triages, not {actor!r}",
                ProblemCode.COORDINATION_CENTRE_ONLY,
            )
        if assignment.routing.unit is None:
            raise CaseActionRefused("the decision names no handling unit", ProblemCode.NO_HANDLING_UNIT_NAMED)

    # --- the deadline -----------------------------------------------------------------------------------

    async def _start_deadline(self, start: datetime) -> None:
        policy = await workflow.execute_activity_method(
            DeadlineActivities.resolve_case_policy,
            PolicyRequest(item=None, urgent=False),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        computed = await workflow.execute_activity_method(
            DeadlineActivities.compute_deadline,
            DeadlineRequest(
                start=start,
                window=policy.triage,
                reminder_fraction=policy.reminder_fraction,
                remind_on_last_working_day=False,
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        view = self._view
        view.policy_version = policy.version
        view.tracked_deadlines = [
            DeadlineClock(
                kind=DeadlineKind.TRIAGE,
                started_at=start,
                due=computed.due,
                window=policy.triage,
                provisional=computed.provisional,
                provisional_years=computed.provisional_years,
                reminders=[r for r in computed.reminders if r > workflow.now()],
            )
        ]
        view.deadlines = Deadlines(triage=computed.due, provisional=computed.provisional)

    async def _wait_for_alarm_or_decision(self) -> None:
        alarm = next_alarm(self._view)
        if alarm is None:
            await workflow.wait_condition(lambda: self._assignment is not None)
            return
        remaining = alarm.at - workflow.now()
        if remaining > timedelta(0):
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._assignment is not None, timeout=remaining)

    async def _handle_due_alarms(self) -> None:
        tracked = self._view.tracked(DeadlineKind.TRIAGE)
        assert tracked is not None
        for alarm in due_alarms(self._view, workflow.now()):
            if alarm.kind is AlarmKind.REMINDER:
                tracked.reminders_sent += 1
                self._notify(EventKind.REMINDER, COORDINATION_CENTRE, Audience.COORDINATION)
            elif alarm.kind is AlarmKind.BREACH:
                self._breach(tracked)

    def _breach(self, tracked: DeadlineClock) -> None:
        view, now = self._view, workflow.now()
        tracked.breached_at = now
        view.overdue = True
        view.breaches.append(
            Breach(
                kind=DeadlineKind.TRIAGE,
                unit=COORDINATION_CENTRE,
                due=tracked.due,
                at=now,
                escalation_level=EscalationLevel.UNIT,
            )
        )
        self._log.record(SYSTEM, TimelineAction.DEADLINE_BREACHED, f"triage: due {tracked.due.isoformat()}")
        workflow.upsert_search_attributes([sa.OVERDUE.value_set(True)])
        workflow.set_current_details(case_details(view))
        for audience in (Audience.COORDINATION, Audience.UNIT_LEADER):
            self._notify(EventKind.DEADLINE_BREACHED, COORDINATION_CENTRE, audience, due=tracked.due)

    # --- after the decision -----------------------------------------------------------------------------

    async def _hand_over(self, assignment: TriageAssignment) -> None:
        """Record the decision, then publish the case as routed: its `FirstContactCase` starts from there."""
        case, routing = self._case, assignment.routing
        updates: list[SearchAttributeUpdate[Any]] = [sa.CASE_STATUS.value_unset(), sa.OVERDUE.value_unset()]
        workflow.upsert_search_attributes(updates)
        record = TriageDecisionRecord(
            case_id=case.case_id,
            channel=case.ticket.channel.value,
            title=case.ticket.title,
            category_code=case.ticket.category_code,
            chosen_item=routing.item or "",
            handling_unit=routing.unit or "",
            decided_by=routing.decided_by or COORDINATION_CENTRE,
            decided_at=routing.decided_at or workflow.now(),
            note=routing.note,
            catalog_version=routing.catalog_version,
            original_method=case.routing.method.value,
            original_item=case.routing.item,
            original_confidence=case.routing.confidence,
            original_runner_up=case.routing.runner_up,
            original_reason=case.routing.reason,
        )
        await workflow.execute_activity_method(
            TriageActivities.record_triage_decision,
            record,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        # The triage's part of the case's log is on the stream before the case workflow can add to it.
        self._log.record(
            SYSTEM,
            TimelineAction.ROUTED,
            f"handed to {routing.unit} as a routed case",
            fields=EventFields(item=routing.item, unit=routing.unit, reason=routing.note),
        )
        await self._log.flush()
        routed = case.model_copy(update={"routing": routing, "events_published": self._view.event_sequence})
        await workflow.execute_activity_method(
            TriageActivities.publish_routed_case,
            routed,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    # --- helpers ----------------------------------------------------------------------------------------

    def _notify(
        self, kind: EventKind, recipient: str, audience: Audience, detail: str = "", *, due: datetime | None = None
    ) -> None:
        """Send one notification with the step's events; its own id stream (`<case>:triage:<n>`) keeps it apart
        from the case's notifications."""
        self._sequence += 1
        notice = Notice(detail=detail, deadline_kind=DeadlineKind.TRIAGE.value, due=due or self._view.deadlines.triage)
        event = case_event(
            self._view,
            self._case.ticket,
            kind=kind,
            sequence=self._sequence,
            at=workflow.now(),
            recipient=recipient,
            audience=audience,
            notice=notice,
        )
        own_id = event_id_for(self._view.case_id, self._sequence, stream=EVENT_STREAM)
        self._log.notify(event.model_copy(update={"event_id": own_id}))
