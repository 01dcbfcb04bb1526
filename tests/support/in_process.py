"""Intake, router, workflows and notifier as tasks of this test's event loop, each started by its own entry point
(`main(stop)`, intake's app under uvicorn) on real engines: for what only one process can observe, such as the spans
of an in-memory exporter. Configured, as in production, by their `HOTLINE_*` environment variables."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import structlog
import uvicorn

from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from services.notifier.__main__ import main as notifier_main
from services.router.__main__ import main as router_main
from services.workflows.__main__ import main as workflows_main
from tests.support.credentials import ActAsBody
from tests.support.engines import NatsServer, TemporalDevServer, free_port
from tests.support.services import service_env

MAINS = {"router": router_main, "workflows": workflows_main, "notifier": notifier_main}


@dataclass
class InProcessServices:
    intake_url: str
    ops_urls: dict[str, str]
    keys: dict[str, str]

    def client(self) -> httpx.AsyncClient:
        """An API client that speaks as whoever each request is for (see `tests/support/credentials.py`)."""
        return httpx.AsyncClient(base_url=self.intake_url, timeout=30, auth=ActAsBody(self.keys))


@asynccontextmanager
async def services_in_process(
    nats: NatsServer, temporal: TemporalDevServer, keys: dict[str, str], env: pytest.MonkeyPatch
) -> AsyncIterator[InProcessServices]:
    """Start the four services (waiting until each is healthy), yield, then stop them as SIGTERM would."""
    settings_env = service_env(nats_url=nats.url, temporal_address=temporal.address)
    for name, value in settings_env.items():
        if name.startswith("HOTLINE_"):
            env.setenv(name, value)
    ports = {name: free_port() for name in (*MAINS, "intake")}
    for name in MAINS:
        env.setenv(f"HOTLINE_{name.upper()}_OPS_PORT", str(ports[name]))
    env.setenv("HOTLINE_INTAKE_PORT", str(ports["intake"]))
    # Each main configures logging for its process (stdout, JSON): put back as it was once they have stopped.
    root = logging.getLogger()
    handlers, level, structlog_config = root.handlers[:], root.level, structlog.get_config()
    stop = asyncio.Event()
    tasks = [asyncio.create_task(main(stop), name=name) for name, main in MAINS.items()]
    intake = uvicorn.Server(
        uvicorn.Config(create_app(IntakeSettings()), host="127.0.0.1", port=ports["intake"], log_config=None)
    )
    tasks.append(asyncio.create_task(intake.serve(), name="intake"))
    running = InProcessServices(
        intake_url=f"http://127.0.0.1:{ports['intake']}",
        ops_urls={name: f"http://127.0.0.1:{ports[name]}" for name in MAINS},
        keys=keys,
    )
    try:
        await _wait_healthy([running.intake_url, *running.ops_urls.values()], tasks)
        yield running
    finally:
        stop.set()
        intake.should_exit = True
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=60)
        root.handlers[:], root.level = handlers, level
        structlog.configure(**structlog_config)


async def _wait_healthy(urls: list[str], tasks: list[asyncio.Task[None]], *, timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient(timeout=2) as http:
        for url in urls:
            while True:
                failed = [task for task in tasks if task.done()]
                if failed:
                    raise RuntimeError(f"{failed[0].get_name()} stopped at start") from failed[0].exception()
                try:
                    if (await http.get(f"{url}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"{url} not healthy after {timeout}s")
                await asyncio.sleep(0.1)
