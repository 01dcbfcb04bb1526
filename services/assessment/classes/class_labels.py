"""How a class of cases reads, in Chinese: its township, its catalog item and its kind (never the address, which
is personal data and held only sealed)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.contracts.case_classes import KindRule
from services.contracts.catalog import ResponsibilityCatalog


@dataclass(frozen=True)
class CatalogNames:
    """Unit and item codes → their Chinese names (codes the catalog does not know are shown as they are)."""

    units: Mapping[str, str] = field(default_factory=dict)
    items: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: ResponsibilityCatalog) -> CatalogNames:
        return cls(
            units={code: unit.name_zh for code, unit in catalog.units.items()},
            items={code: item.item_zh for code, item in catalog.items.items()},
        )

    def unit(self, code: str | None) -> str | None:
        return self.units.get(code, code) if code else None

    def item(self, code: str | None) -> str | None:
        return self.items.get(code, code) if code else None


def class_label(
    rule: KindRule,
    *,
    catalog_item: str | None,
    township: str | None,
    names: CatalogNames,
    place: str | None = None,
) -> str:
    """`河口镇·城镇供水（同一事项同一镇街）`: where, what, and the kind; a grid's class names its grid after the
    township (`石桥镇·网格g01·秸秆焚烧（…）`, the grid code's last part)."""
    grid = f"网格{place.rsplit('.', 1)[-1]}" if place else None
    where = "·".join(part for part in (names.unit(township), grid, names.item(catalog_item)) if part)
    return f"{where}（{rule.name}）" if where else rule.name
