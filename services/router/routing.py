"""Pure routing rules: which unit is responsible for a ticket under a catalog version."""

from __future__ import annotations

from services.contracts.cases import RoutingDecision, RoutingMethod
from services.contracts.catalog import ResponsibilityCatalog, TownshipRole, UnitKind
from services.contracts.tickets import Ticket


def route_ticket(ticket: Ticket, catalog: ResponsibilityCatalog) -> RoutingDecision:
    """Decide the handling unit by explicit category code; `unit=None` means the case needs triage."""
    township = _known_township(ticket.township, catalog)
    if ticket.category_code is None:
        return RoutingDecision(
            method=RoutingMethod.NONE,
            catalog_version=catalog.version,
            reason="no category_code: needs triage by the coordination centre",
        )
    item = catalog.item(ticket.category_code)
    if item is None:
        return RoutingDecision(
            method=RoutingMethod.NONE,
            catalog_version=catalog.version,
            reason=f"unknown category_code {ticket.category_code!r}: needs triage",
        )
    supporting = list(item.supporting_units)
    if item.township_role is TownshipRole.SUPPORT and township is not None:
        supporting.append(township)
    decision = RoutingDecision(
        method=RoutingMethod.CATEGORY_CODE,
        item=item.item_code,
        catalog_version=catalog.version,
        complexity=item.complexity.value,
        urgent_allowed=item.urgent_allowed,
        supporting_units=supporting,
    )
    if item.township_role is TownshipRole.PRIMARY:
        if township is None:
            return decision.model_copy(
                update={"reason": f"{item.item_code} is the township's matter but the ticket names no known township"}
            )
        return decision.model_copy(update={"unit": township, "reason": f"{item.item_code}: township is primary"})
    return decision.model_copy(update={"unit": item.primary_unit, "reason": f"{item.item_code}: primary unit"})


def _known_township(code: str | None, catalog: ResponsibilityCatalog) -> str | None:
    unit = catalog.unit(code) if code else None
    return unit.code if unit is not None and unit.kind is UnitKind.TOWNSHIP else None
