"""A real HTTP server of files, as a platform keeps its photos for the system to fetch: each path answers what the
test puts there (bytes, or a status and headers), and every GET is counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tests.support.engines import free_port
from tests.support.local_http import LocalHttpServer


@dataclass(frozen=True)
class Served:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    streamed: bool = False  # sent chunked, with no Content-Length


@dataclass
class FileServer:
    port: int = field(default_factory=free_port)
    files: dict[str, Served] = field(default_factory=dict)
    gets: Counter[str] = field(default_factory=Counter)
    _server: LocalHttpServer | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def put(self, path: str, served: Served) -> str:
        self.files[path] = served
        return self.url(path)

    async def start(self) -> None:
        self._server = LocalHttpServer(self.port)
        await self._server.start(Starlette(routes=[Route("/{path:path}", self._serve, methods=["GET"])]))

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()

    async def _serve(self, request: Request) -> Response:
        self.gets[request.url.path] += 1
        served = self.files.get(request.url.path, Served(b"not here", status=404))
        if served.streamed:
            return StreamingResponse(iter([served.body]), status_code=served.status, headers=served.headers)
        return Response(served.body, status_code=served.status, headers=served.headers)


@asynccontextmanager
async def serving_files() -> AsyncIterator[FileServer]:
    """A started file server, stopped afterwards."""
    server = FileServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
