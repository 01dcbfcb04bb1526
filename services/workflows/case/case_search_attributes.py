"""The search attributes an operator finds a case by in Temporal (workflow code), upserted only when they change."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from services.contracts import search_attributes as sa
    from services.contracts.case_view import DeadlineKind
    from services.workflows.case.case_state import CaseState


class CaseSearchAttributes:
    def __init__(self) -> None:
        # Search attribute name → the value last upserted; those the case starter gave the workflow are set already.
        self._upserted: dict[str, Any] = {pair.key.name: pair.value for pair in workflow.info().typed_search_attributes}

    def sync(self, view: CaseState) -> None:
        """Upsert what changed since the last call (`view`'s summary fields are derived already)."""
        updates: list[SearchAttributeUpdate[Any]] = [
            sa.CASE_ID.value_set(view.case_id),
            sa.CASE_STATUS.value_set(view.status.value),
            sa.CHANNEL.value_set(view.channel),
            sa.ESCALATION_LEVEL.value_set(view.escalation_level),
            sa.OVERDUE.value_set(view.overdue),
            sa.PROVISIONAL_DEADLINE.value_set(view.deadlines.provisional),
        ]
        optional = [
            (sa.FIRST_CONTACT_UNIT, view.first_contact_unit),
            (sa.HANDLING_UNIT, view.handling_unit),
            (sa.TOWNSHIP, view.township),
            (sa.CATALOG_ITEM, view.catalog_item),
        ]
        updates += [key.value_set(value) for key, value in optional if value is not None]
        if view.deadlines.resolution is not None:
            updates.append(sa.RESOLUTION_DEADLINE.value_set(view.deadlines.resolution))
        elif DeadlineKind.RESOLUTION in view.deadlines.paused:
            updates.append(sa.RESOLUTION_DEADLINE.value_unset())
        # Only what changed: each upsert is a command in the history and a visibility write on the server.
        updates = [u for u in updates if self._upserted.get(u.key.name) != u.value]
        if not updates:
            return
        self._upserted.update((u.key.name, u.value) for u in updates)
        workflow.upsert_search_attributes(updates)
