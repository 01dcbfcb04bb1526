"""The short-lived download links intake gives a reader of a case's files (its attachment list, an Open311
request's `media_url`): made for that reader, so each download is written to the access log in its name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.contracts.attachment_links import LinkGrant, LinkVariant, download_url
from services.contracts.credentials import Principal
from services.intake.dependencies import IntakeServices


def links_expire_at(services: IntakeServices) -> datetime:
    """When links made now stop working (`HOTLINE_INTAKE_ATTACHMENT_LINK_SECONDS` from now, to the second)."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=services.settings.attachment_link_seconds)


def download_link(
    services: IntakeServices,
    reader: Principal,
    *,
    case_id: str,
    attachment_id: str,
    variant: LinkVariant,
    expires_at: datetime,
    base_url: str,
) -> str:
    """A link to one file (or its thumbnail) for `reader`, under `HOTLINE_INTAKE_PUBLIC_URL` when set, else under
    `base_url` (the address the request came to)."""
    grant = LinkGrant(
        case_id=case_id,
        attachment_id=attachment_id,
        variant=variant,
        client_id=reader.client_id,
        kind=reader.kind,
        subject=reader.subject,
        expires_at=expires_at,
    )
    return download_url(services.settings.public_url or base_url, grant, services.keyring)
