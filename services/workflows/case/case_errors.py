"""The error a refused action fails with; the API turns it into 409 with its message and code."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from services.contracts.case_workflow import ACTION_REFUSED
from services.contracts.problem_codes import ProblemCode


class CaseActionRefused(ApplicationError):
    """An action the case's state (or the actor's place in it) does not allow; `code` says why, for machines."""

    def __init__(self, reason: str, code: ProblemCode) -> None:
        super().__init__(reason, code.value, type=ACTION_REFUSED, non_retryable=True)
