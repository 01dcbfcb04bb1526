"""Finding a point's township and grid, and a grid code's township, in the sample district; routing by place."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.contracts.boundaries import DistrictBoundaries, PlaceLevel, load_boundaries, parse_boundaries
from services.contracts.catalog import ResponsibilityCatalog, load_catalog
from services.contracts.coordinate_systems import from_wgs84
from services.contracts.tickets import CoordinateSystem
from services.router.gazetteer import load_gazetteer
from services.router.place_index import CurrentPlaces, PlaceIndex
from services.router.routing import RoutingTables, route_ticket

from .builders import make_ticket


@pytest.fixture(scope="module")
def boundaries() -> DistrictBoundaries:
    return load_boundaries().model_copy(update={"version": "3"})


@pytest.fixture(scope="module")
def places(boundaries: DistrictBoundaries) -> PlaceIndex:
    return PlaceIndex(boundaries)


@pytest.fixture(scope="module")
def catalog() -> ResponsibilityCatalog:
    return load_catalog()


def inside(boundaries: DistrictBoundaries, code: str) -> tuple[float, float]:
    """A WGS-84 (latitude, longitude) point well inside the boundary `code`."""
    point = next(b for b in boundaries.boundaries if b.code == code).shape().representative_point()
    return point.y, point.x


GRIDS = [
    "sample-district.hekou-town.wangjia.g01",
    "sample-district.qingshan-town.songlin.g02",
    "sample-district.chengguan-street.gulou.g01",
    "sample-district.taoyuan-township.xinhua.g01",
    "sample-district.shiqiao-town.xinhua.g01",
]


@pytest.mark.parametrize("grid", GRIDS)
@pytest.mark.parametrize("system", list(CoordinateSystem))
def test_a_point_finds_its_grid_and_township_in_any_datum(
    boundaries: DistrictBoundaries, places: PlaceIndex, catalog: ResponsibilityCatalog, grid: str, system: str
) -> None:
    latitude, longitude = from_wgs84(*inside(boundaries, grid), CoordinateSystem(system))
    location = {"latitude": latitude, "longitude": longitude, "coordinate_system": system}
    ticket = make_ticket(category_code="EE-04", township=None, address=None, location=location)

    decision = route_ticket(ticket, catalog, tables=RoutingTables(places=places))

    township = grid.split(".")[1]
    assert (decision.unit, decision.township, decision.township_source) == (township, township, "location")
    assert (decision.place, decision.boundaries_version) == (grid, "3")
    assert f"township is primary (the location lies in {grid})" in decision.reason


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((36.2249, 117.5484), ("chengguan-street", PlaceLevel.GRID)),
        ((36.2943, 117.4924), ("hekou-town", PlaceLevel.GRID)),
        ((36.1533, 117.6180), ("taoyuan-township", PlaceLevel.GRID)),
        ((36.5000, 117.5500), None),  # north of the district
        ((39.9087, 116.3975), None),  # Beijing
        ((-33.8568, 151.2153), None),  # Sydney
    ],
)
def test_points_outside_the_district_find_nothing(
    places: PlaceIndex, point: tuple[float, float], expected: tuple[str, PlaceLevel] | None
) -> None:
    found = places.locate(*point)

    assert (None if found is None else (found.township, found.level)) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("sample-district.hekou-town.wangjia.g01", ("hekou-town", "sample-district.hekou-town.wangjia.g01")),
        ("sample-district.hekou-town.wangjia.g99", ("hekou-town", "sample-district.hekou-town.wangjia")),
        ("sample-district.hekou-town", ("hekou-town", "sample-district.hekou-town")),
        ("sample-district.atlantis.x.g01", None),
        ("sample-district", None),
        ("other-district.hekou-town.wangjia.g01", None),
    ],
)
def test_a_grid_code_names_the_finest_place_known(
    places: PlaceIndex, code: str, expected: tuple[str, str] | None
) -> None:
    found = places.named(code)

    assert (None if found is None else (found.township, found.code)) == expected


def test_a_point_on_a_shared_border_always_finds_the_same_place() -> None:
    def square(code: str, west: float) -> dict[str, Any]:
        ring = [[west, 0], [west + 1, 0], [west + 1, 1], [west, 1], [west, 0]]
        geometry = {"type": "Polygon", "coordinates": [ring]}
        return {
            "type": "Feature",
            "properties": {"level": "township", "code": code, "name": code},
            "geometry": geometry,
        }

    boundaries = parse_boundaries(
        json.dumps({"type": "FeatureCollection", "features": [square("d.b", 1), square("d.a", 0)]})
    )

    found = PlaceIndex(boundaries).locate(0.5, 1.0)

    assert found is not None and found.code == "d.a"


@pytest.mark.parametrize(
    ("location", "township", "source", "place"),
    [
        pytest.param(
            {"grid_code": "sample-district.qingshan-town.songlin.g01"},
            "qingshan-town",
            "grid_code",
            "sample-district.qingshan-town.songlin.g01",
            id="grid-code-alone",
        ),
        pytest.param(
            {"grid_code": "sample-district.shiqiao-town.newly-drawn.g07"},
            "shiqiao-town",
            "grid_code",
            "sample-district.shiqiao-town",
            id="grid-code-of-a-grid-not-on-file-names-its-township",
        ),
        pytest.param(
            {"latitude": 36.5, "longitude": 117.55, "grid_code": "sample-district.hekou-town.wangjia.g01"},
            "hekou-town",
            "grid_code",
            "sample-district.hekou-town.wangjia.g01",
            id="a-point-outside-falls-back-to-the-grid-code",
        ),
        pytest.param(
            {"grid_code": "other-district.hekou-town.wangjia.g01"},
            "donghu-street",
            "address",
            None,
            id="a-grid-code-of-another-district-names-nothing",
        ),
        pytest.param(
            {"latitude": 36.5, "longitude": 117.55},
            "donghu-street",
            "address",
            None,
            id="a-point-outside-falls-back-to-the-address",
        ),
    ],
)
def test_the_grid_code_and_the_address_come_after_the_point(
    places: PlaceIndex,
    catalog: ResponsibilityCatalog,
    location: dict[str, Any],
    township: str,
    source: str,
    place: str | None,
) -> None:
    ticket = make_ticket(category_code="EE-04", township=None, address="湖滨路88号", location=location)
    tables = RoutingTables(places=places, gazetteer=load_gazetteer())

    decision = route_ticket(ticket, catalog, tables=tables)

    assert (decision.unit, decision.township_source, decision.place) == (township, source, place)


def test_the_tickets_own_township_comes_first_and_the_place_is_still_kept(
    boundaries: DistrictBoundaries, places: PlaceIndex, catalog: ResponsibilityCatalog
) -> None:
    latitude, longitude = inside(boundaries, GRIDS[0])
    ticket = make_ticket(
        category_code="EE-04", township="qingshan-town", location={"latitude": latitude, "longitude": longitude}
    )

    decision = route_ticket(ticket, catalog, tables=RoutingTables(places=places))

    assert (decision.unit, decision.township_source, decision.place) == ("qingshan-town", "ticket", GRIDS[0])


def test_a_grid_code_without_boundaries_names_its_township_by_its_code(catalog: ResponsibilityCatalog) -> None:
    ticket = make_ticket(category_code="EE-04", township=None, location={"grid_code": "d.taoyuan-township.c.g1"})

    decision = route_ticket(ticket, catalog)

    assert (decision.unit, decision.township_source, decision.place) == ("taoyuan-township", "grid_code", None)
    assert "the grid code d.taoyuan-township.c.g1 names taoyuan-township" in decision.reason


def test_the_sample_boundaries_have_only_catalog_townships(places: PlaceIndex, catalog: ResponsibilityCatalog) -> None:
    assert places.unknown_townships(catalog) == []


async def test_a_new_versions_index_is_built_before_it_comes_into_force(boundaries: DistrictBoundaries) -> None:
    in_force = [boundaries]
    places = CurrentPlaces(lambda: in_force[-1])
    assert places().version == "3"
    newer = boundaries.model_copy(update={"version": "4"})

    await places.prepare(newer)  # as the store does, before `current` moves
    prepared = places._index
    in_force.append(newer)

    assert places() is prepared and places().version == "4", "not built again on the ticket path"
