"""The leaders' map: the townships' shapes out of the district's boundaries, and their hotspot counts."""

from __future__ import annotations

from typing import Any

from services.console.district_map import township_areas, township_of, township_shapes
from services.contracts.boundaries import load_boundaries, to_feature_collection

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def feature(level: str, code: str, name: str) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"level": level, "code": code, "name": name}, "geometry": SQUARE}


def test_a_place_codes_township_is_its_second_part() -> None:
    assert township_of("sample-district.hekou-town.riverside.g01") == "hekou-town"
    assert township_of("sample-district.hekou-town") == "hekou-town"
    assert township_of("sample-district") is None


def test_only_townships_are_drawn_each_with_its_unit_code() -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            feature("district", "d", "示例区"),
            feature("township", "d.hekou-town", "河口镇"),
            feature("community", "d.hekou-town.riverside", "滨河社区"),
            feature("grid", "d.hekou-town.riverside.g01", "第一网格"),
        ],
    }
    shapes = township_shapes(collection)
    assert shapes["type"] == "FeatureCollection"
    assert [f["properties"] for f in shapes["features"]] == [{"name": "河口镇", "township": "hekou-town"}]
    assert shapes["features"][0]["geometry"] == SQUARE


def test_the_sample_districts_six_townships_are_on_the_map() -> None:
    shapes = township_shapes(to_feature_collection(load_boundaries()))
    names = {f["properties"]["name"] for f in shapes["features"]}
    assert names == {"城关街道", "东湖街道", "河口镇", "青山镇", "石桥镇", "桃源乡"}


def test_every_township_gets_its_cases_and_one_without_hotspots_zero() -> None:
    shapes = township_shapes(
        {"features": [feature("township", "d.hekou-town", "河口镇"), feature("township", "d.qingshan-town", "青山镇")]}
    )
    hotspots = [
        {"code": "hekou-town", "name": "河口镇", "classes": 2, "cases": 7},
        {"code": "未归属", "name": "未归属", "classes": 1, "cases": 3},  # no shape: in the table only
    ]
    assert township_areas(shapes, hotspots) == [
        {"name": "河口镇", "code": "hekou-town", "value": 7, "classes": 2},
        {"name": "青山镇", "code": "qingshan-town", "value": 0, "classes": 0},
    ]
