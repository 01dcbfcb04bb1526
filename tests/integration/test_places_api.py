"""Places through the real system: a grid worker's report routes to the township its position lies in."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.boundaries import load_boundaries
from services.contracts.coordinate_systems import distance_m, from_wgs84
from services.contracts.tickets import CoordinateSystem
from tests.support.case_lifecycle import wait_for_case
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")

# A basic grid of 李家湾村, 河口镇, in the shipped sample boundaries (the router's version 1).
GRID = "sample-district.hekou-town.lijiawan.g01"


def grid_report(**location: Any) -> dict[str, Any]:
    """A grid worker's report of straw burning (a township's matter) naming no township and no address."""
    body = ticket_body(
        channel="grid",
        category_code="EE-04",
        title="田里焚烧秸秆",
        description="巡查发现地里有人焚烧秸秆，浓烟很大，已拍照。",
        location=location,
    )
    del body["township"], body["address"], body["caller"]
    return body


def inside_grid() -> tuple[float, float]:
    """A WGS-84 point well inside `GRID`."""
    point = next(b for b in load_boundaries().boundaries if b.code == GRID).shape().representative_point()
    return point.y, point.x


async def test_a_grid_report_in_gcj02_routes_to_the_township_its_position_lies_in(
    api: httpx.AsyncClient, database: AsyncEngine
) -> None:
    wgs = inside_grid()
    latitude, longitude = from_wgs84(*wgs, CoordinateSystem.GCJ02)

    response = await api.post(
        "/v1/cases", json=grid_report(latitude=latitude, longitude=longitude, coordinate_system="gcj02")
    )
    assert response.status_code == 202, response.text
    case_id = response.json()["case_id"]
    case = await wait_for_case(api, case_id, lambda case: case["status"] == "assigned", what="assigned")

    assert (case["handling_unit"], case["township"]) == ("hekou-town", "hekou-town")
    routing = case["routing"]
    assert (routing["township_source"], routing["place"]) == ("location", GRID)
    assert routing["boundaries_version"] is not None
    assert f"the location lies in {GRID}" in routing["reason"]
    shown = json.dumps(case)
    for degrees in (latitude, longitude, *wgs):
        assert f"{degrees:.4f}" not in shown, "the case shows the place's code, never the point"

    kept = (await recorded_ticket(api, case_id))["location"]
    assert kept["received_coordinate_system"] == "gcj02"
    assert distance_m((kept["latitude"], kept["longitude"]), wgs) < 0.2, "kept converted to WGS-84"
    async with database.connect() as connection:
        row = await connection.scalar(
            text("select string_agg(t::text, '') from case_records t where case_id = :id"), {"id": case_id}
        )
    assert row is not None and f"{wgs[0]:.4f}" not in row, "sealed like the address"


async def recorded_ticket(api: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    """The case's whole ticket as the coordination centre reads it, once the records hold it (found in a search
    first: until the records hold it, the ticket's read is a 503, which this module's tests take as a failure)."""

    async def in_the_records() -> None:
        answer = await api.get("/v1/cases", params={"channel": "grid", "limit": 200})
        assert answer.status_code == 200, answer.text
        assert case_id in {item["case_id"] for item in answer.json()["items"]}, "not in the records yet"

    await assert_eventually(in_the_records, timeout=20, what=f"case {case_id} in the records")
    answer = await api.get(f"/v1/cases/{case_id}/ticket")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_search_by_place_finds_the_case_in_its_grid_and_township(api: httpx.AsyncClient) -> None:
    """`GET /v1/cases?place=` reads the place the routing found for a grid worker's point (the records' column):
    the grid's code finds it, and so does its township's; another township's, a unit code alone, do not."""
    latitude, longitude = inside_grid()
    response = await api.post("/v1/cases", json=grid_report(latitude=latitude, longitude=longitude))
    assert response.status_code == 202, response.text
    case_id = response.json()["case_id"]
    await wait_for_case(api, case_id, lambda case: case["status"] == "assigned", what="assigned")

    async def found(place: str) -> list[dict[str, Any]]:
        answer = await api.get("/v1/cases", params={"place": place, "limit": 200})
        assert answer.status_code == 200, answer.text
        return [item for item in answer.json()["items"] if item["case_id"] == case_id]

    async def recorded() -> list[dict[str, Any]]:
        cases = await found(GRID)
        assert cases, "not in the records yet"
        return cases

    (case,) = await assert_eventually(recorded, timeout=20, what=f"case {case_id} found by its grid")
    assert case["place"] == GRID
    assert await found("sample-district.hekou-town") == [case]
    assert await found("sample-district.hekou-town.lijiawan") == [case]
    assert await found("sample-district.qingshan-town") == []
    assert await found("hekou-town") == []  # a township's unit code is not a place code: `township=` is
    export = await api.get("/v1/cases/export", params={"place": GRID, "format": "csv"})
    assert export.status_code == 200 and case_id in export.text

    refused = await api.get("/v1/cases", params={"place": "河口镇"})
    assert refused.status_code == 422, refused.text
    assert [error["loc"] for error in refused.json()["detail"]] == [["query", "place"]]


