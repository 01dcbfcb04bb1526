"""A new case's first step: its state from the routed case, its policy and first deadlines, the unit told.

Workflow code, run inside `FirstContactCase` (its `__init__` and the start of `run`).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_event_log import EventFields
    from services.contracts.case_timeline import ROUTER, SYSTEM, TimelineAction
    from services.contracts.case_view import DeadlineKind
    from services.contracts.cases import CaseStatus, RoutedCase
    from services.contracts.events import EventKind
    from services.workflows.case.case_engine import CaseEngine
    from services.workflows.case.case_state import CaseState

FIRST_DEADLINES = [DeadlineKind.SIGN_FOR, DeadlineKind.TRANSFER, DeadlineKind.FEEDBACK, DeadlineKind.RESOLUTION]


def initial_state(case: RoutedCase, *, status: CaseStatus = CaseStatus.RECEIVED) -> CaseState:
    """The case as received: `assigned` only once its deadlines are counted (until then queries show `received`);
    a case waiting for triage has no unit yet."""
    unit = case.routing.unit
    return CaseState(
        case_id=case.case_id,
        status=status,
        channel=case.ticket.channel.value,
        external_id=case.ticket.external_id,
        title=case.ticket.title,
        urgency=case.ticket.urgency.value,
        catalog_item=case.routing.item,
        catalog_version=case.routing.catalog_version,
        first_contact_unit=unit,
        handling_unit=unit,
        township=case.routing.township or case.ticket.township,
        supporting_units=case.routing.supporting_units,
        calling_unit=case.calling_unit,
        received_at=case.received_at,
        routing=case.routing,
        # A case that waited for triage continues the log its triage began (which published `received`).
        event_sequence=case.events_published,
    )


async def open_case(engine: CaseEngine, case: RoutedCase) -> None:
    """Record how the case came, fix its policy, count its first deadlines and tell its unit (and platform)."""
    # A triaged case's windows start when the coordination centre handed it on (the dispatch, 派单).
    start = case.routing.decided_at or case.received_at
    engine.record(
        case.ticket.channel.value,
        TimelineAction.RECEIVED,
        case.ticket.title,
        at=case.received_at,
        publish=case.events_published == 0,
    )
    first_deadlines = await engine.load_policy(case, first_deadlines=FIRST_DEADLINES, start=start)
    # A triaged case names who decided (the coordination centre); any other, the router.
    engine.record(
        case.routing.decided_by or ROUTER,
        TimelineAction.ROUTED,
        f"{case.routing.item} → {case.routing.unit} ({case.routing.reason})",
        fields=EventFields(item=case.routing.item, unit=case.routing.unit, reason=case.routing.reason),
    )
    engine.record(
        SYSTEM,
        TimelineAction.ASSIGNED,
        f"first-contact unit {engine.view.first_contact_unit}",
        fields=EventFields(unit=engine.view.first_contact_unit),
    )
    await engine.start_deadlines(FIRST_DEADLINES, start=start, computed=first_deadlines)
    engine.view.status = CaseStatus.ASSIGNED
    engine.notify(EventKind.CASE_ASSIGNED, recipient=engine.handling_unit)
    engine.notify_platform(EventKind.CASE_ASSIGNED)
    await engine.flush()
