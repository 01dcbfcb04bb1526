"""Every error becomes a JSON answer with a clear message: never a stack trace, never the input echoed back."""

from __future__ import annotations

from typing import Any

import nats.errors
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.engines.temporal import temporal_unreachable
from services.intake.errors import ApiError

log = structlog.get_logger(__name__)


class ErrorBody(BaseModel):
    """Any refusal but a request that does not fit the schema: one message for a person to read."""

    detail: str = Field(description="What was refused and why (never the input echoed back).")


class ValidationIssue(BaseModel):
    """One way a request does not fit the schema."""

    loc: list[str | int] = Field(description="Where: `body`, `query`, `path` or `header`, then the field's path.")
    msg: str = Field(description="What is wrong there.")
    type: str = Field(description="The kind of problem, such as `missing`, `string_too_long` or `json_invalid`.")


class ValidationErrorBody(BaseModel):
    """A 422: the request does not fit the schema, or names something the catalog or the rules refuse."""

    detail: list[ValidationIssue] | str = Field(
        description="Each problem with its location when the request does not fit the schema; one message naming "
        "the field when it fits but names an unknown unit or catalog item, or a value the rules refuse."
    )


RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer", "minimum": 1}}
}

# Every router declares these (`APIRouter(responses=ERROR_RESPONSES)`); a route adds its own successes.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body cannot be read: it is not UTF-8 text."},
    401: {
        "model": ErrorBody,
        "description": "No API key, or one that is unknown, revoked or expired: send `Authorization: Bearer <key>`.",
    },
    403: {
        "model": ErrorBody,
        "description": "This kind of client may not do this, or not on this case, channel or unit, or not in the "
        "name it gives; `detail` says which.",
    },
    404: {
        "model": ErrorBody,
        "description": "No such case, unit, channel, catalog version, catalog change, notification or key (a "
        "platform also gets 404 for another platform's case).",
    },
    409: {
        "model": ErrorBody,
        "description": "The case's (or the catalog change's) state does not allow this action; `detail` says why.",
    },
    413: {"model": ErrorBody, "description": "The request body is larger than the intake accepts."},
    422: {
        "model": ValidationErrorBody,
        "description": "The request does not fit the schema, or names a unit, catalog item or value that the "
        "catalog or the rules refuse.",
    },
    429: {
        "model": ErrorBody,
        "description": "This client's rate limit is used up; retry after `Retry-After` seconds.",
        "headers": RETRY_AFTER,
    },
    503: {
        "model": ErrorBody,
        "description": "An engine (NATS, Temporal or the case records) is not answering; retry after `Retry-After` "
        "seconds.",
        "headers": RETRY_AFTER,
    },
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
    # A lazy Temporal client's failed first connection is a bare RuntimeError.
    app.add_exception_handler(RuntimeError, _temporal_unreachable)
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


async def _temporal_unreachable(request: Request, exc: Exception) -> JSONResponse:
    if not temporal_unreachable(exc):
        raise exc  # any other RuntimeError is a bug: `_unexpected` logs it
    # Intake started while Temporal was down and has not reached it yet: a passing outage, not a bug.
    log.warning("temporal.unavailable", path=request.url.path, error=str(exc))
    return JSONResponse(
        {"detail": "the workflow engine is not answering; retry shortly"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("api.unexpected_error", path=request.url.path, error_type=type(exc).__name__, exc_info=exc)
    return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)
