"""Open311 in our words: catalog items as services, our statuses as the spec's, a case as a service request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from services.contracts.case_view import CaseView, Deadlines, TimelineEntry
from services.contracts.cases import CaseStatus
from services.contracts.catalog import load_catalog
from services.intake.open311_filters import search_window, statuses_for
from services.intake.open311_formats import Format, Shape, errors, render
from services.intake.open311_mapping import (
    Open311InputError,
    RequestFacts,
    service_request,
    services,
)

CATALOG = load_catalog()
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_every_catalog_item_is_a_service_without_attributes() -> None:
    listed = services(CATALOG)
    assert [s["service_code"] for s in listed] == sorted(CATALOG.items)
    water = next(s for s in listed if s["service_code"] == "LS-06")
    assert water["service_name"] == CATALOG.items["LS-06"].item_zh
    assert water["group"] == CATALOG.items["LS-06"].domain_zh
    assert (water["metadata"], water["type"]) == (False, "realtime")


def test_statuses_map_to_open_and_closed() -> None:
    assert set(statuses_for("closed")) == {CaseStatus.RESOLVED, CaseStatus.CLOSED}
    assert CaseStatus.REWORK in statuses_for("open")
    assert statuses_for("open,closed") == [] == statuses_for(None)
    with pytest.raises(Open311InputError, match="status"):
        statuses_for("pending")


def test_the_search_window_is_the_last_90_days_at_most() -> None:
    assert search_window(None, None, now=NOW) == (NOW - timedelta(days=90), NOW)
    start = NOW - timedelta(days=10)
    assert search_window(start, None, now=NOW) == (start, NOW)
    with pytest.raises(Open311InputError, match="90 days"):
        search_window(NOW - timedelta(days=91), NOW, now=NOW)
    with pytest.raises(Open311InputError, match="end_date"):
        search_window(NOW, NOW - timedelta(days=1), now=NOW)


def test_a_case_is_a_service_request_with_its_unit_and_deadline() -> None:
    deadline = NOW + timedelta(days=7)
    view = CaseView(
        case_id="c1",
        status=CaseStatus.ACCEPTED,
        channel="open311",
        external_id="app-1",
        catalog_item="LS-06",
        handling_unit="water",
        received_at=NOW,
        deadlines=Deadlines(resolution=deadline),
        timeline=[TimelineEntry(at=NOW + timedelta(hours=2), actor="water", action="accepted")],
    )
    request = service_request(RequestFacts.of_view(view), CATALOG)
    assert request["status"] == "open"
    assert request["agency_responsible"] == CATALOG.units["water"].name_zh
    assert request["expected_datetime"] == "2026-12-14T09:00:00Z"
    assert (request["requested_datetime"], request["updated_datetime"]) == (
        "2026-12-07T09:00:00Z",
        "2026-12-07T11:00:00Z",
    )
    closed = service_request(RequestFacts.of_view(view.model_copy(update={"status": CaseStatus.RESOLVED})), CATALOG)
    assert closed["status"] == "closed"


def test_xml_answers_use_the_specs_elements() -> None:
    body = render(Format.XML, Shape.SERVICES, services(CATALOG)).body
    root = ElementTree.fromstring(body)
    assert root.tag == "services" and root[0].tag == "service"
    assert root[0].find("metadata").text == "false"  # type: ignore[union-attr]
    refused = errors(Format.XML, 400, "lat: required")
    assert refused.status_code == 400
    error = ElementTree.fromstring(refused.body).find("error")
    assert error is not None and error.findtext("code") == "400" and error.findtext("description") == "lat: required"
