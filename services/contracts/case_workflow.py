"""Names of the case workflow's type, query and updates: how other services call it without importing it."""

from __future__ import annotations

from enum import StrEnum

WORKFLOW_TYPE = "FirstContactCase"
STATE_QUERY = "state"
# The ApplicationError type a refused action fails with; the API answers it with 409.
ACTION_REFUSED = "CaseActionRefused"


class CaseUpdate(StrEnum):
    """Department actions, each a Temporal Update on the case workflow."""

    ACCEPT = "accept"
    RESOLVE = "resolve"
