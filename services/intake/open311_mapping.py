"""Open311 GeoReport v2 in our words and back (pure): catalog items as services, a POSTed form as a ticket on the
`open311` channel, a case as a service request. No I/O: the routes (open311_routes.py) read and submit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from services.contracts.case_view import CaseView
from services.contracts.cases import CaseStatus
from services.contracts.catalog import CatalogItem, ResponsibilityCatalog
from services.contracts.tickets import (
    CLIENT_ID_SEPARATOR,
    Caller,
    Channel,
    CoordinateSystem,
    Ticket,
    TicketLocation,
)

# The spec's limit on a request's description.
MAX_DESCRIPTION = 4000
# Our tickets' limits on what the form's fields become.
MAX_TITLE = 200
TITLE_EXCERPT = 40
# A client's own request token names its request among the client's; a request without one is known by its content.
# The ticket's `external_id` is `<client id>/<token>`: two Open311 clients share the channel, not their numbering
# (a client id is at most 64 characters, an external id 128).
CONTENT_TOKEN_PREFIX = "o311-"
MAX_TOKEN = 63
TOKEN_SEPARATOR = CLIENT_ID_SEPARATOR


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
class RequestForm:
    """The fields of `POST requests` we use (the spec's names), as strings as they came."""

    fields: Mapping[str, str]

    def get(self, name: str) -> str | None:
        value = self.fields.get(name, "").strip()
        return value or None


def content_token(form: RequestForm) -> str:
    """The token of a request that brings none: a digest of what it says, so the same request twice is one case."""
    kept = {name: value.strip() for name, value in sorted(form.fields.items()) if name not in ("api_key", "token")}
    digest = hashlib.sha256(json.dumps(kept, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return CONTENT_TOKEN_PREFIX + digest[:32]


def _coordinate(form: RequestForm, name: str, bound: float) -> float | None:
    raw = form.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise Open311InputError(name, f"{raw!r} is not a number of degrees") from exc
    if not -bound <= value <= bound:
        raise Open311InputError(name, f"{value} is outside -{bound:g}..{bound:g} degrees")
    return value


def external_id_for(client_id: str, token: str) -> str:
    """The ticket's `external_id` of a client's token (`Open311InputError` for a token that cannot be one)."""
    if not token or len(token) > MAX_TOKEN or not token.isprintable() or TOKEN_SEPARATOR in token:
        raise Open311InputError("token", f"1 to {MAX_TOKEN} printable characters without {TOKEN_SEPARATOR!r}")
    return f"{client_id}{TOKEN_SEPARATOR}{token}"


def token_of(external_id: str) -> str:
    """The client's token in a ticket's `external_id`."""
    return external_id.partition(TOKEN_SEPARATOR)[2] or external_id


def ticket_from_form(form: RequestForm, catalog: ResponsibilityCatalog, *, client_id: str, now: datetime) -> Ticket:
    """The ticket an Open311 client's request becomes (`Open311InputError` naming the field the spec's 400 is
    about)."""
    code = form.get("service_code")
    if code is None:
        raise Open311InputError("service_code", "required")
    item = catalog.item(code)
    if item is None:
        raise Open311InputError("service_code", f"no service {code!r} (see services.json)")
    lat, long = _coordinate(form, "lat", 90), _coordinate(form, "long", 180)
    if (lat is None) != (long is None):
        raise Open311InputError("lat" if lat is None else "long", "lat and long go together")
    address = form.get("address_string")
    if lat is None and address is None and form.get("address_id") is None:
        raise Open311InputError("lat", "a location is required: lat and long, address_string or address_id")
    description = form.get("description")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise Open311InputError("description", f"longer than {MAX_DESCRIPTION} characters")
    external_id = external_id_for(client_id, form.get("token") or content_token(form))
    name = full_name(form.get("first_name"), form.get("last_name"))
    phone = form.get("phone")
    if phone is not None:
        # Apps write numbers as people do (`(0532) 8888-1234`, `138.0000.0000`); tickets keep digits, +, - and spaces.
        phone = " ".join(phone.translate(_PHONE_PUNCTUATION).split())
    try:
        caller = Caller(name=name, phone=phone) if name or phone else None
        location = None
        if lat is not None and long is not None:
            location = TicketLocation(latitude=lat, longitude=long, coordinate_system=CoordinateSystem.WGS84)
        return Ticket(
            channel=Channel.OPEN311,
            external_id=external_id,
            title=_title(item.item_zh, description),
            description=description or item.item_zh,
            category_code=item.item_code,
            address=address,
            caller=caller,
            reported_at=now,
            location=location,
            # The photo the client keeps: fetched into the case's attachments, as a ticket's `attachment_urls` are.
            attachment_urls=[media_url] if (media_url := form.get("media_url")) else None,
        )
    except ValidationError as exc:
        raise Open311InputError(*_field_of(exc)) from exc


_PHONE_PUNCTUATION = str.maketrans({"(": " ", ")": " ", ".": " "})


def full_name(first: str | None, last: str | None) -> str | None:
    """A caller's name from the spec's two parts: a Chinese name family name first and unspaced (王秀英), any other
    given name first (Ada Lovelace)."""
    if not first or not last:
        return first or last
    if not (first + last).isascii():
        return last + first
    return f"{first} {last}"


def _title(service_name: str, description: str | None) -> str:
    if not description:
        return service_name[:MAX_TITLE]
    excerpt = description if len(description) <= TITLE_EXCERPT else description[:TITLE_EXCERPT] + "…"
    return f"{service_name}：{excerpt}"[:MAX_TITLE]


# Our ticket's fields as the form named them.
_FORM_NAMES = {
    "external_id": "token",
    "address": "address_string",
    "name": "first_name",
    "description": "description",
    "attachment_urls": "media_url",
}


def _field_of(exc: ValidationError) -> tuple[str, str]:
    error = exc.errors()[0]
    last = next((str(part) for part in reversed(error["loc"]) if not isinstance(part, int)), "request")
    return _FORM_NAMES.get(last, last), str(error["msg"])


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
