"""The receiver example takes what the real notifier signs (a unit's webhook and a platform's callback), each event
once, and refuses a body changed on the way, another secret and a replayed timestamp."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest
import pytest_asyncio

from clients.examples.webhook_receiver import Inbox, create_app
from services.contracts import unit_channels
from services.contracts.events import Audience, EventKind
from services.notifier.channels.base import Delivery
from services.notifier.channels.webhook import WebhookChannel, signed_headers, webhook_body
from services.notifier.outbound_http import OutboundHttp
from services.notifier.platform_callback import PlatformCallback
from services.notifier.rendering import TemplateRenderer
from services.notifier.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_signature
from tests.support.local_http import LocalHttpServer
from tests.unit.event_builders import realistic_event

SECRET = "kJ3x9Qm2Lw8Rt5Yv1Zp7Nc4Hd6Gf0Ab"
PATH = "/hotline/events"
# A delivery made up from the real body: what reaches the receiver, and with which headers.
Forgery = Callable[[bytes], tuple[bytes, dict[str, str]]]


@pytest_asyncio.fixture
async def inbox() -> AsyncIterator[tuple[Inbox, str]]:
    """The example receiving on a real port; what it kept, and its URL."""
    kept = Inbox()
    server = LocalHttpServer()
    await server.start(create_app(SECRET, kept, path=PATH))
    yield kept, f"http://127.0.0.1:{server.port}{PATH}"
    await server.stop()


def delivery_to(url: str, kind: EventKind = EventKind.CASE_ASSIGNED) -> Delivery:
    channels = unit_channels.UnitChannels(
        unit="water", webhook=unit_channels.WebhookChannel(url=url, secret=SECRET, updated_at=datetime.now(UTC))
    )
    return Delivery(
        event=realistic_event(kind), channels=channels, renderer=TemplateRenderer(), description="停水两天。"
    )


async def test_a_notifier_signed_webhook_is_taken_once(inbox: tuple[Inbox, str]) -> None:
    kept, url = inbox
    delivery = delivery_to(url)
    async with OutboundHttp(timeout_seconds=2) as http:
        first = await WebhookChannel(http).deliver(delivery)
        again = await WebhookChannel(http).deliver(delivery)  # a redelivery: same event id, signed anew

    assert (first.delivered, again.delivered) == (True, True)
    [event] = kept.events
    assert (event.event_id, event.kind, event.title) == (
        delivery.event.event_id,
        "case_assigned",
        "小区停水两天无人处理",
    )


async def test_a_platform_callback_signed_with_its_key_is_taken(inbox: tuple[Inbox, str]) -> None:
    kept, url = inbox
    event = realistic_event(
        EventKind.CASE_CLOSED, unit="platform-12345", audience=Audience.PLATFORM, address=None, callback_url=url
    )
    channels = unit_channels.UnitChannels(
        unit="platform-12345",
        callback=unit_channels.PlatformCallbackChannel(secret=SECRET, updated_at=datetime.now(UTC)),
    )
    async with OutboundHttp(timeout_seconds=2) as http:
        assert (await PlatformCallback(http).deliver(event, channels)).delivered

    assert [e.kind for e in kept.events] == ["case_closed"]


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    headers = signed_headers(secret, body, "e-1", "case_assigned")
    if at is not None:  # signed at another time, as the notifier would have signed it then
        headers[TIMESTAMP_HEADER] = str(at)
        headers[SIGNATURE_HEADER] = webhook_signature(secret, at, body)
    return {**headers, "Content-Type": "application/json; charset=utf-8"}


@pytest.mark.parametrize(
    "forged",
    [
        lambda body: (body.replace("小区停水".encode(), "小区停电".encode()), signed(body)),
        lambda body: (body, signed(body, secret="another-secret-of-32-characters!")),
        lambda body: (body, signed(body, at=int(time.time()) - 330)),
        lambda body: (body, signed(body, at=int(time.time()) + 330)),
        lambda body: (body, {k: v for k, v in signed(body).items() if k != SIGNATURE_HEADER}),
    ],
    ids=["body changed", "another secret", "replayed", "from the future", "unsigned"],
)
async def test_a_tampered_or_replayed_delivery_is_refused(inbox: tuple[Inbox, str], forged: Forgery) -> None:
    kept, url = inbox
    body, headers = forged(webhook_body(delivery_to(url)))

    async with httpx.AsyncClient() as http:
        answer = await http.post(url, content=body, headers=headers)

    assert answer.status_code == 401
    assert kept.events == []


async def test_the_same_body_signed_just_now_is_taken(inbox: tuple[Inbox, str]) -> None:
    kept, url = inbox
    body = webhook_body(delivery_to(url))

    async with httpx.AsyncClient() as http:
        answer = await http.post(url, content=body, headers=signed(body, at=int(time.time()) - 290))

    assert answer.status_code == 200
    assert len(kept.events) == 1
