"""A real HTTP receiver for webhooks: records what arrives, can answer errors, can go down and come back."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.engines import free_port, wait_for_port


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    port: int = field(default_factory=free_port)
    received: list[ReceivedRequest] = field(default_factory=list)
    failures_to_answer: int = 0
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        app = Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])
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

    def for_case(self, case_id: str) -> list[ReceivedRequest]:
        return [r for r in self.received if r.json().get("case_id") == case_id]

    async def _receive(self, request: Request) -> JSONResponse:
        if self.failures_to_answer > 0:
            self.failures_to_answer -= 1
            return JSONResponse({"error": "try later"}, status_code=500)
        self.received.append(ReceivedRequest(request.url.path, dict(request.headers), await request.body()))
        return JSONResponse({"ok": True})
