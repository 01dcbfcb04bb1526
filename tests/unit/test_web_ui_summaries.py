"""What the Temporal Web UI shows of a case: item, units, township and status, never the caller or the ticket's text."""

from __future__ import annotations

from datetime import UTC, datetime

from services.contracts.case_view import CaseView, Deadlines
from services.contracts.cases import CaseStatus, RoutedCase
from services.workflows.web_ui_summaries import case_details, case_summary, triage_summary
from tests.workflows.harness import case_for_triage, routed_case

RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def personal_data(routed: RoutedCase) -> list[str]:
    ticket = routed.ticket
    caller = [ticket.caller.name, ticket.caller.phone] if ticket.caller else []
    return [text for text in [ticket.title, ticket.description, ticket.address, *caller] if text]


def test_a_routed_case_is_summarised_by_item_units_township_and_status() -> None:
    routed = routed_case(received_at=RECEIVED, unit="water", item="EM-04", township="hekou-town")
    routed.routing.supporting_units = ["housing-construction"]

    summary = case_summary(routed)

    assert summary == "EM-04 · water (+ housing-construction) · hekou-town · assigned"
    assert not [text for text in personal_data(routed) if text in summary]


def test_a_case_sent_to_triage_shows_the_routers_guess_and_the_township_it_found() -> None:
    routed = case_for_triage(RECEIVED)

    assert triage_summary(routed) == "triage · UC-03 · donghu-street · triage"


def test_what_is_not_known_is_shown_as_a_dash() -> None:
    routed = routed_case(received_at=RECEIVED, township=None)
    routed.routing.item = None

    assert case_summary(routed) == "— · water · — · assigned"


def test_the_details_show_the_case_as_it_is_now() -> None:
    view = CaseView(
        case_id="c-1",
        status=CaseStatus.ACCEPTED,
        channel="12345",
        external_id="12345-1",
        title="小区积水两天无人处理",
        catalog_item="EM-04",
        first_contact_unit="water",
        handling_unit="housing-construction",
        township="hekou-town",
        overdue=True,
        escalation_level=1,
        deadlines=Deadlines(resolution=datetime(2026, 3, 9, 18, 0, tzinfo=UTC)),
    )

    details = case_details(view)

    assert details.splitlines() == [
        "- **Status:** accepted (overdue)",
        "- **Item:** EM-04",
        "- **Handling unit:** housing-construction",
        "- **First-contact unit:** water",
        "- **Township:** hekou-town",
        "- **Resolution due:** 2026-03-09 18:00 UTC",
        "- **Escalation level:** 1",
    ]
    assert "积水" not in details
