"""The leaders' map: the townships' shapes out of the district's boundaries, and their hotspot counts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.console.district_map import (
    bounding_coords,
    grid_areas,
    grid_hotspots,
    grid_shapes,
    place_link,
    place_names,
    township_areas,
    township_link,
    township_of,
    township_shapes,
)
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
        {"name": "河口镇", "code": "hekou-town", "value": 7, "classes": 2, "href": "/search?township=hekou-town"},
        {"name": "青山镇", "code": "qingshan-town", "value": 0, "classes": 0, "href": "/search?township=qingshan-town"},
    ]


GRID_A, GRID_B = "d.hekou-town.riverside.g01", "d.hekou-town.riverside.g02"


def part(class_id: str, place: str | None, cases: int) -> dict[str, Any]:
    """One class's part in one grid, as `hotspots?by=grid` gives it."""
    return {"class_id": class_id, "township": "hekou-town", "place": place, "case_count": cases}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        pytest.param([], [], id="no hotspots"),
        pytest.param([part("a", None, 4)], [], id="no place: not on the map"),
        pytest.param(
            [part("a", GRID_B, 2), part("a", GRID_A, 3), part("b", GRID_B, 2), part("a", None, 1)],
            [(GRID_B, "第二网格", 2, 4), (GRID_A, "第一网格", 1, 3)],
            id="a grid's classes and cases, most cases first",
        ),
        pytest.param(
            [part("a", GRID_A, 2), part("b", GRID_B, 2)],
            [(GRID_A, "第一网格", 1, 2), (GRID_B, "第二网格", 1, 2)],
            id="ties by code",
        ),
        pytest.param(
            [
                {"class_id": "t", "place": GRID_A, "case_count": 3, "case_ids": ["x", "y", "z"]},
                {"class_id": "g", "place": GRID_A, "case_count": 3, "case_ids": ["x", "y", "z"]},
            ],
            [(GRID_A, "第一网格", 2, 3)],
            id="the same reports in the township's class and the grid's: counted once",
        ),
        pytest.param(
            [part("a", "d.hekou-town.riverside.g09", 1)],
            [("d.hekou-town.riverside.g09", "d.hekou-town.riverside.g09", 1, 1)],
            id="a grid not in the boundaries: named by its code",
        ),
    ],
)
def test_grid_hotspots_add_up_each_grids_parts(
    parts: list[dict[str, Any]], expected: list[tuple[str, str, int, int]]
) -> None:
    names = {GRID_A: "第一网格", GRID_B: "第二网格"}
    found = grid_hotspots(parts, names)
    assert [(g["code"], g["name"], g["classes"], g["cases"]) for g in found] == expected
    assert all(g["township"] == "hekou-town" and g["href"] == place_link(g["code"]) for g in found)


@pytest.mark.parametrize(
    ("code", "link"),
    [
        (GRID_A, "/search?place=d.hekou-town.riverside.g01"),
        ("sample-district.hekou-town", "/search?place=sample-district.hekou-town"),
    ],
)
def test_a_place_opens_its_cases_in_the_search(code: str, link: str) -> None:
    assert place_link(code) == link


def test_a_township_opens_its_cases_by_its_township_filter() -> None:
    shapes = township_shapes({"features": [feature("township", "d.hekou-town", "河口镇")]})
    assert (
        [area["href"] for area in township_areas(shapes, [])]
        == ["/search?township=hekou-town"]
        == [township_link("hekou-town")]
    )


def test_only_the_grids_with_cases_are_drawn_named_by_code() -> None:
    collection = {
        "features": [
            feature("township", "d.hekou-town", "河口镇"),
            feature("community", "d.hekou-town.riverside", "滨河社区"),  # a place, not a grid: not drawn
            feature("grid", GRID_B, "第二网格"),
            feature("grid", GRID_A, "第一网格"),
            feature("grid", "d.hekou-town.riverside.g03", "第三网格"),  # no cases
        ]
    }
    shapes = grid_shapes(collection, [GRID_A, GRID_B, "d.hekou-town.riverside"])
    assert [f["properties"] for f in shapes["features"]] == [
        {"name": GRID_A, "label": "第一网格"},
        {"name": GRID_B, "label": "第二网格"},
    ]
    grids = grid_hotspots([part("a", GRID_A, 3)], place_names(collection))
    assert grid_areas(shapes, grids) == [
        {"name": GRID_A, "label": "第一网格", "value": 3, "classes": 1, "href": place_link(GRID_A)}
    ]


def test_the_sample_districts_grids_are_a_small_part_of_the_page() -> None:
    """Two grids' shapes, not the 105 of the sample's 42 KB."""
    collection = to_feature_collection(load_boundaries())
    shapes = grid_shapes(
        collection, ["sample-district.hekou-town.lijiawan.g01", "sample-district.shiqiao-town.shiqiao.g01"]
    )
    assert len(shapes["features"]) == 2
    assert len(json.dumps(shapes)) < 2_000


@pytest.mark.parametrize(
    ("geometries", "box"),
    [
        ([], None),
        ([SQUARE], [[0, 1], [1, 0]]),
        (
            [
                SQUARE,
                {"type": "MultiPolygon", "coordinates": [[[[2, -1], [3, -1], [3, 0.5], [2, -1]]]]},
            ],
            [[0, 1], [3, -1]],
        ),
    ],
)
def test_the_maps_box_is_west_north_to_east_south(geometries: list[dict[str, Any]], box: Any) -> None:
    shapes = {"features": [{"geometry": geometry} for geometry in geometries]}
    assert bounding_coords(shapes) == box
