"""Links to the attachments an event names, for its delivery (a resolution's after-photo in a platform's callback,
its thumbnail in a unit's email).

Signed as intake signs its own (services/contracts/attachment_links.py, a key derived from the payload keys the
notifier holds too), for the recipient, so each download is written to the case's access log in its name; served by
intake at `HOTLINE_NOTIFIER_PUBLIC_API_URL`. Without that address no links are made: a link to an address a receiver
cannot reach helps no one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.contracts.attachment_links import LinkGrant, LinkVariant, download_url
from services.contracts.credentials import ClientKind
from services.contracts.events import Audience, NotificationEvent
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.webhook_bodies import MediaLink


class MediaLinks:
    def __init__(self, *, api_url: str | None, keyring: PayloadKeyring, lifetime: timedelta) -> None:
        self._api_url = api_url.rstrip("/") if api_url else None
        self._keyring = keyring
        self._lifetime = lifetime

    def for_event(self, event: NotificationEvent, *, now: datetime | None = None) -> list[MediaLink]:
        """A link per attachment the event names (and to its thumbnail, for those the event says have one), made
        for its recipient; none without an API address."""
        api_url = self._api_url
        if api_url is None or not event.attachment_ids or event.audience not in _LINKED:
            return []
        expires_at = (now or datetime.now(UTC)).replace(microsecond=0) + self._lifetime
        kind, subject = _recipient(event)

        def link(attachment_id: str, variant: LinkVariant) -> str:
            grant = LinkGrant(
                case_id=event.case_id,
                attachment_id=attachment_id,
                variant=variant,
                client_id=f"notifier:{event.unit}",
                kind=kind,
                subject=subject,
                expires_at=expires_at,
            )
            return download_url(api_url, grant, self._keyring)

        thumbnailed = set(event.thumbnail_ids)
        return [
            MediaLink(
                attachment_id=attachment_id,
                url=link(attachment_id, LinkVariant.FILE),
                thumbnail_url=link(attachment_id, LinkVariant.THUMBNAIL) if attachment_id in thumbnailed else None,
                expires_at=expires_at,
            )
            for attachment_id in event.attachment_ids
        ]


# Recipients whose deliveries carry links: the platform, and a unit (its webhook, and its email and robot messages
# too: a unit may read the case's files anyway, and the download is logged in its name). Not a unit leader's, a
# leader's or the centre's copy: they read a case's files in the console, where each reader is logged as themself,
# and a link in a copy sent up the ladder would be followed in the name of someone else.
_LINKED = (Audience.UNIT, Audience.PLATFORM)


def _recipient(event: NotificationEvent) -> tuple[ClientKind, str]:
    """Who the access log names for a download through the link: the platform (by its channel) or the unit."""
    if event.audience is Audience.PLATFORM:
        return ClientKind.PLATFORM, event.channel or event.unit
    return ClientKind.UNIT, event.unit
