"""Who reads a case's whole ticket, and how each sees a confidential caller (the decision, without the API)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.contracts.case_view import CaseView, JointPhase, JointRole, JointTaskView, Transfer
from services.contracts.cases import CaseStatus
from services.contracts.credentials import ClientKind, Principal
from services.engines.records_db.personal_columns import TicketContent
from services.intake.auth import Forbidden
from services.intake.authorization import masks_confidential_callers, require_ticket_reader
from services.intake.case_ticket import RecordedTicket, reveals_contact, ticket_view
from services.intake.errors import NotFound

CASE_ID = "3f6c1a9e-8a55-4a43-9f0e-2b7d1c5e4a10"
AT = datetime(2026, 3, 2, 2, 15, tzinfo=UTC)


def case(*, escalation_level: int = 0, calling_unit: str | None = None, channel: str = "12345") -> CaseView:
    """A case first received by housing-construction, transferred on to water, with agriculture in a closed joint
    phase; `calling_unit` makes it a unit's call."""
    task = JointTaskView(
        case_id=CASE_ID, workflow_id="w", unit="agriculture", role=JointRole.CO_MANAGING, task="排查", due=AT
    )
    return CaseView(
        case_id=CASE_ID,
        status=CaseStatus.ACCEPTED,
        channel=channel,
        external_id="12345-20260302-000187",
        first_contact_unit="housing-construction",
        handling_unit="water",
        calling_unit=calling_unit,
        escalation_level=escalation_level,
        transfers=[Transfer(from_unit="law-enforcement", to_unit="water", reason="职责", catalog_item="LS-06", at=AT)],
        joint_phases=[
            JointPhase(number=1, requested_by="water", reason="联动", started_at=AT, tasks=[task], closed_at=AT)
        ],
    )


def who(kind: ClientKind, subject: str = "") -> Principal:
    return Principal(client_id=f"dev-{subject or kind.value}", kind=kind, subject=subject, key_id="k1")


CENTRE = who(ClientKind.COORDINATION, "coordination-centre")
WATER = who(ClientKind.UNIT, "water")


@pytest.mark.parametrize(
    ("reader", "view", "answer"),
    [
        (CENTRE, case(), "whole"),
        (who(ClientKind.UNIT, "water"), case(), "masked"),  # handling
        (who(ClientKind.UNIT, "housing-construction"), case(), "masked"),  # first contact
        (who(ClientKind.UNIT, "agriculture"), case(), "masked"),  # joint participant, its phase closed
        (who(ClientKind.UNIT, "hekou-town"), case(calling_unit="hekou-town", channel="township_call"), "masked"),
        (who(ClientKind.UNIT, "law-enforcement"), case(), 403),  # transferred it on: no longer on the case
        (who(ClientKind.UNIT, "health"), case(), 403),
        (who(ClientKind.PLATFORM, "12345"), case(), "whole"),
        (who(ClientKind.PLATFORM, "89000"), case(), 404),
        (who(ClientKind.PLATFORM, "township_call"), case(calling_unit="hekou-town", channel="township_call"), 404),
        (who(ClientKind.LEADER, "city-leader"), case(escalation_level=2), "masked"),
        (who(ClientKind.LEADER, "top-leadership"), case(escalation_level=3), "masked"),
        (who(ClientKind.LEADER, "city-leader"), case(escalation_level=1), 403),
        (who(ClientKind.ADMIN), case(), 403),
        (who(ClientKind.OPERATOR), case(), 403),
    ],
)
def test_who_reads_the_ticket_and_whether_a_confidential_caller_is_masked(
    reader: Principal, view: CaseView, answer: str | int
) -> None:
    if answer == 404:
        with pytest.raises(NotFound):
            require_ticket_reader(reader, view)
    elif answer == 403:
        with pytest.raises(Forbidden):
            require_ticket_reader(reader, view)
    else:
        require_ticket_reader(reader, view)
        assert masks_confidential_callers(reader) is (answer == "masked")


def recorded(*, name: str | None = "王秀英", phone: str | None = "13912345678", confidential: bool) -> RecordedTicket:
    content = TicketContent(
        description="幸福家园小区停水两天。",
        address="河口镇幸福家园小区3号楼",
        caller_name=name,
        caller_phone=phone,
        caller_confidential=confidential,
        reported_at=AT,
    )
    return RecordedTicket(
        case_id=CASE_ID, channel="12345", external_id="12345-1", title="停水", received_at=AT, content=content
    )


@pytest.mark.parametrize(
    ("confidential", "mask_confidential", "shown", "masked"),
    [
        (True, True, ("王**", "139****5678"), True),
        (True, False, ("王秀英", "13912345678"), False),
        (False, True, ("王秀英", "13912345678"), False),
        (False, False, ("王秀英", "13912345678"), False),
    ],
)
def test_a_confidential_caller_is_masked_only_for_those_who_must_not_see_it_whole(
    confidential: bool, mask_confidential: bool, shown: tuple[str, str], masked: bool
) -> None:
    view = ticket_view(recorded(confidential=confidential), mask_confidential=mask_confidential)

    assert view.caller is not None
    assert (view.caller.name, view.caller.phone, view.caller.confidential) == (*shown, confidential)
    assert view.caller_masked is masked
    # The rest of the ticket is the same for every reader.
    assert (view.description, view.address, view.reported_at) == (
        "幸福家园小区停水两天。",
        "河口镇幸福家园小区3号楼",
        AT,
    )


@pytest.mark.parametrize(
    ("name", "phone", "confidential", "caller", "reveals"),
    [
        ("王秀英", None, False, True, True),
        (None, "13912345678", True, True, True),
        (None, None, True, True, False),  # confidential, but nothing to reach them by
        (None, None, False, False, False),  # no caller at all
    ],
)
def test_only_an_answer_with_a_name_or_phone_reveals_a_contact(
    name: str | None, phone: str | None, confidential: bool, caller: bool, reveals: bool
) -> None:
    view = ticket_view(recorded(name=name, phone=phone, confidential=confidential), mask_confidential=True)

    assert (view.caller is not None, reveals_contact(view)) == (caller, reveals)
