"""An Open311 request's `media_url`: as answered, a short-lived download link of its case's latest photo for the
client asking; as POSTed, the client's photo, fetched into the case if the URL is one the system may fetch from."""

from __future__ import annotations

from services.contracts.attachment_links import LinkVariant
from services.contracts.credentials import Principal
from services.contracts.tickets import Ticket
from services.intake.dependencies import IntakeServices
from services.intake.download_links import download_link, links_expire_at
from services.intake.errors import UnprocessableInput
from services.intake.open311_mapping import Open311InputError, RequestFacts
from services.intake.outbound_url_checks import require_outbound_url


def require_fetchable_media(services_: IntakeServices, ticket: Ticket) -> None:
    """The spec's 400 naming `media_url` for a URL into the system's own network (or plain http in production)."""
    for url in ticket.attachment_urls or []:
        try:
            require_outbound_url(url, services_.settings, "media_url")
        except UnprocessableInput as exc:
            raise Open311InputError("media_url", exc.message.removeprefix("media_url: ")) from None


def media_link(services_: IntakeServices, caller: Principal, facts: RequestFacts, *, base_url: str) -> str | None:
    """A download link of the request's photo for this client, as `/v1/cases/{id}/attachments` makes them (it works
    for `HOTLINE_INTAKE_ATTACHMENT_LINK_SECONDS`; each download is access-logged in the client's name)."""
    if facts.media_attachment_id is None:
        return None
    return download_link(
        services_,
        caller,
        case_id=facts.case_id,
        attachment_id=facts.media_attachment_id,
        variant=LinkVariant.FILE,
        expires_at=links_expire_at(services_),
        base_url=base_url,
    )
