"""A unit's call is never handed back to its calling unit: intake says which field (422), the case says why (409)."""

from __future__ import annotations

import pytest

from services.contracts.case_view import CaseView
from services.contracts.cases import CaseStatus
from services.intake.case_checks import require_not_calling_unit
from services.intake.errors import UnprocessableInput
from services.workflows.case import case_rules
from services.workflows.case.case_errors import CaseActionRefused


def _case(calling_unit: str | None) -> CaseView:
    return CaseView(
        case_id="c",
        status=CaseStatus.ASSIGNED,
        channel="township_call" if calling_unit else "12345",
        external_id="TC-1",
        handling_unit="water",
        calling_unit=calling_unit,
    )


@pytest.mark.parametrize(
    ("calling_unit", "named", "refused"),
    [
        pytest.param("hekou-town", "hekou-town", True, id="the caller itself"),
        pytest.param("hekou-town", "shiqiao-town", False, id="another township"),
        pytest.param(None, "hekou-town", False, id="a platform's ticket has no caller unit"),
    ],
)
def test_the_calling_unit_is_refused(calling_unit: str | None, named: str, refused: bool) -> None:
    view = _case(calling_unit)
    if not refused:
        require_not_calling_unit(view, named, "to_unit")
        case_rules.require_not_calling_unit(view, named)
        return
    with pytest.raises(UnprocessableInput, match=r"^to_unit: 'hekou-town' is the calling unit of this call"):
        require_not_calling_unit(view, named, "to_unit")
    with pytest.raises(CaseActionRefused, match="cannot answer its own call"):
        case_rules.require_not_calling_unit(view, named)
