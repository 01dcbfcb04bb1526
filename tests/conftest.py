"""Fixtures every kind of test uses: a webhook receiver, and the whole system on real binaries (nats-server, the
Temporal dev server, PostgreSQL and our services with the staff console), started once for the integration and
browser tests together."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from temporalio.client import Client

from services.contracts.settings import ServiceSettings
from services.engines.temporal import connect_temporal
from tests.support.case_lifecycle import fail_on_server_error
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    """A real local HTTP receiver (webhooks, robots, gateways, callbacks), stopped after the test."""
    server = WebhookReceiver()
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(scope="session")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    running = await RunningSystem.start(
        tmp_path_factory.mktemp("system"), with_records=True, with_console=True, with_object_store=True
    )
    try:
        yield running
    finally:
        running.stop()


@pytest_asyncio.fixture(scope="session")
async def api(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    """The API, as whoever each request speaks for (see `tests/support/credentials.py`)."""
    async with system.client() as client:
        yield client


@pytest_asyncio.fixture
async def no_server_errors(api: httpx.AsyncClient) -> AsyncIterator[None]:
    """While a test runs, any 5xx from the API fails it at the request that got it."""
    hooks = api.event_hooks["response"]
    hooks.append(fail_on_server_error)
    try:
        yield
    finally:
        hooks.remove(fail_on_server_error)


@pytest_asyncio.fixture(scope="module")
async def database(system: RunningSystem) -> AsyncIterator[AsyncEngine]:
    """The running system's records database (PostgreSQL), as an operator with a SQL prompt would reach it."""
    assert system.postgres is not None
    engine = create_async_engine(system.postgres.url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest_asyncio.fixture(scope="session")
async def temporal_client(system: RunningSystem) -> Client:
    return await connect_temporal(ServiceSettings(temporal_address=system.temporal.address))
