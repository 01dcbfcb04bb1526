"""Events going out carry only the personal data their recipient needs: never the caller; the address to units only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.contracts.case_view import CaseView
from services.contracts.cases import CaseStatus
from services.contracts.events import Audience, EventKind, NotificationEvent
from services.workflows.case.case_events import case_event
from tests.unit.builders import make_ticket
from tests.unit.event_builders import CASE_ID

CALLER_NAME = "欧阳秀英"
CALLER_PHONE = "13987654321"
ADDRESS = "河口镇幸福家园小区7号楼3单元602室"


def event_for(audience: Audience, recipient: str) -> NotificationEvent:
    ticket = make_ticket(
        caller={"name": CALLER_NAME, "phone": CALLER_PHONE},
        address=ADDRESS,
        township="hekou-town",
        callback_url="https://12345.example.gov.cn/callbacks/cases",
    )
    view = CaseView(
        case_id=CASE_ID,
        status=CaseStatus.ASSIGNED,
        channel=ticket.channel.value,
        external_id=ticket.external_id,
        title=ticket.title,
        catalog_item="LS-06",
        handling_unit="water",
        first_contact_unit="water",
        township="hekou-town",
    )
    return case_event(
        view,
        ticket,
        kind=EventKind.CASE_ASSIGNED,
        sequence=1,
        at=datetime(2026, 3, 2, 2, 15, tzinfo=UTC),
        recipient=recipient,
        audience=audience,
    )


@pytest.mark.parametrize(
    ("audience", "recipient"),
    [
        (Audience.UNIT, "water"),
        (Audience.UNIT_LEADER, "water"),
        (Audience.COORDINATION, "coordination-centre"),
        (Audience.LEADER, "city-leader"),
        (Audience.PLATFORM, "platform-12345"),
    ],
)
def test_no_event_carries_the_callers_name_or_phone(audience: Audience, recipient: str) -> None:
    body = event_for(audience, recipient).model_dump_json()

    assert CALLER_NAME not in body
    assert CALLER_PHONE not in body


def test_the_unit_gets_the_address_it_must_go_to() -> None:
    event = event_for(Audience.UNIT, "water")

    assert event.address == ADDRESS


def test_the_platform_gets_no_address_back() -> None:
    event = event_for(Audience.PLATFORM, "platform-12345")

    assert event.address is None
    assert ADDRESS not in event.model_dump_json()


def test_the_event_model_has_no_field_for_the_caller() -> None:
    # A field added later for the caller's name or phone must be a deliberate decision: this test names it.
    personal = {"caller", "caller_name", "caller_phone", "name", "phone", "phones", "mobile", "email", "id_card"}

    assert personal.isdisjoint(NotificationEvent.model_fields)
