"""The units' webhook receiver for the benchmarks: a real local HTTP server that notes when each case arrived."""

from __future__ import annotations

import json
from collections import Counter

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench.arrivals import Arrivals
from services.contracts.events import EventKind
from tests.support.local_http import LocalHttpServer


class WebhookSink:
    """`assigned` holds when each case's first `case_assigned` webhook arrived; `deliveries` counts every POST."""

    def __init__(self) -> None:
        self.assigned = Arrivals()
        self.deliveries: Counter[str] = Counter()
        self._server = LocalHttpServer()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/hook"

    async def start(self) -> None:
        await self._server.start(Starlette(routes=[Route("/hook", self._receive, methods=["POST"])]))

    async def stop(self) -> None:
        await self._server.stop()

    async def _receive(self, request: Request) -> JSONResponse:
        event = json.loads(await request.body())
        self.deliveries[event["kind"]] += 1
        if event["kind"] == EventKind.CASE_ASSIGNED.value:
            self.assigned.record(event["case_id"])
        return JSONResponse({"ok": True})
