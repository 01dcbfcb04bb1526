"""The district's boundaries as data: the shipped sample district, and files refused with the feature named."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from shapely.ops import unary_union

from services.contracts.boundaries import (
    BoundaryError,
    DistrictBoundaries,
    PlaceLevel,
    load_boundaries,
    parse_boundaries,
    to_feature_collection,
)
from services.contracts.catalog import load_catalog
from services.contracts.coordinate_systems import from_wgs84
from services.contracts.tickets import CoordinateSystem

# Area mismatches smaller than this (in square degrees, ~1 m²) are rounding to 0.1 m at shared borders.
ROUNDING_AREA = 1e-6


@pytest.fixture(scope="module")
def sample() -> DistrictBoundaries:
    return load_boundaries()


def square(west: float, south: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(level: str, code: str, geometry: dict[str, Any] | None = None, name: str = "某地") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"level": level, "code": code, "name": name},
        "geometry": geometry or square(117.5, 36.2),
    }


def collection(*features: dict[str, Any], **members: Any) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **members})


def test_the_sample_district_has_every_township_of_the_sample_catalog(sample: DistrictBoundaries) -> None:
    catalog_townships = sorted(unit.code for unit in load_catalog().townships())

    assert sample.district == "sample-district"
    assert sample.townships() == catalog_townships
    assert sample.counts()["grid"] >= 4 * len(catalog_townships), "several grids per township"


def test_the_sample_townships_and_grids_each_tile_the_district(sample: DistrictBoundaries) -> None:
    district = sample.at_level(PlaceLevel.DISTRICT)[0].shape()
    townships = [b.shape() for b in sample.at_level(PlaceLevel.TOWNSHIP)]
    grids = [b.shape() for b in sample.at_level(PlaceLevel.GRID)]

    assert district.symmetric_difference(unary_union(townships)).area < ROUNDING_AREA
    assert district.symmetric_difference(unary_union(grids)).area < ROUNDING_AREA
    overlaps = sum(a.intersection(b).area for i, a in enumerate(townships) for b in townships[i + 1 :])
    assert overlaps < ROUNDING_AREA


def test_a_file_reads_back_what_it_wrote(sample: DistrictBoundaries) -> None:
    again = parse_boundaries(json.dumps(to_feature_collection(sample)))

    assert again.digest == sample.digest
    assert again.counts() == sample.counts()


def test_a_gcj02_file_is_converted_to_wgs84() -> None:
    wgs_south_west = (36.2, 117.5)
    gcj_lat, gcj_lon = from_wgs84(*wgs_south_west, CoordinateSystem.GCJ02)
    text = collection(feature("township", "d.t", square(gcj_lon, gcj_lat)), coordinate_system="gcj02")

    ring = parse_boundaries(text).boundaries[0].geometry["coordinates"][0]

    assert [117.5, 36.2] in [list(vertex) for vertex in ring], "the corner is back where WGS-84 has it, to 0.1 m"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        (json.dumps({"type": "Feature"}), "expected a GeoJSON FeatureCollection"),
        (collection(), "'features' must be a non-empty list"),
        (collection(feature("township", "d.t"), coordinate_system="utm"), "coordinate_system 'utm'"),
        (collection({"type": "Feature", "geometry": square(1, 1)}), "feature 0: no 'properties' object"),
        (collection(feature("township", "d.t", {"type": "Point", "coordinates": [1, 2]})), "feature 0 (d.t) geometry"),
        (collection(feature("township", "d.t", square(200, 36))), "coordinates out of range"),
        (
            collection(
                feature(
                    "township",
                    "d.t",
                    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
                )
            ),
            "feature 0 (d.t) geometry: not a valid polygon (Self-intersection",
        ),
        (collection(feature("village", "d.t")), "feature 0 (d.t) property level"),
        (collection(feature("township", "D.T")), "feature 0 (D.T) property code"),
        (collection(feature("township", "d.t", name="")), "property name"),
        (collection(feature("township", "d.t.c")), "d.t.c: a township code has 2 dotted parts, not 3"),
        (collection(feature("township", "d.t"), feature("township", "d.t")), "d.t: duplicate code"),
        (collection(feature("township", "d.t"), feature("township", "e.u")), "codes of more than one district"),
        (collection(feature("district", "d")), "no township boundaries"),
        (collection(feature("township", "d.t"), feature("grid", "d.t.c.g1")), "its parent d.t.c has no boundary"),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_a_file_that_cannot_be_used_is_refused_naming_the_feature(text: str, message: str) -> None:
    with pytest.raises(BoundaryError, match=re.escape(message)):
        parse_boundaries(text)
