"""The error a refused action fails with; the API turns it into 409 with its message."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from services.contracts.case_workflow import ACTION_REFUSED


class CaseActionRefused(ApplicationError):
    """An action the case's state (or the actor's place in it) does not allow."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, type=ACTION_REFUSED, non_retryable=True)
