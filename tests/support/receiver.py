"""A real HTTP receiver for webhooks: records what arrives, can answer errors, can go down and come back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.engines import free_port
from tests.support.local_http import LocalHttpServer


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    query: dict[str, str] = field(default_factory=dict)
    status: int = 200

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """`received` holds the requests answered with success; `requests` every request, with the status answered.

    `failures_to_answer` requests (only those `fail_only` picks, when set) are answered `failure_status`;
    the others get `answer` as JSON with 200 (robots and SMS gateways judge success by the answer's fields),
    after `answer_delay_seconds` (a receiver slower than the sender's timeout).
    """

    port: int = field(default_factory=free_port)
    received: list[ReceivedRequest] = field(default_factory=list)
    requests: list[ReceivedRequest] = field(default_factory=list)
    failures_to_answer: int = 0
    fail_only: Callable[[ReceivedRequest], bool] | None = None
    failure_status: int = 500
    answer: Any = field(default_factory=lambda: {"ok": True})
    answer_delay_seconds: float = 0.0
    _server: LocalHttpServer | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        self._server = LocalHttpServer(self.port)
        await self._server.start(Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])]))

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()

    def for_case(self, case_id: str) -> list[ReceivedRequest]:
        return [r for r in self.received if r.json().get("case_id") == case_id]

    async def _receive(self, request: Request) -> JSONResponse:
        received = ReceivedRequest(
            request.url.path, dict(request.headers), await request.body(), dict(request.query_params)
        )
        if self.answer_delay_seconds:
            await asyncio.sleep(self.answer_delay_seconds)
        if self.failures_to_answer > 0 and (self.fail_only is None or self.fail_only(received)):
            self.failures_to_answer -= 1
            received.status = self.failure_status
            self.requests.append(received)
            return JSONResponse({"error": "try later"}, status_code=self.failure_status)
        self.requests.append(received)
        self.received.append(received)
        return JSONResponse(self.answer)
