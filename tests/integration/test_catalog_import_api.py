"""The admin imports a city's catalog tables over the API (`POST /v1/catalog/versions`): checked as the command
checks them, stored as the next version that intake then follows, refused to anyone else, and a broken table is a
422 naming its file, row and column. The shipped tables are put back afterwards: the session's other tests route by
them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE
from services.contracts.catalog import default_catalog_dir
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

SHIPPED_UNITS = (default_catalog_dir() / "units.csv").read_text(encoding="utf-8")
SHIPPED_ITEMS = (default_catalog_dir() / "items.csv").read_text(encoding="utf-8")
WATER_ROW = "water,department,水务局,Water Affairs Bureau,"


def tables(units: str = SHIPPED_UNITS, items: str = SHIPPED_ITEMS, note: str = "") -> dict[str, str]:
    return {"units_csv": units, "items_csv": items, "note": note}


async def import_as(api: httpx.AsyncClient, system: RunningSystem, who: str, body: Any) -> httpx.Response:
    return await api.post("/v1/catalog/versions", json=body, headers=bearer(system.keys[who]))


@pytest_asyncio.fixture
async def restore_catalog(system: RunningSystem, api: httpx.AsyncClient) -> AsyncIterator[None]:
    yield
    answer = await import_as(api, system, "admin", tables(note="restored after test_catalog_import_api"))
    assert answer.status_code in (200, 201), answer.text
    restored = answer.json()["version"]["version"]

    async def intake_follows() -> None:
        assert (await api.get("/v1/catalog")).json()["version"] == restored

    await assert_eventually(intake_follows, what=f"intake on catalog version {restored}")


@pytest.mark.usefixtures("restore_catalog")
async def test_the_admin_imports_changed_tables_as_the_next_version(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    assert WATER_ROW in SHIPPED_UNITS
    changed = SHIPPED_UNITS.replace(WATER_ROW + "0000-1111", WATER_ROW + "0000-9999")
    assert changed != SHIPPED_UNITS
    before = (await api.get("/v1/catalog")).json()["version"]

    answer = await import_as(api, system, "admin", tables(changed, note="水务局值班电话变更"))
    assert answer.status_code == 201, answer.text
    imported = answer.json()
    assert imported["published"] is True
    version = imported["version"]
    assert version["version"] > before and version["source"] == "import" and version["note"] == "水务局值班电话变更"

    async def intake_follows() -> None:
        current = (await api.get("/v1/catalog")).json()
        assert current["version"] == version["version"]
        assert current["catalog"]["units"]["water"]["duty_phone"] == "0000-9999"

    await assert_eventually(intake_follows, what="intake on the imported version")
    listed = (await api.get("/v1/catalog/versions")).json()
    assert listed[-1]["version"] == version["version"] and listed[-1]["digest"] == version["digest"]

    # The same tables again: nothing new is stored, the version in force is named.
    again = await import_as(api, system, "admin", tables(changed))
    assert again.status_code == 200, again.text
    assert again.json() == {"published": False, "version": version}


@pytest.mark.parametrize("who", [COORDINATION_CENTRE, CITY_LEADER, "water", "platform-12345"])
async def test_only_the_admin_imports(api: httpx.AsyncClient, system: RunningSystem, who: str) -> None:
    before = (await api.get("/v1/catalog/versions")).json()
    answer = await import_as(api, system, who, tables())
    assert answer.status_code == 403, answer.text
    assert "may not import a catalog" in answer.json()["detail"]
    assert (await api.get("/v1/catalog/versions")).json() == before


@pytest.mark.parametrize(
    ("units", "items", "refusal"),
    [
        (
            SHIPPED_UNITS,
            SHIPPED_ITEMS.replace(
                "NR-01,natural-resources,自然资源,违法占用耕地建房,natural-resources,",
                "NR-01,natural-resources,自然资源,违法占用耕地建房,no-such-unit,",
            ),
            "items.csv row 2 column primary_unit: unknown unit code 'no-such-unit'",
        ),
        (SHIPPED_UNITS.replace(",department,", ",bureau,", 1), SHIPPED_ITEMS, "units.csv row 2 column kind:"),
        (SHIPPED_UNITS.splitlines()[0], SHIPPED_ITEMS, "units.csv: no rows below the header"),
        ("名称,电话\n水务局,1", SHIPPED_ITEMS, "units.csv row 2 column code: Field required"),
    ],
)
async def test_a_broken_table_is_a_422_naming_file_row_and_column(
    api: httpx.AsyncClient, system: RunningSystem, units: str, items: str, refusal: str
) -> None:
    before = (await api.get("/v1/catalog/versions")).json()
    answer = await import_as(api, system, "admin", tables(units, items))
    assert answer.status_code == 422, answer.text
    assert refusal in answer.json()["detail"]
    assert (await api.get("/v1/catalog/versions")).json() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"units_csv": SHIPPED_UNITS}, "items_csv"),
        ({**tables(), "items_csv": ""}, "items_csv"),
        ({**tables(), "x": 1}, "x"),
    ],
)
async def test_a_body_without_both_tables_is_a_422_naming_the_field(
    api: httpx.AsyncClient, system: RunningSystem, body: dict[str, Any], field: str
) -> None:
    answer = await import_as(api, system, "admin", body)
    assert answer.status_code == 422, answer.text
    assert field in str(answer.json()["detail"])
