"""Transfer with a notice (告知单), its limits, the transfer cap and arbitration by the coordination centre."""

from __future__ import annotations

from datetime import timedelta

from services.contracts.case_actions import ArbitrationDecision, TransferRequest, UnitAction
from services.contracts.case_view import DeadlineKind
from services.contracts.case_workflow import CaseUpdate
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from services.contracts.tickets import Channel
from tests.workflows.harness import CaseHandle, Cases, actions

MINUTE = timedelta(minutes=1)


def transfer(unit: str, to_unit: str, item: str = "LS-06") -> TransferRequest:
    return TransferRequest(
        unit=unit, to_unit=to_unit, reason=f"不属于 {unit} 职责，应由 {to_unit} 办理", catalog_item=item
    )


async def test_transfer_hands_the_case_on_and_tells_the_caller_once(cases: Cases) -> None:
    # Routed as a property-service matter (UC-03); its windows, in working days, stay the case's after a transfer.
    case = await cases.start(unit="housing-construction", item="UC-03", callback=True)
    first_due = (await case.state()).deadlines.sign_for
    assert first_due is not None

    # Late in its transfer window the unit finds the matter is the water bureau's (catalog item LS-06).
    await cases.sleep_until(first_due - timedelta(hours=2))
    moved = await case.act(CaseUpdate.TRANSFER, transfer("housing-construction", "water"))

    assert moved.status is CaseStatus.ASSIGNED
    assert (moved.first_contact_unit, moved.handling_unit) == ("housing-construction", "water")
    [handover] = moved.transfers
    assert (handover.from_unit, handover.to_unit, handover.catalog_item) == ("housing-construction", "water", "LS-06")
    # The new unit gets its own sign-for and transfer windows, counted from the transfer.
    new_due = cases.sources.calendar.add_working_days(handover.at, 1).at
    assert moved.deadlines.sign_for == moved.deadlines.transfer == new_due
    assert new_due > first_due
    assert actions(moved)[-1] == ("transferred", "housing-construction")

    assert cases.published.to(EventKind.TRANSFER_NOTICE) == [("platform-12345", "platform")]
    [recorded] = moved.transfer_notices
    assert (recorded.from_unit, recorded.to_unit, recorded.catalog_item) == ("housing-construction", "water", "LS-06")
    assert (recorded.at, recorded.reason, recorded.sent_to) == (handover.at, handover.reason, ["platform-12345"])
    [notice] = cases.published.of_kind(EventKind.TRANSFER_NOTICE)
    assert (notice.from_unit, notice.to_unit) == ("housing-construction", "water")
    # The reason as the unit gave it: the sentence around it, with the units' names, is the notifier's to write.
    assert notice.detail == "不属于 housing-construction 职责，应由 water 办理"
    assert notice.callback_url is not None
    assert cases.published.to(EventKind.CASE_ASSIGNED) == [
        ("housing-construction", "unit"),
        ("platform-12345", "platform"),
        ("water", "unit"),
    ]

    # The first unit's window ends without a breach: the case is no longer its to sign for.
    await cases.sleep_until(first_due + MINUTE)
    assert (await case.state()).overdue is False
    assert cases.published.of_kind(EventKind.DEADLINE_BREACHED) == []
    accepted = await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    assert accepted.status is CaseStatus.ACCEPTED
    assert len(cases.published.of_kind(EventKind.TRANSFER_NOTICE)) == 1


async def test_the_transfer_notice_is_on_the_case_record_when_the_ticket_gave_no_channel(cases: Cases) -> None:
    case = await cases.start(unit="housing-construction", callback=False)

    moved = await case.act(CaseUpdate.TRANSFER, transfer("housing-construction", "water"))

    [notice] = moved.transfer_notices
    assert (notice.from_unit, notice.to_unit, notice.catalog_item) == ("housing-construction", "water", "LS-06")
    assert notice.reason == moved.transfers[0].reason
    # Nowhere to send it: the case record holds it, for the hotline to read out and the return visit.
    assert notice.sent_to == []
    assert cases.published.of_kind(EventKind.TRANSFER_NOTICE) == []
    assert (await case.state()).transfer_notices == [notice]


async def township_call(cases: Cases, *, unit: str, caller: str = "hekou-town") -> CaseHandle:
    """A township's call (乡呼区应) routed to `unit`."""
    routed = cases.new_case(await cases.now(), unit=unit)
    call = routed.model_copy(
        update={"calling_unit": caller, "ticket": routed.ticket.model_copy(update={"channel": Channel.TOWNSHIP_CALL})}
    )
    return await cases.start(call)


