"""Checks of action bodies against the case they act on, so a body that could never fit it is a 422 naming the field.

The case's workflow checks the same under its lock (a 409 with the reason): these only answer earlier and say which
field is wrong, as the catalog checks do.
"""

from __future__ import annotations

from services.contracts.case_view import CaseView
from services.contracts.problem_codes import ProblemCode
from services.intake.errors import UnprocessableInput


def require_not_calling_unit(view: CaseView, code: str, field: str) -> None:
    """A township's or key-work call is never handed to the unit that made it."""
    if view.calling_unit is not None and code == view.calling_unit:
        raise UnprocessableInput(
            f"{field}: {code!r} is the calling unit of this call and cannot answer its own call; name another unit",
            code=ProblemCode.CALLING_UNIT_NAMED,
        )
