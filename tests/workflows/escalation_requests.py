"""The escalation requests and the rating the escalation and top-level coordination tests act with."""

from __future__ import annotations

from services.contracts.case_actions import EscalationRequest, EscalationTarget, RatingSubmission
from services.contracts.case_view import RatingLevel

SATISFIED = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED)
TO_CITY_LEADER = EscalationRequest(
    unit="water",
    to=EscalationTarget.CITY_LEADER,
    reason="主管网破裂，需多部门配合",
    plan="建议水务局牵头，住建、交通配合抢修",
)
TO_TOP_LEVEL = EscalationRequest(
    unit="city-leader", to=EscalationTarget.TOP_LEVEL, reason="涉及全市供水调度", plan="市政府主要领导调度，周报进展"
)
