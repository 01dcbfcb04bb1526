"""What a receiver gets: the bodies and headers of the notifier's POSTs to a unit's webhook and to a platform's
callback URL, as the API's OpenAPI `webhooks` section declares them (docs/notifications.md).

The notifier builds the bytes (services/notifier/channels/webhook.py, platform_callback.py); these models say what
those bytes are, and a test holds the two together.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from services.contracts.case_event_log import SealedData
from services.contracts.events import NotificationEvent

TIMESTAMP_HEADER = "X-Hotline-Timestamp"
SIGNATURE_HEADER = "X-Hotline-Signature"
EVENT_ID_HEADER = "X-Hotline-Event-Id"
EVENT_KIND_HEADER = "X-Hotline-Event-Kind"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# A receiver refuses a timestamp further than this from its clock (a replay).
REPLAY_WINDOW_SECONDS = 300


class MediaLink(BaseModel):
    """A link to one of the attachments an event names: it works without an API key until `expires_at`, and each
    download is written to the case's access log in the recipient's name."""

    attachment_id: str
    url: str = Field(description="The file (a photo's EXIF stripped).")
    thumbnail_url: str | None = Field(
        default=None, description="A 320 px JPEG thumbnail (the event's `thumbnail_ids`); null for other files."
    )
    expires_at: datetime


MEDIA_DESCRIPTION = "Links to the event's `attachment_ids` (empty where the notifier has no public API address)."


class WebhookEvent(NotificationEvent):
    """The body of a POST to a recipient's webhook: the event, with the ticket's address and description opened for
    the unit (never in their sealed form)."""

    sealed_ticket: SkipJsonSchema[SealedData | None] = Field(default=None, exclude=True)
    description: str | None = Field(
        default=None,
        description="The ticket's description, on a unit's `case_assigned` and `arbitration_decided` (absent "
        "otherwise).",
    )
    media: list[MediaLink] = Field(default_factory=list, description=MEDIA_DESCRIPTION)


class CallbackEvent(NotificationEvent):
    """The body of a platform status callback: the event about its ticket (no address, no description)."""

    sealed_ticket: SkipJsonSchema[SealedData | None] = Field(default=None, exclude=True)
    media: list[MediaLink] = Field(default_factory=list, description=MEDIA_DESCRIPTION)
