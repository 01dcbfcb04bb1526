"""The catalog's names for the codes pages show."""

from __future__ import annotations

import pytest

from services.console.catalog_names import FRESH_SECONDS, CatalogNames

VERSION = {
    "version": 3,
    "catalog": {
        "units": {"water": {"name_zh": "水务局"}, "hekou-town": {"name_zh": "河口镇"}},
        "items": {"LS-06": {"item_zh": "供水"}},
    },
}


@pytest.mark.parametrize(
    ("code", "unit", "item"),
    [
        ("water", "水务局", "water"),
        ("LS-06", "LS-06", "供水（LS-06）"),
        ("gone-unit", "gone-unit", "gone-unit"),  # out of the catalog since: the code still shows
        (None, "—", "—"),
        ("", "—", "—"),
    ],
)
def test_names_of_codes(code: str | None, unit: str, item: str) -> None:
    names = CatalogNames.of(VERSION, now=100.0)
    assert (names.unit(code), names.item(code)) == (unit, item)


def test_names_are_read_again_after_a_minute() -> None:
    names = CatalogNames.of(VERSION, now=100.0)
    assert names.version == "3"
    assert not names.stale(100.0 + FRESH_SECONDS - 1)
    assert names.stale(100.0 + FRESH_SECONDS + 1)
    assert CatalogNames().stale(0.0 + FRESH_SECONDS + 1)
