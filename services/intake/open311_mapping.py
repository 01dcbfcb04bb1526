"""Open311 GeoReport v2 in our words (pure): catalog items as services, our statuses as the spec's, a case as a
service request, the receipts and discovery. A POSTed form becomes a ticket in open311_forms.py. No I/O: the routes
(open311_routes.py) read and submit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from services.contracts.case_view import CaseView
from services.contracts.cases import CaseStatus
from services.contracts.catalog import CatalogItem, ResponsibilityCatalog


class Open311Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


# Resolved is closed to a citizen (the work is done; a rework after an unsatisfied rating opens it again).
CLOSED_STATUSES = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})
OPEN_STATUSES = frozenset(set(CaseStatus) - CLOSED_STATUSES)

# `status_notes`: what a citizen's app shows beside the status, one line per status of ours.
STATUS_NOTES: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: "已受理，正在分派 (received, being routed)",
    CaseStatus.TRIAGE: "由协调中心研判分派 (with the coordination centre for triage)",
    CaseStatus.ASSIGNED: "已派至责任单位 (assigned to the responsible unit)",
    CaseStatus.ACCEPTED: "责任单位已签收办理 (accepted by the responsible unit)",
    CaseStatus.ARBITRATION: "由协调中心协调责任单位 (the coordination centre is deciding the responsible unit)",
    CaseStatus.RESOLVED: "已办结，待评价 (resolved, awaiting the rating)",
    CaseStatus.REWORK: "重新办理中 (being handled again)",
    CaseStatus.CLOSED: "已办结 (closed)",
}


class Open311InputError(ValueError):
    """A request the spec's 400 answers: the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def open311_status(status: CaseStatus | str) -> Open311Status:
    """Our status as Open311's two."""
    return Open311Status.CLOSED if CaseStatus(status) in CLOSED_STATUSES else Open311Status.OPEN


def service(item: CatalogItem) -> dict[str, Any]:
    """A catalog item as an Open311 service (no attributes: `metadata` false; ids are returned at once: realtime)."""
    return {
        "service_code": item.item_code,
        "service_name": item.item_zh,
        "description": item.description_zh or item.item_zh,
        "metadata": False,
        "type": "realtime",
        "keywords": item.domain,
        "group": item.domain_zh,
    }


def services(catalog: ResponsibilityCatalog) -> list[dict[str, Any]]:
    """The catalog's items as the service list, in code order."""
    return [service(catalog.items[code]) for code in sorted(catalog.items)]


def service_definition(item: CatalogItem) -> dict[str, Any]:
    """A service's definition: its code and no attributes (our items ask for none)."""
    return {"service_code": item.item_code, "attributes": []}


@dataclass(frozen=True)
class RequestFacts:
    """What a service request shows, read from a case (its view, or its summary in a list) and its ticket."""

    case_id: str
    status: CaseStatus
    catalog_item: str | None
    handling_unit: str | None
    received_at: datetime | None
    updated_at: datetime | None
    resolution_deadline: datetime | None
    description: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    # The photo a request's `media_url` links to: the case's latest image (a resolution's after-photo, else the
    # report's own); a list read from summaries has none.
    media_attachment_id: str | None = None

    @classmethod
    def of_view(cls, view: CaseView) -> RequestFacts:
        updated = max((entry.at for entry in view.timeline), default=view.received_at)
        return cls(
            case_id=view.case_id,
            status=view.status,
            catalog_item=view.catalog_item,
            handling_unit=view.handling_unit,
            received_at=view.received_at,
            updated_at=updated,
            resolution_deadline=view.deadlines.resolution,
            media_attachment_id=next(
                (file.attachment_id for file in reversed(view.attachments) if file.kind == "image"), None
            ),
        )


def service_request(
    facts: RequestFacts, catalog: ResponsibilityCatalog, *, media_url: str | None = None
) -> dict[str, Any]:
    """A case as an Open311 service request; `media_url`: a short-lived link to its latest photo, if any."""
    item = catalog.item(facts.catalog_item) if facts.catalog_item else None
    unit = catalog.unit(facts.handling_unit) if facts.handling_unit else None
    return {
        "service_request_id": facts.case_id,
        "status": open311_status(facts.status).value,
        "status_notes": STATUS_NOTES[facts.status],
        "service_name": item.item_zh if item else None,
        "service_code": facts.catalog_item,
        "description": facts.description,
        "agency_responsible": unit.name_zh if unit else facts.handling_unit,
        "service_notice": None,
        "requested_datetime": _w3(facts.received_at),
        "updated_datetime": _w3(facts.updated_at),
        "expected_datetime": _w3(facts.resolution_deadline),
        "address": facts.address,
        "address_id": None,
        "zipcode": None,
        "lat": facts.latitude,
        "long": facts.longitude,
        "media_url": media_url,
    }


# Service discovery: the specification this endpoint speaks, and when its list of endpoints last changed.
GEOREPORT_V2 = "http://wiki.open311.org/GeoReport_v2"
ENDPOINTS_CHANGED = datetime(2026, 12, 7, tzinfo=UTC)
FORMATS = ["application/json", "text/xml"]


def discovery(url: str, *, contact: str, key_service: str) -> dict[str, Any]:
    """The service discovery document: one production GeoReport v2 endpoint at `url`, JSON and XML."""
    changed = _w3(ENDPOINTS_CHANGED)
    return {
        "changeset": changed,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {"specification": GEOREPORT_V2, "url": url, "changeset": changed, "type": "production", "formats": FORMATS}
        ],
    }


def receipt(case_id: str, token: str) -> dict[str, Any]:
    """The answer to `POST requests`: the id at once, and the token the request is known by."""
    return {"service_request_id": case_id, "token": token, "service_notice": None, "account_id": None}


def token_answer(case_id: str, token: str) -> dict[str, Any]:
    return {"service_request_id": case_id, "token": token}


def _w3(moment: datetime | None) -> str | None:
    """A w3 date-time in UTC, to the second (`2026-12-07T09:15:00Z`)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
