"""A real HTTP server on a free loopback port, run inside the test's (or benchmark's) own event loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import uvicorn
from starlette.types import ASGIApp

from tests.support.engines import free_port, wait_for_port


@dataclass
class LocalHttpServer:
    port: int = field(default_factory=free_port)
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    async def start(self, app: ASGIApp) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        await wait_for_port(self.port)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = None
            self._task = None
