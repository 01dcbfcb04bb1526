"""ASGI middleware refusing request bodies above a size limit with 413, before they are read into memory."""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.contracts.problem_codes import ProblemCode
from services.intake.problem_details import refusal_body


def _path_pattern(template: str) -> re.Pattern[str]:
    """`/v1/cases/{case_id}/attachments` → a pattern matching it with any one segment for each `{...}`."""
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts) + "/?")


class BodySizeLimit:
    """`max_bytes` for every request, except the paths of `larger` (route templates), which have their own."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, larger: Mapping[str, int] | None = None) -> None:
        self._app = app
        self._max_bytes = max_bytes
        self._larger = [(_path_pattern(template), limit) for template, limit in (larger or {}).items()]

    def _limit(self, path: str) -> int:
        return next((limit for pattern, limit in self._larger if pattern.fullmatch(path)), self._max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        max_bytes = self._limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await self._refuse(scope, send, max_bytes)
            return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    refused = True
                    raise _TooLarge(max_bytes)
            return message

        try:
            await self._app(scope, limited_receive, send)
        except _TooLarge:
            if refused:
                await self._refuse(scope, send, max_bytes)

    async def _refuse(self, scope: Scope, send: Send, max_bytes: int) -> None:
        detail = f"request body exceeds {max_bytes} bytes"
        media_type, body = refusal_body(ProblemCode.BODY_TOO_LARGE, 413, detail, path=scope["path"])
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", media_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    # An HTTPException because FastAPI turns any other error raised while it reads a body into a 400.
    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413, detail=f"request body exceeds {max_bytes} bytes")
