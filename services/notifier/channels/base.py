"""The protocol every delivery channel implements, and what it is handed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.contracts.events import NotificationEvent
from services.contracts.unit_channels import UnitChannels
from services.notifier.outbound_http import OutboundHttp, OutboundHttpError
from services.notifier.rendering import TemplateRenderer


@dataclass(frozen=True)
class Delivery:
    """One event for one recipient, with the recipient's channels and the renderer for the words."""

    event: NotificationEvent
    channels: UnitChannels
    renderer: TemplateRenderer


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    detail: str = ""


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
        return DeliveryResult(False, str(exc)[:500])
    if response.is_success:
        return DeliveryResult(True, str(response.status_code))
    return DeliveryResult(False, f"HTTP {response.status_code}")
