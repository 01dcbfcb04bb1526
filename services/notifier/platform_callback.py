"""Platform status callbacks: the event POSTed to the ticket's `callback_url`, signed with the platform's key."""

from __future__ import annotations

import json
from collections.abc import Sequence

from services.contracts.events import NotificationEvent
from services.contracts.unit_channels import UnitChannels
from services.contracts.webhook_bodies import MediaLink
from services.notifier.channels.base import DeliveryResult, post_json
from services.notifier.channels.webhook import signed_headers
from services.notifier.outbound_http import OutboundHttp


class PlatformCallback:
    name = "callback"

    def __init__(self, http: OutboundHttp) -> None:
        self._http = http

    async def deliver(
        self, event: NotificationEvent, channels: UnitChannels | None, media: Sequence[MediaLink] = ()
    ) -> DeliveryResult:
        assert event.callback_url is not None
        secret = channels.callback.secret if channels is not None and channels.callback is not None else ""
        # A platform's events never carry the description; were one to, it would not go out sealed.
        fields = event.model_dump(mode="json", exclude={"sealed_ticket"})
        if media:
            fields["media"] = [link.model_dump(mode="json") for link in media]
        body = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
        return await post_json(
            self._http, event.callback_url, body, signed_headers(secret, body, event.event_id, event.kind.value)
        )