async def test_a_units_call_has_its_transfer_notice_sent_to_the_calling_unit(cases: Cases) -> None:
    case = await township_call(cases, unit="housing-construction")

    moved = await case.act(CaseUpdate.TRANSFER, transfer("housing-construction", "water"))

    assert [n.sent_to for n in moved.transfer_notices] == [["hekou-town"]]
    assert cases.published.to(EventKind.TRANSFER_NOTICE) == [("hekou-town", "unit")]
    [sent] = cases.published.of_kind(EventKind.TRANSFER_NOTICE)
    assert (sent.from_unit, sent.to_unit) == ("housing-construction", "water")


async def test_no_transfer_back_to_a_unit_that_sent_it_away_nor_after_acceptance(cases: Cases) -> None:
    case = await cases.start(unit="housing-construction", callback=True)
    await case.act(CaseUpdate.TRANSFER, transfer("housing-construction", "water"))

    back = await case.refused(CaseUpdate.TRANSFER, transfer("water", "housing-construction"))
    assert "'housing-construction' already transferred this case away" in back.message
    by_old_unit = await case.refused(CaseUpdate.TRANSFER, transfer("housing-construction", "health"))
    assert "the handling unit is 'water'" in by_old_unit.message
    assert [back.details, by_old_unit.details] == [("transfer_back",), ("not_handling_unit",)]

    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    after_accept = await case.refused(CaseUpdate.TRANSFER, transfer("water", "health"))
    assert "only before it is accepted" in after_accept.message

    view = await case.state()
    assert (view.handling_unit, view.status) == ("water", CaseStatus.ACCEPTED)
    assert [(t.from_unit, t.to_unit) for t in view.transfers] == [("housing-construction", "water")]
    assert len(cases.published.of_kind(EventKind.TRANSFER_NOTICE)) == 1


async def test_no_transfer_once_the_transfer_window_has_closed(cases: Cases) -> None:
    case = await cases.start(unit="housing-construction", callback=True)
    window_end = (await case.state()).deadlines.transfer
    assert window_end is not None

    await cases.sleep_until(window_end + timedelta(hours=1))
    late = await case.refused(CaseUpdate.TRANSFER, transfer("housing-construction", "water"))

    assert f"the transfer window closed at {window_end.isoformat()}" in late.message
    assert late.details == ("transfer_window_closed",)
    view = await case.state()
    assert view.handling_unit == "housing-construction"
    assert view.transfers == []
    assert cases.published.of_kind(EventKind.TRANSFER_NOTICE) == []


async def bounced_to_arbitration(cases: Cases) -> CaseHandle:
    """Two transfers (the policy's most) and a third attempt: the case goes to the coordination centre."""
    case = await cases.start(unit="housing-construction", callback=True)
    await case.act(CaseUpdate.TRANSFER, transfer("housing-construction", "water"))
    await case.act(CaseUpdate.TRANSFER, transfer("water", "law-enforcement", item="UC-05"))
    third = await case.refused(CaseUpdate.TRANSFER, transfer("law-enforcement", "natural-resources", item="NR-01"))
    assert "transferred 2 times, the most allowed" in third.message
    assert "arbitration" in third.message
    # The code the API answers 409 with, for machines: the workflow refuses with it.
    assert third.details == ("transfer_limit_reached",)
    return case


