"""Links to the attachments an event names, for its delivery (a resolution's after-photo in a platform's callback).

Signed as intake signs its own (services/contracts/attachment_links.py, a key derived from the payload keys the
notifier holds too), for the recipient, so each download is written to the case's access log in its name; served by
intake at `HOTLINE_NOTIFIER_PUBLIC_API_URL`. Without that address no links are made: a link to an address a receiver
cannot reach helps no one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.contracts.attachment_links import DOWNLOAD_PATH, LinkGrant, LinkVariant, make_link_token
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
        """A link per attachment the event names, made for its recipient (none without an API address)."""
        if self._api_url is None or not event.attachment_ids or event.audience not in _LINKED:
            return []
        expires_at = (now or datetime.now(UTC)).replace(microsecond=0) + self._lifetime
        kind, subject = _recipient(event)
        return [
            MediaLink(
                attachment_id=attachment_id,
                url=self._api_url
                + DOWNLOAD_PATH.format(
                    token=make_link_token(
                        LinkGrant(
                            case_id=event.case_id,
                            attachment_id=attachment_id,
                            variant=LinkVariant.FILE,
                            client_id=f"notifier:{event.unit}",
                            kind=kind,
                            subject=subject,
                            expires_at=expires_at,
                        ),
                        self._keyring,
                    )
                ),
                expires_at=expires_at,
            )
            for attachment_id in event.attachment_ids
        ]


# Recipients whose deliveries carry links: the handling unit and the platform (not leaders' or the centre's copies).
_LINKED = (Audience.UNIT, Audience.PLATFORM)


def _recipient(event: NotificationEvent) -> tuple[ClientKind, str]:
    """Who the access log names for a download through the link: the platform (by its channel) or the unit."""
    if event.audience is Audience.PLATFORM:
        return ClientKind.PLATFORM, event.channel or event.unit
    return ClientKind.UNIT, event.unit
