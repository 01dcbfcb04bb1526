"""Errors the API answers with a clear status, message and code (never a stack trace): RFC 9457 problem details."""

from __future__ import annotations

from services.contracts.problem_codes import ProblemCode


class ApiError(Exception):
    """An error with the HTTP status, message (`detail`) and stable code (`code`) the client sees."""

    status_code = 400
    code = ProblemCode.BAD_REQUEST

    def __init__(self, message: str, *, code: ProblemCode | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        if code is not None:
            self.code = code


class NotFound(ApiError):
    status_code = 404
    code = ProblemCode.NOT_FOUND


class Conflict(ApiError):
    """The case's state does not allow the action."""

    status_code = 409
    code = ProblemCode.ACTION_REFUSED


class UnprocessableInput(ApiError):
    status_code = 422
    code = ProblemCode.REQUEST_INVALID


class Unavailable(ApiError):
    """An engine (NATS, Temporal) is not answering: the client should retry."""

    status_code = 503
    code = ProblemCode.ENGINE_UNAVAILABLE

    def __init__(self, message: str, *, code: ProblemCode | None = None, retry_after: int = 5) -> None:
        super().__init__(message, code=code, retry_after=retry_after)


class LinkRefused(ApiError):
    """A download link that is expired, altered or not ours."""

    status_code = 403
    code = ProblemCode.ATTACHMENT_LINK_INVALID


class TooLarge(ApiError):
    status_code = 413
    code = ProblemCode.ATTACHMENT_TOO_LARGE


class UnsupportedMedia(ApiError):
    status_code = 415
    code = ProblemCode.ATTACHMENT_TYPE_NOT_ACCEPTED
