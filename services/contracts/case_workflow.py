"""Names of the case workflows' types, queries, updates and signals: how services call them without importing them."""

from __future__ import annotations

from enum import StrEnum

WORKFLOW_TYPE = "FirstContactCase"
JOINT_TASK_TYPE = "JointTask"
TOP_LEVEL_TYPE = "TopLevelCoordination"
TRIAGE_CASE_TYPE = "TriageCase"
# The coordination centre's decision on a `TriageCase` (an Update; refusals fail with ACTION_REFUSED).
TRIAGE_DECIDE_UPDATE = "decide"
STATE_QUERY = "state"
# The workflow's own state with its bookkeeping: for operators and tests, never served by the API.
INTERNAL_STATE_QUERY = "internal_state"
# The ApplicationError type a refused action fails with; the API answers it with 409.
ACTION_REFUSED = "CaseActionRefused"


class CaseUpdate(StrEnum):
    """Actions on a case, each a Temporal Update on `FirstContactCase`."""

    ACCEPT = "accept"
    TRANSFER = "transfer"
    ARBITRATE = "arbitrate"
    FEEDBACK = "feedback"
    PROGRESS = "progress"
    REQUEST_JOINT_HANDLING = "request_joint_handling"
    CLOSE_JOINT_PHASE = "close_joint_phase"
    ESCALATE = "escalate"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    RESOLVE = "resolve"
    RATE = "rate"
    JUDGE_UNREASONABLE_DEMAND = "judge_unreasonable_demand"
    ADD_ATTACHMENT = "add_attachment"


class JointTaskUpdate(StrEnum):
    """A participant's actions on its `JointTask`."""

    ACCEPT = "accept"
    REPORT = "report"
    COMPLETE = "complete"


class CaseSignal(StrEnum):
    JOINT_TASK_CHANGED = "joint_task_changed"
    RECOMPUTE_DEADLINES = "recompute_deadlines"


class TopLevelSignal(StrEnum):
    CASE_CHANGED = "case_changed"


def joint_task_workflow_id(case_id: str, phase: int, unit: str) -> str:
    return f"case-{case_id}-joint-{phase}-{unit}"


def top_level_workflow_id(case_id: str) -> str:
    """The case's one top-level coordination: it follows the case through reworks until the case closes."""
    return f"toplevel-{case_id}"
