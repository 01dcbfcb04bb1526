"""The rates, scores and townships' ratings through the real API: cases posted and handled over the API count in the
rates once the records have them, each reader sees what it may, and bad input is a 422 naming the field."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from services.contracts.assessment_periods import CITY_TZ
from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE
from tests.support.case_lifecycle import accepted_case, act, open_case
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.records import wait_until_recorded
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

SATISFIED = {"speed": "satisfied", "outcome": "satisfied", "comment": "处理及时"}
MEASURES = ("received", "accepted", "completed", "rated", "satisfied", "transfers_out")


def these_days() -> dict[str, str]:
    """A custom period from yesterday to tomorrow (the city's days): today's cases, whatever the hour."""
    today = datetime.now(CITY_TZ).date()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


async def rates(api: httpx.AsyncClient, keys: dict[str, str], who: str = COORDINATION_CENTRE, **query: str) -> Any:
    response = await api.get("/v1/reports/rates", params=these_days() | query, headers=bearer(keys[who]))
    assert response.status_code == 200, response.text
    return response.json()


def counts(table: dict[str, Any], unit: str) -> dict[str, float]:
    line = next((line for line in [*table["lines"], *table["no_calls"]] if line["group"] == unit), None)
    return {code: (line["measures"][code] if line else 0) for code in MEASURES}


def delta(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {code: after[code] - before[code] for code in MEASURES}


async def test_cases_handled_over_the_api_count_in_the_rates(
    api: httpx.AsyncClient, system: RunningSystem, temporal_client: Client, database: AsyncEngine
) -> None:
    units = ("water", "ecology-environment", "law-enforcement")
    before = await rates(api, system.keys)

    closed = (await accepted_case(api, category="LS-06", unit="water", title="自来水发黄"))["case_id"]
    await act(api, closed, "resolve", {"unit": "water", "note": "已冲洗管网"})
    await act(api, closed, "rating", SATISFIED)
    working = (await accepted_case(api, category="LS-06", unit="water", title="水压不足"))["case_id"]
    moved = (await open_case(api, category="EE-02", title="烧烤店油烟直排"))["case_id"]
    await act(
        api,
        moved,
        "transfer",
        {
            "unit": "ecology-environment",
            "to_unit": "law-enforcement",
            "reason": "餐饮油烟归综合执法",
            "catalog_item": "EE-05",
        },
    )
    await act(api, moved, "accept", {"unit": "law-enforcement", "note": "已签收"})
    for case_id in (closed, working, moved):
        await wait_until_recorded(database, temporal_client, case_id)

    after = await rates(api, system.keys)
    assert {unit: delta(counts(after, unit), counts(before, unit)) for unit in units} == {
        "water": {"received": 2, "accepted": 2, "completed": 1, "rated": 1, "satisfied": 1, "transfers_out": 0},
        "ecology-environment": {
            "received": 1,
            "accepted": 0,
            "completed": 0,
            "rated": 0,
            "satisfied": 0,
            "transfers_out": 1,
        },
        "law-enforcement": {
            "received": 1,
            "accepted": 1,
            "completed": 0,
            "rated": 0,
            "satisfied": 0,
            "transfers_out": 0,
        },
    }
    water = next(line for line in after["lines"] if line["group"] == "water")
    assert water["name"] == "水务局" and water["rank"] >= 1 and water["score"] is not None
    assert after["period"]["kind"] == "custom" and after["definitions_version"] == "2026.1"
    assert after["city"]["measures"]["received"] - before["city"]["measures"]["received"] == 4

    # Grouped by the catalog's domain of the item each unit had the case under.
    by_domain = await rates(api, system.keys, group="domain")
    assert {"livelihood", "ecology-environment"} <= {line["group"] for line in by_domain["lines"]}
    assert next(line for line in by_domain["lines"] if line["group"] == "livelihood")["name"] == "民生服务"


async def test_each_reader_sees_what_it_may(api: httpx.AsyncClient, system: RunningSystem) -> None:
    keys = system.keys
    water = await rates(api, keys, who="water")

    assert [line["group"] for line in water["lines"]] == ["water"] or not water["lines"]
    assert all(line["group"] == "water" for line in water["no_calls"])
    # The health bureau shares its code with the health domain, which is not its line.
    health = await rates(api, keys, who="health", group="domain")
    assert (health["lines"], health["no_calls"]) == ([], []) and health["city"]["group"] == "city"

    # Other tests' cases go on reaching the records meanwhile: compare reads taken together.
    async def the_city_and_the_leader_see_everyones() -> None:
        everything = await rates(api, keys)
        assert (await rates(api, keys, who="water"))["city"] == everything["city"]
        assert (await rates(api, keys, who=CITY_LEADER))["lines"] == everything["lines"]

    await assert_eventually(the_city_and_the_leader_see_everyones, what="the same figures for the same period")
    for who in ("admin", "operator", "platform-12345"):
        response = await api.get("/v1/reports/rates", params=these_days(), headers=bearer(keys[who]))
        assert response.status_code == 403, (who, response.text)

    scores = await api.get("/v1/reports/scores", params=these_days(), headers=bearer(keys[COORDINATION_CENTRE]))
    assert scores.status_code == 200, scores.text
    board = scores.json()
    ranked = [line["rank"] for line in board["lines"]]
    assert ranked == sorted(ranked) and board["points"] == {"acceptance": 15, "completion": 15, "satisfaction": 20}
    own = await api.get("/v1/reports/scores", params=these_days(), headers=bearer(keys["water"]))
    assert {line["unit"] for line in own.json()["lines"] + own.json()["no_calls"]} <= {"water"}


async def test_the_townships_ratings_are_imported_by_the_centre_and_read_in_the_rates(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    keys = system.keys
    period = (await rates(api, keys))["period"]  # its times in the city's offset: their dates are the city's
    key = f"custom-{datetime.fromisoformat(period['start']).date()}-{datetime.fromisoformat(period['end']).date()}"
    body = [
        {"township": "hekou-town", "unit": "water", "score": 90},
        {"township": "qingshan-town", "unit": "water", "score": 70},
        {"township": "hekou-town", "unit": "civil-affairs", "score": 85.5},
    ]

    refused = await api.put(f"/v1/reports/township-ratings/{key}", json=body, headers=bearer(keys["water"]))
    assert refused.status_code == 403, refused.text
    stored = await api.put(f"/v1/reports/township-ratings/{key}", json=body, headers=bearer(keys[COORDINATION_CENTRE]))
    assert stored.status_code == 200, stored.text
    assert stored.json() == {"period_key": key, "ratings": body}

    table = await rates(api, keys)
    lines = {line["group"]: line for line in [*table["lines"], *table["no_calls"]]}
    assert (lines["water"]["township_rating"], lines["civil-affairs"]["township_rating"]) == (80, 85.5)
    # Imported again: the period's ratings are replaced, not added to.
    again = await api.put(
        f"/v1/reports/township-ratings/{key}", json=body[:1], headers=bearer(keys[COORDINATION_CENTRE])
    )
    assert again.status_code == 200, again.text
    table = await rates(api, keys)
    lines = {line["group"]: line for line in [*table["lines"], *table["no_calls"]]}
    assert (lines["water"]["township_rating"], lines["civil-affairs"]["township_rating"]) == (90, None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "fortnight"}, "period"),
        ({"group": "street"}, "group"),
        ({"at": "2026-13-01"}, "at"),
        ({"at": "9999-01-01"}, "at"),
        ({"from": "2026-12-01"}, "from"),
        ({"from": "2026-12-10", "to": "2026-12-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({"period": "week", "from": "2026-12-01", "to": "2026-12-07"}, "from"),
        ({"period": "custom"}, "custom"),
        ({"cutoff": "2026-12-07"}, "cutoff"),
        ({"week": "1"}, "week"),
    ],
)
async def test_bad_queries_are_refused_naming_the_field(
    api: httpx.AsyncClient, system: RunningSystem, query: dict[str, str], field: str
) -> None:
    response = await api.get("/v1/reports/rates", params=query, headers=bearer(system.keys[COORDINATION_CENTRE]))

    assert response.status_code == 422, response.text
    assert field in response.text, response.text


@pytest.mark.parametrize(
    ("key", "body", "field"),
    [
        ("week-2026-12-08", [], "period_key"),  # a Tuesday starts no week
        ("fortnight-2026-12-07", [], "period_key"),
        ("week-2026-12-07", [{"township": "atlantis", "unit": "water", "score": 80}], "body[0].township"),
        ("week-2026-12-07", [{"township": "hekou-town", "unit": "hekou-town", "score": 80}], "body[0].unit"),
        ("week-2026-12-07", [{"township": "hekou-town", "unit": "water", "score": 101}], "score"),
        ("week-2026-12-07", [{"township": "hekou-town", "unit": "water"}], "score"),
        ("week-2026-12-07", [{"township": "hekou-town", "unit": "water", "score": 80}] * 2, "body[1]"),
        ("week-2026-12-07", {"township": "hekou-town"}, "body"),
    ],
)
async def test_bad_ratings_are_refused_naming_the_field(
    api: httpx.AsyncClient, system: RunningSystem, key: str, body: Any, field: str
) -> None:
    response = await api.put(
        f"/v1/reports/township-ratings/{key}", json=body, headers=bearer(system.keys[COORDINATION_CENTRE])
    )

    assert response.status_code == 422, response.text
    assert field in response.text, response.text