async def test_a_grid_code_alone_routes_to_its_township(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/cases", json=grid_report(grid_code="sample-district.qingshan-town.songlin.g01"))
    assert response.status_code == 202, response.text
    case = await wait_for_case(
        api, response.json()["case_id"], lambda case: case["status"] == "assigned", what="assigned"
    )

    assert case["handling_unit"] == "qingshan-town"
    assert (case["routing"]["township_source"], case["routing"]["place"]) == (
        "grid_code",
        "sample-district.qingshan-town.songlin.g01",
    )


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"latitude": 36.25}, "body.location.longitude"),
        ({"longitude": 117.5}, "body.location.longitude"),
        ({"latitude": 96.0, "longitude": 117.5}, "body.location.latitude"),
        ({"latitude": 36.25, "longitude": 181.0}, "body.location.longitude"),
        ({"latitude": 36.25, "longitude": 117.5, "coordinate_system": "utm"}, "body.location.coordinate_system"),
        ({"grid_code": "Sample District/3"}, "body.location.grid_code"),
        ({"coordinate_system": "gcj02"}, "body.location"),
        ({"latitude": 36.25, "longitude": 117.5, "altitude": 30}, "body.location.altitude"),
    ],
    ids=[
        "latitude-only",
        "longitude-only",
        "latitude-out-of-range",
        "longitude-out-of-range",
        "unknown-datum",
        "bad-grid-code",
        "no-point-no-grid",
        "unknown-field",
    ],
)
async def test_a_bad_location_is_refused_with_422_naming_the_field(
    api: httpx.AsyncClient, location: dict[str, Any], field: str
) -> None:
    response = await api.post("/v1/cases", json=ticket_body(location=location))

    assert response.status_code == 422, response.text
    assert field in [".".join(str(part) for part in error["loc"]) for error in response.json()["detail"]]


def placed_count(metrics: str, placed: str) -> float:
    line = next(
        (m for m in metrics.splitlines() if m.startswith(f'hotline_router_locations_total{{placed="{placed}"}}')), None
    )
    return 0.0 if line is None else float(line.split()[-1])


async def test_a_point_outside_the_district_is_counted_and_logged_without_the_point(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    router = system.services["router"]
    async with httpx.AsyncClient(base_url=router.base_url, timeout=10) as ops:
        before = placed_count((await ops.get("/metrics", follow_redirects=True)).text, "false")
        # Tianjin: in China, far from the district; a report about water goes to the water bureau all the same.
        body = ticket_body(channel="grid", location={"latitude": 39.08421, "longitude": 117.20093})
        response = await api.post("/v1/cases", json=body)
        assert response.status_code == 202, response.text
        case_id = response.json()["case_id"]
        case = await wait_for_case(api, case_id, lambda case: case["status"] == "assigned", what="assigned")

        assert case["handling_unit"] == "water" and case["routing"]["place"] is None

        async def counted() -> None:
            after = placed_count((await ops.get("/metrics", follow_redirects=True)).text, "false")
            assert after == before + 1

        await assert_eventually(counted, what="hotline_router_locations_total{placed=false}")
    log = router.log_text()
    assert "case.location_not_placed" in log and case_id in log
    assert "39.0842" not in log and "117.2009" not in log
