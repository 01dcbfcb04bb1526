"""The admin imports the district's boundaries over the API (`POST /v1/boundaries/versions`): stored as the next
version, which the router follows at once, refused to anyone else, and a broken file is a 422 naming the feature.
The shipped boundaries are put back afterwards: the session's other tests route by them."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from services.contracts.boundaries import default_boundaries_file, load_boundaries, to_feature_collection
from services.contracts.case_actions import COORDINATION_CENTRE
from tests.support.case_lifecycle import wait_for_case
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")

SHIPPED = to_feature_collection(load_boundaries())
GRID = "sample-district.hekou-town.lijiawan.g01"
REDRAWN = "sample-district.hekou-town.lijiawan.g91"


def renumbered(document: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """The file with one grid's code changed (as when a township renumbers its grids)."""
    changed = copy.deepcopy(document)
    for feature in changed["features"]:
        if feature["properties"]["code"] == old:
            feature["properties"]["code"] = new
    return changed


async def import_as(api: httpx.AsyncClient, system: RunningSystem, who: str, body: Any) -> httpx.Response:
    return await api.post("/v1/boundaries/versions", json=body, headers=bearer(system.keys[who]))


async def routed_place(api: httpx.AsyncClient, latitude: float, longitude: float) -> dict[str, Any]:
    """The routing of a grid worker's report from the point (a township's matter, no township, no address)."""
    body = ticket_body(channel="grid", category_code="EE-04", location={"latitude": latitude, "longitude": longitude})
    del body["township"], body["address"]
    response = await api.post("/v1/cases", json=body)
    assert response.status_code == 202, response.text
    case = await wait_for_case(
        api, response.json()["case_id"], lambda case: case["status"] == "assigned", what="assigned"
    )
    routing: dict[str, Any] = case["routing"]
    return routing


@pytest_asyncio.fixture
async def restore_boundaries(system: RunningSystem, api: httpx.AsyncClient) -> AsyncIterator[None]:
    yield
    answer = await import_as(api, system, "admin", {"geojson": SHIPPED, "note": "restored after the test"})
    assert answer.status_code in (200, 201), answer.text
    restored = str(answer.json()["version"]["version"])
    grid = next(b for b in load_boundaries().boundaries if b.code == GRID).shape().representative_point()

    async def router_follows() -> None:
        assert (await routed_place(api, grid.y, grid.x))["boundaries_version"] == restored

    await assert_eventually(router_follows, what=f"the router on boundaries version {restored}")


async def test_anyone_with_a_key_reads_the_boundaries_in_force(api: httpx.AsyncClient) -> None:
    answer = await api.get("/v1/boundaries")

    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert (document["type"], document["district"]) == ("FeatureCollection", "sample-district")
    assert len(document["features"]) == len(SHIPPED["features"])
    assert default_boundaries_file().name == "district.geojson"


@pytest.mark.usefixtures("restore_boundaries")
async def test_an_imported_version_is_followed_by_the_router(api: httpx.AsyncClient, system: RunningSystem) -> None:
    grid = next(b for b in load_boundaries().boundaries if b.code == GRID).shape().representative_point()

    answer = await import_as(
        api, system, "admin", {"geojson": renumbered(SHIPPED, GRID, REDRAWN), "note": "李家湾村网格重新编号"}
    )
    assert answer.status_code == 201, answer.text
    imported = answer.json()
    assert imported["published"] is True and imported["version"]["note"] == "李家湾村网格重新编号"
    again = await import_as(api, system, "admin", {"geojson": renumbered(SHIPPED, GRID, REDRAWN)})
    assert (again.status_code, again.json()["published"]) == (200, False)
    listed = (await api.get("/v1/boundaries/versions")).json()
    assert listed[-1]["version"] == imported["version"]["version"]

    async def routed_by_the_new_version() -> None:
        routing = await routed_place(api, grid.y, grid.x)
        assert (routing["place"], routing["boundaries_version"]) == (REDRAWN, str(imported["version"]["version"]))

    await assert_eventually(routed_by_the_new_version, what="the router on the imported version")


@pytest.mark.parametrize("who", [COORDINATION_CENTRE, "platform-12345"])
async def test_only_the_admin_imports(api: httpx.AsyncClient, system: RunningSystem, who: str) -> None:
    answer = await import_as(api, system, who, {"geojson": SHIPPED})

    assert answer.status_code == 403, answer.text


async def test_a_broken_file_is_a_422_naming_the_feature(api: httpx.AsyncClient, system: RunningSystem) -> None:
    broken = renumbered(SHIPPED, GRID, "sample-district.hekou-town.nowhere.g01")

    answer = await import_as(api, system, "admin", {"geojson": broken})

    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "boundaries_invalid"
    assert "sample-district.hekou-town.nowhere.g01: its parent sample-district.hekou-town.nowhere" in problem["detail"]
