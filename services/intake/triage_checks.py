"""The coordination centre's triage decision checked against the catalog, and the routing it gives the case."""

from __future__ import annotations

from services.contracts.case_view import CaseView
from services.contracts.cases import RoutingDecision, RoutingMethod
from services.contracts.catalog import CatalogItem, ResponsibilityCatalog, TownshipRole, UnitKind
from services.contracts.problem_codes import ProblemCode
from services.contracts.triage import TriageDecision
from services.intake.catalog_checks import require_actor, require_handling_unit, require_unit
from services.intake.errors import UnprocessableInput


def check_triage_decision(catalog: ResponsibilityCatalog, decision: TriageDecision) -> CatalogItem:
    """422 for an unknown unit, item, handling unit or township; the decision's catalog item otherwise."""
    require_actor(catalog, decision.unit)
    item = catalog.item(decision.item)
    if item is None:
        raise UnprocessableInput(f"item: unknown catalog item {decision.item!r}", code=ProblemCode.UNKNOWN_CATALOG_ITEM)
    if decision.handling_unit is not None:
        require_handling_unit(catalog, decision.handling_unit, "handling_unit")
    if decision.township is not None:
        require_unit(catalog, decision.township, "township")
        unit = catalog.unit(decision.township)
        if unit is not None and unit.kind is not UnitKind.TOWNSHIP:
            raise UnprocessableInput(
                f"township: {decision.township!r} is a {unit.kind.value}, not a township",
                code=ProblemCode.NOT_A_TOWNSHIP,
            )
    return item


def triage_routing(
    catalog: ResponsibilityCatalog, item: CatalogItem, decision: TriageDecision, case: CaseView
) -> RoutingDecision:
    """The routing the decision gives: the named handling unit, else the item's (its township's, if primary).

    422 naming the field when that unit is the calling unit of a unit's call: a call never goes back to its caller.
    """
    known = case.routing
    township = decision.township or case.township
    if decision.township is not None:
        source: str | None = "triage"
    elif known is not None and known.township is not None and known.township == case.township:
        source = known.township_source
    else:
        source = "ticket" if township else None
    if decision.handling_unit is not None:
        unit, why = decision.handling_unit, "named by the coordination centre"
    elif item.township_role is TownshipRole.PRIMARY:
        if township is None:
            raise UnprocessableInput(
                f"township: {item.item_code} is the township's matter and the case has no township; "
                "name the township (or a handling_unit)",
                code=ProblemCode.TOWNSHIP_NEEDED,
            )
        unit, why = township, "township is primary"
    else:
        assert item.primary_unit is not None  # the catalog refuses an item with neither
        unit, why = item.primary_unit, "primary unit"
    if unit == case.calling_unit:
        field = "handling_unit" if decision.handling_unit is not None else "township" if township == unit else "item"
        raise UnprocessableInput(
            f"{field}: {unit!r} is the calling unit of this call and cannot answer its own call; name another unit",
            code=ProblemCode.CALLING_UNIT_NAMED,
        )
    supporting = list(item.supporting_units)
    if item.township_role is TownshipRole.SUPPORT and township is not None:
        supporting.append(township)
    return RoutingDecision(
        method=RoutingMethod.TRIAGE,
        item=item.item_code,
        unit=unit,
        catalog_version=catalog.version,
        reason=f"triaged by {decision.unit}: {item.item_code} → {unit} ({why})",
        complexity=item.complexity.value,
        urgent_allowed=item.urgent_allowed,
        major=item.major,
        supporting_units=[code for code in supporting if code != unit],
        township=township,
        township_source=source,
        # Where the ticket's location is stays a fact of the case, whoever decided its unit.
        place=known.place if known is not None else None,
        boundaries_version=known.boundaries_version if known is not None else None,
    )
