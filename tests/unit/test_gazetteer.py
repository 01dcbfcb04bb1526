"""The gazetteer: which township an address lies in (the shipped sample district's, and small made-up ones)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.contracts.catalog import load_catalog
from services.router.gazetteer import Gazetteer, GazetteerError, PlaceMatch, TownshipPlaces, load_gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.mark.parametrize(
    ("address", "township", "name"),
    [
        pytest.param("松林村二组麦地边", "qingshan-town", "松林村", id="village"),
        pytest.param("幸福家园小区3号楼2单元", "hekou-town", "幸福家园", id="housing-estate"),
        pytest.param("湖滨路88号", "donghu-street", "湖滨路", id="road"),
        pytest.param("青山镇集上农贸市场旁", "qingshan-town", "青山镇", id="township-name"),
        pytest.param("城关镇老街", "chengguan-street", "城关镇", id="former-name"),
        pytest.param("河口镇新华村", "hekou-town", "河口镇", id="the-named-township-wins-over-a-place-elsewhere"),
        pytest.param("从河口镇搬到青山镇松林村", "qingshan-town", "松林村", id="two-townships-one-place-decides"),
    ],
)
def test_an_address_naming_one_township_or_its_places_lies_in_it(
    gazetteer: Gazetteer, address: str, township: str, name: str
) -> None:
    assert gazetteer.township_of(address) == PlaceMatch(township, name)


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("新华村村口", id="a-village-name-two-townships-share"),
        pytest.param("王家村到松林村的路上", id="places-of-two-townships"),
        pytest.param("河口镇和青山镇交界处", id="two-townships-named"),
        pytest.param("幸福路18号", id="no-known-place"),
        pytest.param("", id="empty"),
        pytest.param(None, id="no-address"),
    ],
)
def test_an_ambiguous_or_unknown_address_gives_no_township(gazetteer: Gazetteer, address: str | None) -> None:
    assert gazetteer.township_of(address) is None


def test_a_name_inside_a_longer_place_name_does_not_count() -> None:
    gazetteer = Gazetteer(
        {
            "lakeside": TownshipPlaces(names=("湖边镇",), places=("东湖",)),
            "avenue": TownshipPlaces(names=("大道街道",), places=("东湖大道",)),
        }
    )

    assert gazetteer.township_of("东湖大道88号") == PlaceMatch("avenue", "东湖大道")
    assert gazetteer.township_of("东湖边上") == PlaceMatch("lakeside", "东湖")


def test_the_shipped_gazetteer_names_only_townships_of_the_catalog(gazetteer: Gazetteer) -> None:
    catalog = load_catalog()

    assert gazetteer.unknown_townships(catalog) == []
    assert set(gazetteer.townships) == {unit.code for unit in catalog.townships()}


def write(directory: Path, document: object) -> Path:
    (directory / "gazetteer.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param({"townships": []}, "expected an object with a 'townships' object", id="not-an-object"),
        pytest.param({"townships": {"hekou-town": {"places": ["王家村"]}}}, "at least one name", id="no-names"),
        pytest.param({"townships": {"hekou-town": {"names": ["河口镇"], "places": "王家村"}}}, "'places'", id="str"),
        pytest.param({"townships": {"hekou-town": {"names": ["河"]}}}, "shorter than 2", id="one-char-name"),
    ],
)
def test_a_broken_gazetteer_is_refused_naming_the_entry(tmp_path: Path, document: object, message: str) -> None:
    with pytest.raises(GazetteerError, match=message):
        load_gazetteer(write(tmp_path, document))


def test_a_missing_or_unreadable_gazetteer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="file not found"):
        load_gazetteer(tmp_path)
    (tmp_path / "gazetteer.json").write_text("{", encoding="utf-8")
    with pytest.raises(GazetteerError, match="not JSON"):
        load_gazetteer(tmp_path)
