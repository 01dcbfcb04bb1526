"""Fixtures every kind of test uses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.support.receiver import WebhookReceiver


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    """A real local HTTP receiver (webhooks, robots, gateways, callbacks), stopped after the test."""
    server = WebhookReceiver()
    await server.start()
    yield server
    await server.stop()
