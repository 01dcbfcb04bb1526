"""What the API answers when a workflow refuses an Update (409 with its reason and code) or does not answer (503)."""

from __future__ import annotations

import structlog
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from services.contracts.problem_codes import ProblemCode, refusal_code
from services.intake.errors import Conflict, Unavailable

log = structlog.get_logger(__name__)


def refused(exc: WorkflowUpdateFailedError) -> Conflict:
    """The workflow's refusal as a 409: its message as `detail`, the code it refused with as `code`."""
    cause = exc.cause
    if isinstance(cause, ApplicationError):
        return Conflict(cause.message, code=refusal_code(cause.details))
    return Conflict(str(cause), code=ProblemCode.ACTION_REFUSED)


def workflow_unavailable(exc: RPCError) -> Unavailable:
    """A 503 to retry: the workflow engine did not answer."""
    log.warning("temporal.unavailable", status=exc.status.name if exc.status else None, error=exc.message)
    return Unavailable(
        "the workflow engine did not answer; try again shortly", code=ProblemCode.WORKFLOW_ENGINE_UNAVAILABLE
    )
