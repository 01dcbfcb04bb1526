"""Every error becomes an RFC 9457 problem (`application/problem+json`) with a clear message and a stable code:
never a stack trace, never the input echoed back."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.contracts.problem_codes import ProblemCode, codes_with_status
from services.engines.temporal import temporal_unreachable
from services.intake.bus_errors import NATS_UNAVAILABLE
from services.intake.errors import ApiError
from services.intake.problem_details import ErrorBody, ValidationErrorBody, field_code, problem_response

log = structlog.get_logger(__name__)

RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer", "minimum": 1}}
}


def _with_codes(description: str, status: int) -> str:
    codes = ", ".join(f"`{code.value}`" for code in codes_with_status(status))
    return f"{description}\n\n`code`: {codes} (docs/errors.md)."


# Every router declares these (`APIRouter(responses=ERROR_RESPONSES)`); a route adds its own successes. Their media
# type is `application/problem+json` (services/intake/openapi_schema.py relabels what FastAPI calls JSON).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": _with_codes("The body cannot be read: it is not UTF-8 text.", 400)},
    401: {
        "model": ErrorBody,
        "description": _with_codes(
            "No API key, or one that is unknown, revoked or expired: send `Authorization: Bearer <key>`.", 401
        ),
    },
    403: {
        "model": ErrorBody,
        "description": _with_codes(
            "This kind of client may not do this, or not on this case, channel or unit, or not in the name it "
            "gives; `detail` says which.",
            403,
        ),
    },
    404: {
        "model": ErrorBody,
        "description": _with_codes(
            "No such case, unit, channel, catalog version, catalog change, notification or key (a platform also "
            "gets 404 for another platform's case).",
            404,
        ),
    },
    409: {
        "model": ErrorBody,
        "description": _with_codes(
            "The case's (or the catalog change's) state does not allow this action; `detail` says why.", 409
        ),
    },
    413: {
        "model": ErrorBody,
        "description": _with_codes("The request body is larger than the intake accepts.", 413),
    },
    422: {
        "model": ValidationErrorBody,
        "description": _with_codes(
            "The request does not fit the schema (each field's problem with its own `code`), or names a unit, "
            "catalog item or value that the catalog or the rules refuse.",
            422,
        ),
    },
    429: {
        "model": ErrorBody,
        "description": _with_codes("This client's rate limit is used up; retry after `Retry-After` seconds.", 429),
        "headers": RETRY_AFTER,
    },
    503: {
        "model": ErrorBody,
        "description": _with_codes(
            "An engine (NATS, Temporal or the case records) is not answering; retry after `Retry-After` seconds.",
            503,
        ),
        "headers": RETRY_AFTER,
    },
}


# The framework's own refusals (an unknown path, a method the path does not take, a body it cannot read).
_HTTP_CODES = {
    400: ProblemCode.BAD_REQUEST,
    404: ProblemCode.NOT_FOUND,
    405: ProblemCode.METHOD_NOT_ALLOWED,
    413: ProblemCode.BODY_TOO_LARGE,
}


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for error in NATS_UNAVAILABLE:
        app.add_exception_handler(error, _bus_unavailable)
    # A lazy Temporal client's failed first connection is a bare RuntimeError.
    app.add_exception_handler(RuntimeError, _temporal_unreachable)
    app.add_exception_handler(Exception, _unexpected)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return problem_response(exc.code, exc.message, instance=request.url.path, status=exc.status_code, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Name the field and the problem; leave out `input`, which may hold a caller's personal data.
    errors = [
        {
            "loc": list(error.get("loc", ())),
            "msg": error.get("msg", ""),
            "type": error.get("type", ""),
            "code": field_code(error.get("type", "")).value,
        }
        for error in exc.errors()
    ]
    return problem_response(ProblemCode.REQUEST_INVALID, errors, instance=request.url.path)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, ProblemCode.BAD_REQUEST)
    return problem_response(
        code, str(exc.detail), instance=request.url.path, status=exc.status_code, headers=exc.headers
    )


async def _bus_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("nats.unavailable", path=request.url.path, error=repr(exc))
    detail = "the message bus did not acknowledge the request; nothing was recorded, retry shortly"
    return _unavailable(request, ProblemCode.MESSAGE_BUS_UNAVAILABLE, detail)


async def _temporal_unreachable(request: Request, exc: Exception) -> JSONResponse:
    if not temporal_unreachable(exc):
        raise exc  # any other RuntimeError is a bug: `_unexpected` logs it
    # Intake started while Temporal was down and has not reached it yet: a passing outage, not a bug.
    log.warning("temporal.unavailable", path=request.url.path, error=str(exc))
    return _unavailable(
        request, ProblemCode.WORKFLOW_ENGINE_UNAVAILABLE, "the workflow engine is not answering; retry shortly"
    )


def _unavailable(request: Request, code: ProblemCode, detail: str) -> JSONResponse:
    """A 503 for an engine's passing outage: retry in five seconds."""
    return problem_response(code, detail, instance=request.url.path, headers={"Retry-After": "5"})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("api.unexpected_error", path=request.url.path, error_type=type(exc).__name__, exc_info=exc)
    return problem_response(ProblemCode.INTERNAL_ERROR, "internal error; it has been logged", instance=request.url.path)
