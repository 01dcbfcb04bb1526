"""What the Temporal Web UI shows of a case's workflow, so that its list is not a column of ids: a one-line summary
fixed at the start (`static_summary`) and details the workflow keeps current (`workflow.set_current_details`).

Codes, the status and deadlines only: never the caller's name or phone, nor the ticket's title, description or
address (docs/personal-data.md). Both are payloads, encrypted like any other: the UI shows them through intake's
codec server (docs/observability.md). Pure functions, called from workflow code and from the starter.
"""

from __future__ import annotations

from datetime import datetime

from services.contracts.case_view import CaseView
from services.contracts.cases import CaseStatus, RoutedCase

SEPARATOR = " · "
NONE = "—"


def case_summary(routed: RoutedCase) -> str:
    """A routed case's summary: `item · unit (+ supporting units) · township · assigned`."""
    routing = routed.routing
    units = _units(routing.unit, routing.supporting_units)
    township = routing.township or routed.ticket.township
    return SEPARATOR.join([routing.item or NONE, units, township or NONE, CaseStatus.ASSIGNED.value])


def triage_summary(routed: RoutedCase) -> str:
    """A case sent to triage: `triage · the router's best guess · township · triage`."""
    township = routed.routing.township or routed.ticket.township
    return SEPARATOR.join(["triage", routed.routing.item or NONE, township or NONE, CaseStatus.TRIAGE.value])


def case_details(view: CaseView) -> str:
    """The case as it is now, in the UI's Markdown: status, item, units, township, deadline, escalation."""
    lines = [
        f"**Status:** {view.status.value}" + (" (overdue)" if view.overdue else ""),
        f"**Item:** {view.catalog_item or NONE}",
        f"**Handling unit:** {view.handling_unit or NONE}",
        f"**First-contact unit:** {view.first_contact_unit or NONE}",
    ]
    if view.supporting_units:
        lines.append(f"**Supporting units:** {', '.join(view.supporting_units)}")
    lines.append(f"**Township:** {view.township or NONE}")
    if view.deadlines.resolution is not None:
        lines.append(f"**Resolution due:** {_minute(view.deadlines.resolution)}")
    if view.escalation_level:
        lines.append(f"**Escalation level:** {view.escalation_level}")
    return "\n".join(f"- {line}" for line in lines)


def _units(unit: str | None, supporting: list[str]) -> str:
    if not supporting:
        return unit or NONE
    return f"{unit or NONE} (+ {', '.join(supporting)})"


def _minute(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M %Z").strip()
