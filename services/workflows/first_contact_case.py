"""The `FirstContactCase` workflow: the first unit owns the case until it is resolved."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from services.contracts import search_attributes as sa
    from services.contracts.case_workflow import ACTION_REFUSED, STATE_QUERY, WORKFLOW_TYPE, CaseUpdate
    from services.contracts.cases import CaseStatus, CaseView, RoutedCase, TimelineEntry, UnitAction
    from services.contracts.events import EventKind, NotificationEvent, event_id_for
    from services.workflows.case_deadlines import deadlines_for

SYSTEM = "system"
# Publishing to NATS is retried for as long as it takes: an event is never given up.
NOTIFY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))


class CaseActionRefused(ApplicationError):
    """A department action the case's state does not allow (the API answers 409 with this reason)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, type=ACTION_REFUSED, non_retryable=True)


@workflow.defn(name=WORKFLOW_TYPE)
class FirstContactCase:
    @workflow.init
    def __init__(self, case: RoutedCase) -> None:
        self._case = case
        self._sequence = 0
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
            received_at=case.received_at,
            deadlines=deadlines_for(case.received_at, complexity=case.routing.complexity),
            routing=case.routing,
        )

    @workflow.run
    async def run(self, case: RoutedCase) -> CaseView:
        self._record(case.ticket.channel.value, "received", case.ticket.title, at=case.received_at)
        self._record("router", "routed", f"{case.routing.item} → {case.routing.unit} ({case.routing.reason})")
        self._record(SYSTEM, "assigned", f"first-contact unit {self._view.first_contact_unit}")
        self._upsert_search_attributes()
        await self._notify(EventKind.CASE_ASSIGNED, unit=self._handling_unit)

        resolution = self._view.deadlines.resolution
        assert resolution is not None
        try:
            await workflow.wait_condition(
                lambda: self._view.status is CaseStatus.RESOLVED,
                timeout=max(resolution - workflow.now(), timedelta(0)),
            )
        except TimeoutError:
            await self._breach_resolution_deadline()
            await workflow.wait_condition(lambda: self._view.status is CaseStatus.RESOLVED)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view

    @workflow.query(name=STATE_QUERY)
    def state(self) -> CaseView:
        return self._view

    @workflow.update(name=CaseUpdate.ACCEPT.value)
    async def accept(self, action: UnitAction) -> CaseView:
        self._view.status = CaseStatus.ACCEPTED
        self._record(action.unit, "accepted", action.note)
        self._upsert_search_attributes()
        return self._view

    @accept.validator
    def _validate_accept(self, action: UnitAction) -> None:
        self._require_handling_unit(action, "accept")
        if self._view.status is not CaseStatus.ASSIGNED:
            raise CaseActionRefused(f"case is {self._view.status.value}; only an assigned case can be accepted")

    @workflow.update(name=CaseUpdate.RESOLVE.value)
    async def resolve(self, action: UnitAction) -> CaseView:
        self._view.status = CaseStatus.RESOLVED
        self._view.resolution_note = action.note
        self._record(action.unit, "resolved", action.note)
        self._upsert_search_attributes()
        return self._view

    @resolve.validator
    def _validate_resolve(self, action: UnitAction) -> None:
        self._require_handling_unit(action, "resolve")
        if self._view.status is CaseStatus.ASSIGNED:
            raise CaseActionRefused("case has not been accepted; the handling unit must accept it before resolving")
        if self._view.status is not CaseStatus.ACCEPTED:
            raise CaseActionRefused(f"case is {self._view.status.value}; only an accepted case can be resolved")

    @property
    def _handling_unit(self) -> str:
        assert self._view.handling_unit is not None
        return self._view.handling_unit

    def _require_handling_unit(self, action: UnitAction, verb: str) -> None:
        if action.unit != self._view.handling_unit:
            raise CaseActionRefused(
                f"unit {action.unit!r} may not {verb} this case: the handling unit is {self._view.handling_unit!r}"
            )

    async def _breach_resolution_deadline(self) -> None:
        self._view.overdue = True
        self._record(SYSTEM, "deadline_breached", "resolution deadline passed")
        self._upsert_search_attributes()
        await self._notify(EventKind.DEADLINE_BREACHED, unit=self._handling_unit, detail="resolution")

    def _record(self, actor: str, action: str, detail: str = "", *, at: datetime | None = None) -> None:
        entry = TimelineEntry(at=at or workflow.now(), actor=actor, action=action, detail=detail)
        self._view.timeline.append(entry)

    def _upsert_search_attributes(self) -> None:
        view = self._view
        updates: list[SearchAttributeUpdate[Any]] = [
            sa.CASE_ID.value_set(view.case_id),
            sa.CASE_STATUS.value_set(view.status.value),
            sa.CHANNEL.value_set(view.channel),
            sa.ESCALATION_LEVEL.value_set(view.escalation_level),
            sa.OVERDUE.value_set(view.overdue),
        ]
        optional = [
            (sa.FIRST_CONTACT_UNIT, view.first_contact_unit),
            (sa.HANDLING_UNIT, view.handling_unit),
            (sa.TOWNSHIP, view.township),
            (sa.CATALOG_ITEM, view.catalog_item),
        ]
        updates += [key.value_set(value) for key, value in optional if value is not None]
        if view.deadlines.resolution is not None:
            updates.append(sa.RESOLUTION_DEADLINE.value_set(view.deadlines.resolution))
        workflow.upsert_search_attributes(updates)

    async def _notify(self, kind: EventKind, *, unit: str, detail: str = "") -> None:
        self._sequence += 1
        view = self._view
        event = NotificationEvent(
            event_id=event_id_for(view.case_id, self._sequence),
            kind=kind,
            case_id=view.case_id,
            unit=unit,
            sequence=self._sequence,
            occurred_at=workflow.now(),
            title=view.title or "",
            catalog_item=view.catalog_item,
            handling_unit=view.handling_unit,
            first_contact_unit=view.first_contact_unit,
            township=view.township,
            address=self._case.ticket.address,
            urgency=view.urgency,
            deadlines=view.deadlines,
            detail=detail,
        )
        await workflow.execute_activity(
            "publish_notification",
            event,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=NOTIFY_RETRY,
        )