async def test_third_transfer_is_refused_and_the_coordination_centre_arbitrates(cases: Cases) -> None:
    case = await bounced_to_arbitration(cases)

    disputed = await case.state()
    assert disputed.status is CaseStatus.ARBITRATION
    assert disputed.handling_unit == "law-enforcement"
    assert len(disputed.transfers) == 2
    [asked] = [entry for entry in disputed.timeline if entry.action == "arbitration_requested"]
    assert asked.actor == "law-enforcement"
    assert disputed.deadlines.arbitration == cases.sources.calendar.add_working_days(asked.at, 2).at
    # The handling unit's own windows no longer run while the centre decides.
    handover = [t for t in disputed.tracked_deadlines if t.kind in (DeadlineKind.SIGN_FOR, DeadlineKind.TRANSFER)]
    assert [t.open for t in handover] == [False, False]
    assert cases.published.to(EventKind.ARBITRATION_NEEDED) == [("coordination-centre", "coordination")]
    [needed] = cases.published.of_kind(EventKind.ARBITRATION_NEEDED)
    assert (needed.from_unit, needed.to_unit) == ("law-enforcement", "natural-resources")

    waiting = await case.refused(CaseUpdate.TRANSFER, transfer("law-enforcement", "health"))
    assert "awaiting the coordination centre's arbitration" in waiting.message
    by_unit = await case.refused(
        CaseUpdate.ARBITRATE, ArbitrationDecision(unit="water", handling_unit="water", reason="我们来办")
    )
    assert "only the coordination centre arbitrates" in by_unit.message

    decided = await case.act(
        CaseUpdate.ARBITRATE,
        ArbitrationDecision(unit="coordination-centre", handling_unit="water", reason="供水管网属水务局职责"),
    )
    assert (decided.status, decided.handling_unit, decided.arbitrated) == (CaseStatus.ASSIGNED, "water", True)
    assert decided.first_contact_unit == "housing-construction"
    arbitration = decided.tracked(DeadlineKind.ARBITRATION)
    assert arbitration is not None and arbitration.met_at is not None
    arbitrated_at = decided.timeline[-1].at
    assert decided.deadlines.sign_for == cases.sources.calendar.add_working_days(arbitrated_at, 1).at
    assert cases.published.to(EventKind.ARBITRATION_DECIDED) == [("water", "unit")]
    assert cases.published.to(EventKind.CASE_ASSIGNED)[-1] == ("platform-12345", "platform")
    # Each unit handed the case, by transfer or arbitration, is handed what the caller said; nobody else is.
    described = [
        (event.kind, event.unit, cases.published.descriptions[event.event_id])
        for event in cases.published.events
        if event.case_id == case.case_id and event.event_id in cases.published.descriptions
    ]
    said = case.case.ticket.description
    assert described == [
        (EventKind.CASE_ASSIGNED, "housing-construction", said),
        (EventKind.CASE_ASSIGNED, "water", said),
        (EventKind.CASE_ASSIGNED, "law-enforcement", said),
        (EventKind.ARBITRATION_DECIDED, "water", said),
    ]

    again = await case.refused(CaseUpdate.TRANSFER, transfer("water", "health"))
    assert "named the handling unit by arbitration; no further transfer" in again.message
    accepted = await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    assert accepted.status is CaseStatus.ACCEPTED
    assert [a for a in actions(accepted) if a[0] in ("transferred", "arbitration_requested", "arbitrated")] == [
        ("transferred", "housing-construction"),
        ("transferred", "water"),
        ("arbitration_requested", "law-enforcement"),
        ("arbitrated", "coordination-centre"),
    ]
    assert len(cases.published.of_kind(EventKind.TRANSFER_NOTICE)) == 2


async def test_arbitration_not_decided_in_time_is_a_breach_of_the_coordination_centre(cases: Cases) -> None:
    case = await bounced_to_arbitration(cases)
    due = (await case.state()).deadlines.arbitration
    assert due is not None

    await cases.sleep_until(due + MINUTE)

    view = await case.state()
    assert view.status is CaseStatus.ARBITRATION
    [late] = [b for b in view.breaches if b.kind is DeadlineKind.ARBITRATION]
    assert late.unit == "coordination-centre"
    arbitration_notices = [
        (e.unit, e.audience.value)
        for e in cases.published.of_kind(EventKind.DEADLINE_BREACHED)
        if e.deadline_kind == "arbitration"
    ]
    assert arbitration_notices == [("coordination-centre", "coordination")]
    assert view.overdue is True


async def test_a_call_is_never_handed_to_its_calling_unit(cases: Cases) -> None:
    case = await township_call(cases, unit="water")

    back = await case.refused(CaseUpdate.TRANSFER, transfer("water", "hekou-town", item="EE-04"))

    assert "'hekou-town' is the calling unit of this call and cannot answer its own call" in back.message
    assert (await case.state()).transfers == []

    await case.act(CaseUpdate.TRANSFER, transfer("water", "law-enforcement", item="EE-05"))
    await case.act(CaseUpdate.TRANSFER, transfer("law-enforcement", "housing-construction", item="UC-04"))
    await case.refused(CaseUpdate.TRANSFER, transfer("housing-construction", "natural-resources", item="NR-01"))
    to_caller = ArbitrationDecision(unit="coordination-centre", handling_unit="hekou-town", reason="属地管理")

    named = await case.refused(CaseUpdate.ARBITRATE, to_caller)

    assert "'hekou-town' is the calling unit of this call and cannot answer its own call" in named.message
    assert (await case.state()).status is CaseStatus.ARBITRATION
    decided = await case.act(CaseUpdate.ARBITRATE, to_caller.model_copy(update={"handling_unit": "water"}))
    assert (decided.status, decided.handling_unit, decided.calling_unit) == (CaseStatus.ASSIGNED, "water", "hekou-town")
