"""Classes of cases through the real stack: tickets posted through the API make a class that the scheduled scan
finds, `GET /v1/reports/hotspots` lists with its cases, and the coordination centre is told of once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from temporalio.client import Client, ScheduleActionStartWorkflow

from services.contracts.case_actions import COORDINATION_CENTRE
from services.contracts.case_classes import HOTSPOT_SCAN_SCHEDULE_ID, HOTSPOT_SCAN_TYPE, ScanInput
from services.contracts.subjects import ASSESSMENT_TASK_QUEUE
from tests.support.case_classes import planted_class
from tests.support.credentials import bearer
from tests.support.notifications import notifications
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")

TOWNSHIP = "taoyuan-township"
BIKES = {
    "title": "共享单车乱停放堵塞路口",
    "description": "桃源乡迎宾大道路口共享单车乱停乱放，堵住了人行道和盲道，行人只能走机动车道。",
    "category_code": "LE-04",
}
# One address, three different matters: a class of its own kind ("same address").
AT_ONE_ADDRESS = [
    {"title": "饭店油烟扰民", "description": "楼下饭店油烟直排，窗户都不敢开。", "category_code": "EE-05"},
    {
        "title": "门口垃圾乱堆",
        "description": "饭店门口垃圾乱堆乱放，几天没人清运，气味难闻。",
        "category_code": "LE-02",
    },
    {"title": "饭店占道经营", "description": "饭店晚上把桌椅摆到人行道上占道经营。", "category_code": "LE-01"},
]
ADDRESS = "桃源乡迎宾大道88号"


async def post(api: httpx.AsyncClient, **fields: Any) -> str:
    body = ticket_body(external_id=f"12345-{uuid.uuid4().hex[:12]}", township=TOWNSHIP, **fields)
    response = await api.post("/v1/cases", json=body)
    assert response.status_code == 202, response.text
    case_id: str = response.json()["case_id"]
    return case_id


async def recorded(api: httpx.AsyncClient, case_ids: list[str]) -> list[dict[str, Any]]:
    """Until every case is in the records (assigned), their summaries."""

    async def check() -> list[dict[str, Any]]:
        response = await api.get("/v1/cases", params={"township": TOWNSHIP, "limit": 200})
        assert response.status_code == 200, response.text
        found = {item["case_id"]: item for item in response.json()["items"]}
        assert set(case_ids) <= set(found), "not all recorded yet"
        return [found[case_id] for case_id in case_ids]

    return await assert_eventually(check, timeout=60, what="the posted cases in the records")


async def hotspots(api: httpx.AsyncClient, who: str | None = None, **query: Any) -> list[dict[str, Any]]:
    headers = bearer(who) if who else {}
    response = await api.get("/v1/reports/hotspots", params={"township": TOWNSHIP, **query}, headers=headers)
    assert response.status_code == 200, response.text
    classes: list[dict[str, Any]] = response.json()["classes"]
    return classes


def holding(classes: list[dict[str, Any]], case_ids: list[str]) -> dict[str, Any]:
    found = [c for c in classes if set(case_ids) <= {case["case_id"] for case in c["cases"]}]
    assert len(found) == 1, f"{len(found)} classes hold these cases"
    return found[0]


async def test_a_planted_class_is_found_by_the_scheduled_scan_listed_and_told_once(
    api: httpx.AsyncClient, system: RunningSystem, temporal_client: Client
) -> None:
    bikes = [await post(api, address=f"桃源乡迎宾大道{n}号", **BIKES) for n in range(1, 6)]
    one_address = [await post(api, address=ADDRESS, **matter) for matter in AT_ONE_ADDRESS]
    summaries = await recorded(api, bikes + one_address)
    assert {s["catalog_item"] for s in summaries[:5]} == {"LE-04"}

    # The service made its schedule at start: hourly, running the scan on the assessment queue.
    schedule = temporal_client.get_schedule_handle(HOTSPOT_SCAN_SCHEDULE_ID)
    described = await schedule.describe()
    assert [spec.every for spec in described.schedule.spec.intervals] == [timedelta(hours=1)]
    action = described.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow) and action.workflow == HOTSPOT_SCAN_TYPE
    await schedule.trigger()

    async def listed() -> tuple[dict[str, Any], dict[str, Any]]:
        classes = await hotspots(api)
        return holding(classes, bikes), holding(classes, one_address)

    bike_class, address_class = await assert_eventually(listed, timeout=60, what="both classes listed")
    assert (bike_class["kind"], bike_class["kind_name"]) == ("item_township", "同一事项同一镇街")
    assert (bike_class["catalog_item"], bike_class["township"], bike_class["case_count"]) == ("LE-04", TOWNSHIP, 5)
    assert bike_class["label"] == "桃源乡·共享单车乱停放（同一事项同一镇街）" and bike_class["active"]
    assert [case["case_id"] for case in bike_class["cases"]] == bikes  # oldest first
    assert {(case["title"], case["status"]) for case in bike_class["cases"]} == {("共享单车乱停放堵塞路口", "assigned")}
    assert (address_class["kind"], address_class["case_count"]) == ("address", 3)
    assert ADDRESS not in str(address_class) and "迎宾大道" not in str(address_class)

    # Page by page (one a page), every class once, newest found first.
    everything = [c["class_id"] for c in await hotspots(api)]
    paged: list[str] = []
    cursor = None
    while True:
        params = {"township": TOWNSHIP, "limit": 1} | ({"cursor": cursor} if cursor else {})
        page = (await api.get("/v1/reports/hotspots", params=params)).json()
        paged += [c["class_id"] for c in page["classes"]]
        if not (cursor := page["next_cursor"]):
            break
    assert paged == everything and len(paged) >= 2

    # Filters: by kind, by item, ended classes.
    assert [c["class_id"] for c in await hotspots(api, kind="address") if c["class_id"] == bike_class["class_id"]] == []
    assert holding(await hotspots(api, item="LE-04"), bikes)["class_id"] == bike_class["class_id"]
    assert all(c["class_id"] != bike_class["class_id"] for c in await hotspots(api, active="false"))

    # The centre is told of each class once, however often the scan runs.
    async def told_once() -> None:
        for found in (bike_class, address_class):
            kinds = [(n["kind"], n["unit"]) for n in await notifications(api, found["class_id"])]
            assert kinds == [("case_class_found", COORDINATION_CENTRE)], (found["kind"], kinds)

    await assert_eventually(told_once, timeout=30, what="the centre told of both classes")

    # The scan that told them marks the classes told once the notices are out: the next one may start after that.
    async def marked() -> None:
        told = {c["class_id"]: c["notified_at"] for c in await hotspots(api)}
        assert told[bike_class["class_id"]] is not None and told[address_class["class_id"]] is not None, told

    await assert_eventually(marked, timeout=30, what="both classes marked as told")
    # A second scan (as the next hour's run would be) finds the class again and tells no one.
    outcome = await temporal_client.execute_workflow(
        HOTSPOT_SCAN_TYPE,
        ScanInput(),
        id=f"hotspot-scan-test-{uuid.uuid4()}",
        task_queue=ASSESSMENT_TASK_QUEUE,
        result_type=dict,
    )
    assert bike_class["class_id"] not in outcome["notified"] and address_class["class_id"] not in outcome["notified"]
    await told_once()

    # Who sees what: the unit handling the cases sees its class; another unit does not; a platform may not look.
    handling = summaries[0]["handling_unit"]
    assert holding(await hotspots(api, system.keys[handling]), bikes)["class_id"] == bike_class["class_id"]
    assert all(c["class_id"] != bike_class["class_id"] for c in await hotspots(api, system.keys["health"]))
    refused = await api.get("/v1/reports/hotspots", headers=bearer(system.keys["platform-12345"]))
    assert refused.status_code == 403, refused.text
    leader = await hotspots(api, system.keys["city-leader"])
    assert holding(leader, bikes)["class_id"] == bike_class["class_id"]


async def test_bad_filters_and_cursors_are_422_naming_the_field(api: httpx.AsyncClient) -> None:
    for params, field in [
        ({"kind": "Same Road"}, "kind"),
        ({"township": "桃源乡"}, "township"),
        ({"limit": "0"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ]:
        response = await api.get("/v1/reports/hotspots", params=params)
        assert response.status_code == 422, (params, response.text)
        assert field in response.text, (params, response.text)


GRIDS = ("sample-district.donghu-street.donghu.g01", "sample-district.donghu-street.hubin.g02")


async def test_a_class_in_two_grids_of_a_township_comes_back_as_two_grid_hotspots(
    api: httpx.AsyncClient, temporal_client: Client
) -> None:
    """Five cases of one item in 东湖街道, three reported in one grid and two in another: one class by township,
    two hotspots by grid."""
    tickets = [
        ticket_body(
            external_id=f"12345-{uuid.uuid4().hex[:12]}",
            township="donghu-street",
            address=f"东湖街道湖滨路{n + 1}号",
            title="共享单车乱停放堵塞路口",
            description="东湖街道湖滨路口共享单车乱停乱放，堵住了人行道和盲道。",
            category_code="LE-04",
            location={"grid_code": GRIDS[0] if n < 3 else GRIDS[1]},
        )
        for n in range(5)
    ]
    class_id, case_ids = await planted_class(api, temporal_client, tickets)
    params = {"item": "LE-04", "township": "donghu-street"}

    as_found = (await api.get("/v1/reports/hotspots", params=params)).json()["classes"]
    found = [c for c in as_found if c["class_id"] == class_id]
    assert len(found) == 1 and found[0]["place"] is None  # the default answer is today's: one class

    response = await api.get("/v1/reports/hotspots", params=params | {"by": "grid"})
    assert response.status_code == 200, response.text
    parts = {c["place"]: c for c in response.json()["classes"] if c["class_id"] == class_id}
    assert set(parts) >= set(GRIDS)
    for grid, mine in ((GRIDS[0], case_ids[:3]), (GRIDS[1], case_ids[3:])):
        assert set(mine) <= {case["case_id"] for case in parts[grid]["cases"]}
        assert {case["place"] for case in parts[grid]["cases"]} == {grid}
        assert parts[grid]["case_count"] == len(parts[grid]["cases"])  # the centre sees every case of the part
    assert sum(part["case_count"] for part in parts.values()) == found[0]["case_count"]

    refused = await api.get("/v1/reports/hotspots", params=params | {"by": "community"})
    assert refused.status_code == 422
