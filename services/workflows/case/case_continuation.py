"""Continuing a long case as a new run: what it carries over and when it goes (pure).

A case open for months with many reports must stay well under Temporal's history limits (51,200 events, 50 MB):
its workflow continues as new when the server suggests it or past the policy's `continue_as_new_after_events`,
carrying its whole state, once every update in flight has finished.
"""

from __future__ import annotations

from pydantic import BaseModel

from services.contracts.case_policy import CasePolicy
from services.contracts.cases import CaseStatus, RoutedCase
from services.workflows.case.case_state import CaseState


class CaseContinuation(BaseModel):
    """Where the previous run had got to."""

    state: CaseState
    policy: CasePolicy
    runs: int = 1


class CaseInput(RoutedCase):
    """`FirstContactCase`'s input: the routed case as the starter sends it, and, for a run that continues an earlier
    one, the continuation."""

    continued: CaseContinuation | None = None


def continue_as_new_due(
    state: CaseState, policy: CasePolicy, *, history_length: int, suggested: bool, children_open: bool
) -> bool:
    """Whether the case should continue as new now.

    Not while children of this run are open (joint tasks, top-level coordination): they belong to the run and
    would be cancelled with it; the case goes once they are done.
    """
    if state.status is CaseStatus.CLOSED or children_open or state.open_joint_phase() is not None:
        return False
    return suggested or history_length >= policy.continue_as_new_after_events
