"""Errors the API answers with a clear status and message (never a stack trace)."""

from __future__ import annotations


class ApiError(Exception):
    """An error with the HTTP status and message the client sees."""

    status_code = 400

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class NotFound(ApiError):
    status_code = 404


class Conflict(ApiError):
    """The case's state does not allow the action."""

    status_code = 409


class UnprocessableInput(ApiError):
    status_code = 422


class Unavailable(ApiError):
    """An engine (NATS, Temporal) is not answering: the client should retry."""

    status_code = 503

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message, retry_after=retry_after)
