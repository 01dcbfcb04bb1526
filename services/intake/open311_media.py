"""An Open311 request's `media_url`: a short-lived download link of its case's latest photo, for the client asking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.contracts.attachment_links import DOWNLOAD_PATH, LinkGrant, LinkVariant, make_link_token
from services.contracts.credentials import Principal
from services.intake.dependencies import IntakeServices
from services.intake.open311_mapping import RequestFacts


def media_link(services_: IntakeServices, caller: Principal, facts: RequestFacts, *, base_url: str) -> str | None:
    """A download link of the request's photo for this client, as `/v1/cases/{id}/attachments` makes them (it works
    for `HOTLINE_INTAKE_ATTACHMENT_LINK_SECONDS`; each download is access-logged in the client's name)."""
    if facts.media_attachment_id is None:
        return None
    seconds = services_.settings.attachment_link_seconds
    grant = LinkGrant(
        case_id=facts.case_id,
        attachment_id=facts.media_attachment_id,
        variant=LinkVariant.FILE,
        client_id=caller.client_id,
        kind=caller.kind,
        subject=caller.subject,
        expires_at=datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds),
    )
    base = services_.settings.public_url or base_url.rstrip("/")
    return base + DOWNLOAD_PATH.format(token=make_link_token(grant, services_.keyring))
