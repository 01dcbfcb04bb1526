"""Webhook channel: POST the event as JSON to the unit's URL; any 2xx is delivered."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from services.contracts.events import NotificationEvent

EVENT_ID_HEADER = "X-Hotline-Event-Id"
EVENT_KIND_HEADER = "X-Hotline-Event-Kind"


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    detail: str = ""


class WebhookSender:
    """Shares one HTTP connection pool across deliveries."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def deliver(self, event: NotificationEvent, url: str) -> DeliveryResult:
        """POST the event; a timeout, a connection error or a non-2xx answer is a failed attempt."""
        try:
            response = await self._http.post(
                url,
                content=event.model_dump_json().encode(),
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Idempotency-Key": event.event_id,
                    EVENT_ID_HEADER: event.event_id,
                    EVENT_KIND_HEADER: event.kind.value,
                },
            )
        except httpx.HTTPError as exc:
            return DeliveryResult(False, f"{type(exc).__name__}: {exc}")
        if response.is_success:
            return DeliveryResult(True, str(response.status_code))
        return DeliveryResult(False, f"HTTP {response.status_code}")
