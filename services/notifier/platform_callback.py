"""Platform status callbacks: the event POSTed to the ticket's `callback_url`, signed with the platform's key."""

from __future__ import annotations

from services.contracts.events import NotificationEvent
from services.contracts.unit_channels import UnitChannels
from services.notifier.channels.base import DeliveryResult, post_json
from services.notifier.channels.webhook import signed_headers
from services.notifier.outbound_http import OutboundHttp


class PlatformCallback:
    name = "callback"

    def __init__(self, http: OutboundHttp) -> None:
        self._http = http

    async def deliver(self, event: NotificationEvent, channels: UnitChannels | None) -> DeliveryResult:
        assert event.callback_url is not None
        secret = channels.callback.secret if channels is not None and channels.callback is not None else ""
        # A platform's events never carry the description; were one to, it would not go out sealed.
        body = event.model_dump_json(exclude={"sealed_ticket"}).encode()
        return await post_json(
            self._http, event.callback_url, body, signed_headers(secret, body, event.event_id, event.kind.value)
        )
