"""An Open311 client's POSTed form as a ticket on the `open311` channel (pure): the spec's fields in our ticket's
words, the client's token as the ticket's identity, each refusal naming the form's field (the spec's 400)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.tickets import (
    CLIENT_ID_SEPARATOR,
    Caller,
    Channel,
    CoordinateSystem,
    Ticket,
    TicketLocation,
)
from services.intake.open311_mapping import Open311InputError

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
