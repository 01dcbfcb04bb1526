"""The protocol every delivery channel implements, and what it is handed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from services.contracts.events import NotificationEvent
from services.contracts.text_masking import mask_text
from services.contracts.unit_channels import UnitChannels
from services.contracts.webhook_bodies import MediaLink
from services.notifier.outbound_http import OutboundHttp, OutboundHttpError, ReceiverHeld
from services.notifier.rendering import Part, TemplateRenderer


@dataclass(frozen=True)
class Delivery:
    """One event for one recipient, with the recipient's channels and the renderer for the words.

    `description`: the ticket's description, opened from the event's `sealed_ticket` for this delivery (never
    logged, never stored).
    """

    event: NotificationEvent
    channels: UnitChannels
    renderer: TemplateRenderer
    description: str | None = field(default=None, repr=False)
    media: tuple[MediaLink, ...] = ()

    def render(self, part: Part, *, masked: bool = False, images: bool = True) -> str:
        """One part of the message, with the links to the event's files; `masked`: with the description's phones,
        names and addresses masked, for a group chat many people read; `images`: whether the channel shows a
        thumbnail inline (a link otherwise)."""
        description = self.description
        if masked and description:
            description = mask_text(description)
        return self.renderer.render(self.event, part, description=description, media=self.media, images=images)


@dataclass(frozen=True)
class DeliveryResult:
    """`held_seconds`: not attempted, the receiver's circuit breaker holds it that long (not a failed attempt)."""

    delivered: bool
    detail: str = ""
    held_seconds: float | None = None


def unanswered(exc: OutboundHttpError, *, limit: int = 500) -> DeliveryResult:
    """The result of a request that got no answer (or was held by the receiver's breaker)."""
    return DeliveryResult(
        False, str(exc)[:limit], held_seconds=exc.retry_after if isinstance(exc, ReceiverHeld) else None
    )


class Channel(Protocol):
    name: str

    def configured(self, channels: UnitChannels) -> bool:
        """Whether the recipient has set this channel."""
        ...

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        """Deliver once; a failure is retried by the caller with backoff."""
        ...


async def post_json(http: OutboundHttp, url: str, body: bytes, headers: dict[str, str]) -> DeliveryResult:
    """POST and judge the answer: any 2xx is delivered; a timeout, connection error or other status is not."""
    try:
        response = await http.post(url, body, {"Content-Type": "application/json; charset=utf-8", **headers})
    except OutboundHttpError as exc:
        return unanswered(exc)
    if response.is_success:
        return DeliveryResult(True, str(response.status_code))
    return DeliveryResult(False, f"HTTP {response.status_code}")
