"""The platforms' own category codes mapped to catalog items (the shipped sample table, and broken ones)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.contracts.catalog import load_catalog
from services.router.platform_categories import PlatformCategories, PlatformCategoryError, load_platform_categories


@pytest.fixture(scope="module")
def table() -> PlatformCategories:
    return load_platform_categories()


def test_each_platform_has_its_own_codes(table: PlatformCategories) -> None:
    assert table.item_for("12345", "110102") == "EE-05"
    assert table.item_for("89000", "M0301") == "EE-05"
    assert table.item_for("89000", "110102") is None
    assert table.item_for("grid", "110102") is None


def test_the_shipped_table_maps_only_to_items_of_the_catalog(table: PlatformCategories) -> None:
    assert table.unknown_items(load_catalog()) == []
    assert len(table.by_channel["12345"]) > 40


def test_entries_to_items_the_catalog_lacks_are_listed() -> None:
    table = PlatformCategories({"12345": {"990001": "ZZ-01", "110102": "EE-05"}})

    assert table.unknown_items(load_catalog()) == ["12345:990001 → ZZ-01"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param([], "expected an object of channels", id="not-an-object"),
        pytest.param({"99999": {"1": "LS-06"}}, "unknown channel '99999'", id="unknown-channel"),
        pytest.param({"12345": ["LS-06"]}, "expected an object of code", id="list"),
        pytest.param(
            {"12345": {"01.02": "LS-06"}}, r"codes not of the form .*\['01.02'\]", id="code-a-ticket-cannot-carry"
        ),
    ],
)
def test_a_broken_table_is_refused_naming_the_entry(tmp_path: Path, document: object, message: str) -> None:
    (tmp_path / "platform_categories.json").write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(PlatformCategoryError, match=message):
        load_platform_categories(tmp_path)


def test_the_about_note_is_not_a_channel(tmp_path: Path) -> None:
    (tmp_path / "platform_categories.json").write_text(json.dumps({"about": "sample", "12345": {}}), encoding="utf-8")

    assert load_platform_categories(tmp_path).by_channel == {"12345": {}}
