"""The whole system on real binaries: nats-server, the Temporal dev server and our four services."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from temporalio.client import Client

from services.contracts.settings import ServiceSettings
from services.engines.temporal import connect_temporal
from tests.support.case_lifecycle import fail_on_server_error
from tests.support.credentials import ActAsBody, dev_keys
from tests.support.engines import NatsServer, TemporalDevServer
from tests.support.receiver import WebhookReceiver
from tests.support.services import ServiceProcess, build_services, service_env

pytestmark = pytest.mark.integration


@dataclass
class RunningSystem:
    nats: NatsServer
    temporal: TemporalDevServer
    services: dict[str, ServiceProcess]
    workdir: Path
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return self.services["intake"].base_url

    @classmethod
    async def start(cls, workdir: Path, *, extra_env: dict[str, str] | None = None) -> RunningSystem:
        """Engines first, then the services, each waited on until healthy; `extra_env` overrides settings."""
        running = cls(NatsServer.at(workdir), TemporalDevServer.at(workdir), {}, workdir)
        await running.nats.start()
        running.keys = await dev_keys(workdir, running.nats.url)
        await running.temporal.start()
        env = service_env(nats_url=running.nats.url, temporal_address=running.temporal.address, extra=extra_env)
        running.services = build_services(env, workdir)
        await asyncio.gather(*(process.start() for process in running.services.values()))
        return running

    def client(self) -> httpx.AsyncClient:
        """An API client that speaks as whoever each request is for (see `tests/support/credentials.py`)."""
        return httpx.AsyncClient(base_url=self.api_url, timeout=30, auth=ActAsBody(self.keys))

    def stop(self) -> None:
        """The services all at once (each waited on), then the engines they were using."""
        with ThreadPoolExecutor(max_workers=len(self.services) or 1) as pool:
            list(pool.map(ServiceProcess.stop, self.services.values()))
        self.temporal.stop()
        self.nats.stop()


@pytest_asyncio.fixture(scope="session")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    running = await RunningSystem.start(tmp_path_factory.mktemp("system"))
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


@pytest_asyncio.fixture(scope="session")
async def temporal_client(system: RunningSystem) -> Client:
    return await connect_temporal(ServiceSettings(temporal_address=system.temporal.address))


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    server = WebhookReceiver()
    await server.start()
    yield server
    await server.stop()
