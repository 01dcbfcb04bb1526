"""Who may act on a special rectification (pure): the lead unit and participants report progress, the coordination
centre closes it; what they may not do is refused with a reason the API answers 409 with."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError

from services.assessment.rectification.rectification_state import RectificationState
from services.contracts.case_actions import COORDINATION_CENTRE
from services.contracts.problem_codes import ProblemCode
from services.contracts.rectifications import RECTIFICATION_REFUSED, RectificationClosing, RectificationProgress


class RectificationRefused(ApplicationError):
    """An action the rectification's state (or the actor) does not allow; the API answers 409 with the message."""

    def __init__(self, reason: str, code: ProblemCode) -> None:
        super().__init__(reason, code.value, type=RECTIFICATION_REFUSED, non_retryable=True)


def check_reporter(state: RectificationState, report: RectificationProgress) -> None:
    if report.unit not in state.units:
        raise RectificationRefused(
            f"{report.unit!r} is neither the lead unit nor a participant of this rectification",
            ProblemCode.NOT_RECTIFICATION_UNIT,
        )


def check_closer(closing: RectificationClosing) -> None:
    if closing.unit != COORDINATION_CENTRE:
        raise RectificationRefused(
            f"only the coordination centre closes a rectification, not {closing.unit!r}",
            ProblemCode.COORDINATION_CENTRE_ONLY,
        )
