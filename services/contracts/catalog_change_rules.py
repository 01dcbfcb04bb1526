"""Whether a catalog change fits a catalog version, and the version it makes (pure).

Checked twice: when a unit applies (the API answers 422 naming the field) and again, against the version in force
at that moment, when the approved change is applied.
"""

from __future__ import annotations

from services.contracts.catalog import (
    DRAFT,
    CatalogItem,
    ResponsibilityCatalog,
    TownshipRole,
    UnitKind,
    catalog_digest,
)
from services.contracts.catalog_changes import CatalogChangeRequest, ChangeKind


class ChangeDoesNotFit(ValueError):
    """The change cannot be made to this catalog version; `field` names the part of the request at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def apply_change(catalog: ResponsibilityCatalog, change: CatalogChangeRequest) -> ResponsibilityCatalog:
    """The catalog with the change made (a draft: no version number yet); raises `ChangeDoesNotFit`."""
    if catalog.unit(change.unit) is None:
        raise ChangeDoesNotFit("unit", f"unknown unit code {change.unit!r}")
    current = catalog.item(change.item_code)
    if change.kind is ChangeKind.ADD and current is not None:
        raise ChangeDoesNotFit("item_code", f"{change.item_code} is already in the catalog; apply to change it")
    if change.kind is not ChangeKind.ADD and current is None:
        raise ChangeDoesNotFit("item_code", f"unknown catalog item {change.item_code!r}")
    items = dict(catalog.items)
    if change.kind is ChangeKind.REMOVE:
        del items[change.item_code]
    else:
        assert change.item is not None, "the request model requires an item for add and change"
        _check_item(catalog, change.item)
        if current is not None:
            _check_not_pushed_down(catalog, change.unit, current, change.item)
            if current == change.item:
                raise ChangeDoesNotFit("item", f"{change.item_code} already reads like this; nothing to change")
        items[change.item_code] = change.item
    return ResponsibilityCatalog(
        version=DRAFT, digest=catalog_digest(catalog.units, items), units=catalog.units, items=items
    )


def _check_item(catalog: ResponsibilityCatalog, item: CatalogItem) -> None:
    if item.primary_unit is None and item.township_role is not TownshipRole.PRIMARY:
        raise ChangeDoesNotFit("item.primary_unit", "no primary unit and township_role is not 'primary'")
    if item.primary_unit is not None and catalog.unit(item.primary_unit) is None:
        raise ChangeDoesNotFit("item.primary_unit", f"unknown unit code {item.primary_unit!r}")
    for code in item.supporting_units:
        if catalog.unit(code) is None:
            raise ChangeDoesNotFit("item.supporting_units", f"unknown unit code {code!r}")


def _check_not_pushed_down(catalog: ResponsibilityCatalog, unit: str, current: CatalogItem, item: CatalogItem) -> None:
    """A unit may not push its own listed duties down to the townships (不得将自身清单职责下放给镇街)."""
    if current.primary_unit != unit or current.township_role is TownshipRole.PRIMARY:
        return
    primary = catalog.unit(item.primary_unit) if item.primary_unit else None
    if item.township_role is TownshipRole.PRIMARY:
        field = "item.township_role"
    elif primary is None or primary.kind is UnitKind.TOWNSHIP:
        field = "item.primary_unit"
    else:
        return
    raise ChangeDoesNotFit(
        field,
        f"{current.item_code} is a listed duty of {unit!r}; a unit may not push its own listed duties down to "
        "the townships (不得将自身清单职责下放给镇街)",
    )
