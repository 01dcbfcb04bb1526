"""Checks of action bodies against the catalog, so a typo in a unit code is a 422, not a stuck case."""

from __future__ import annotations

from services.contracts.case_actions import CITY_LEADER, TOP_LEADERSHIP
from services.contracts.case_view import JointRole
from services.contracts.catalog import ResponsibilityCatalog, TownshipRole, UnitKind
from services.contracts.problem_codes import ProblemCode
from services.intake.errors import UnprocessableInput

ACTORS_OUTSIDE_CATALOG = {CITY_LEADER, TOP_LEADERSHIP}


def require_actor(catalog: ResponsibilityCatalog, code: str, field: str = "unit") -> None:
    if code not in ACTORS_OUTSIDE_CATALOG and catalog.unit(code) is None:
        raise UnprocessableInput(f"{field}: unknown unit code {code!r}", code=ProblemCode.UNKNOWN_UNIT)


def require_unit(catalog: ResponsibilityCatalog, code: str, field: str) -> None:
    if catalog.unit(code) is None:
        raise UnprocessableInput(f"{field}: unknown unit code {code!r}", code=ProblemCode.UNKNOWN_UNIT)


def require_handling_unit(catalog: ResponsibilityCatalog, code: str, field: str) -> None:
    """A unit that can own a case: a department or a township, not the coordination centre."""
    require_unit(catalog, code, field)
    unit = catalog.unit(code)
    assert unit is not None
    if unit.kind is UnitKind.COORDINATION:
        raise UnprocessableInput(
            f"{field}: the coordination centre arbitrates; name a department or township",
            code=ProblemCode.COORDINATION_CENTRE_NOT_ALLOWED,
        )


def require_responsible(catalog: ResponsibilityCatalog, to_unit: str, item_code: str) -> None:
    """A transfer names the catalog item that makes the receiving unit responsible: check that it does."""
    require_unit(catalog, to_unit, "to_unit")
    item = catalog.item(item_code)
    if item is None:
        raise UnprocessableInput(
            f"catalog_item: unknown catalog item {item_code!r}", code=ProblemCode.UNKNOWN_CATALOG_ITEM
        )
    unit = catalog.unit(to_unit)
    assert unit is not None
    if item.township_role is TownshipRole.PRIMARY:
        if unit.kind is not UnitKind.TOWNSHIP:
            raise UnprocessableInput(
                f"to_unit: {item_code} is the township's matter; {to_unit!r} is not a township",
                code=ProblemCode.NOT_A_TOWNSHIP,
            )
    elif item.primary_unit != to_unit:
        raise UnprocessableInput(
            f"to_unit: {item_code} names {item.primary_unit!r} as responsible, not {to_unit!r}",
            code=ProblemCode.UNIT_NOT_RESPONSIBLE,
        )


def require_role_fits(catalog: ResponsibilityCatalog, code: str, role: JointRole, index: int) -> None:
    field = f"participants.{index}.unit"
    require_unit(catalog, code, field)
    unit = catalog.unit(code)
    assert unit is not None
    if role is JointRole.TOWNSHIP and unit.kind is not UnitKind.TOWNSHIP:
        raise UnprocessableInput(
            f"{field}: the township role needs a township, {code!r} is a {unit.kind.value}",
            code=ProblemCode.NOT_A_TOWNSHIP,
        )
    if unit.kind is UnitKind.COORDINATION:
        raise UnprocessableInput(
            f"{field}: the coordination centre arbitrates; it is not a participant",
            code=ProblemCode.COORDINATION_CENTRE_NOT_ALLOWED,
        )
