"""Every error becomes a JSON answer with a clear message: never a stack trace, never the input echoed back."""

from __future__ import annotations

from typing import Any

import nats.errors
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from services.intake.errors import ApiError

log = structlog.get_logger(__name__)


class ErrorBody(BaseModel):
    detail: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown case or unit."},
    409: {"model": ErrorBody, "description": "The case's state does not allow this action; `detail` says why."},
    503: {"model": ErrorBody, "description": "An engine is not answering; retry after `Retry-After` seconds."},
}

# nats-py's errors when JetStream does not take or acknowledge a publish.
NATS_UNAVAILABLE = (
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
    nats.errors.ConnectionClosedError,
    nats.errors.OutboundBufferLimitError,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.NoStreamResponseError,
)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for error in NATS_UNAVAILABLE:
        app.add_exception_handler(error, _bus_unavailable)
    app.add_exception_handler(Exception, _unexpected)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Name the field and the problem; leave out `input`, which may hold a caller's personal data.
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type", "")}
        for error in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=422)


async def _bus_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("nats.unavailable", path=request.url.path, error=repr(exc))
    return JSONResponse(
        {"detail": "the message bus did not acknowledge the request; nothing was recorded, retry shortly"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("api.unexpected_error", path=request.url.path, error_type=type(exc).__name__, exc_info=exc)
    return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)
