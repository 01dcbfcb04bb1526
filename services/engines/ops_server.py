"""`/healthz` and `/metrics` for the services that have no HTTP API of their own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import make_asgi_app

HealthCheck = Callable[[], Awaitable[dict[str, bool]]]


def ops_app(health: HealthCheck) -> FastAPI:
    """A tiny app: 200 on `/healthz` when every dependency is up, 503 naming the one that is not."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        checks = await health()
        return JSONResponse(
            {"ok": all(checks.values()), "checks": checks}, status_code=200 if all(checks.values()) else 503
        )

    @app.get("/livez")
    async def livez() -> JSONResponse:
        """Liveness: the process and its event loop answer (dependencies are `/healthz`'s business)."""
        return JSONResponse({"ok": True})

    app.mount("/metrics", make_asgi_app())
    return app


async def serve_ops(health: HealthCheck, *, host: str, port: int, stop: asyncio.Event) -> None:
    """Serve the ops app until `stop` is set."""
    server = uvicorn.Server(uvicorn.Config(ops_app(health), host=host, port=port, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await task
