"""The units' webhook receiver for the benchmarks: a real local HTTP server that notes when each case arrived."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.arrivals import Arrivals
from services.contracts.events import EventKind
from tests.support.engines import free_port, wait_for_port


class WebhookSink:
    """`assigned` holds when each case's first `case_assigned` webhook arrived; `deliveries` counts every POST."""

    def __init__(self) -> None:
        self.port = free_port()
        self.assigned = Arrivals()
        self.deliveries: Counter[str] = Counter()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> None:
        app = Starlette(routes=[Route("/hook", self._receive, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        await wait_for_port(self.port)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    async def _receive(self, request: Request) -> JSONResponse:
        event = json.loads(await request.body())
        self.deliveries[event["kind"]] += 1
        if event["kind"] == EventKind.CASE_ASSIGNED.value:
            self.assigned.record(event["case_id"])
        return JSONResponse({"ok": True})
