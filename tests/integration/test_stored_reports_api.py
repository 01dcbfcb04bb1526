"""Reports through the real system: the weekly schedule fires the report workflow, which reads the case records,
stores the report once and sends it; the coordination centre asks for one again (the same report) and re-runs it
(the next version); readers get it as JSON, an HTML page and a workbook holding the same numbers."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import openpyxl
from temporalio.client import Client

from services.assessment.reports.report_schedules import schedule_id
from services.contracts.assessment_reports import ReportKind
from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE
from tests.support.case_lifecycle import act, open_case
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem


def as_(system: RunningSystem, name: str) -> dict[str, str]:
    return bearer(system.keys[name])


async def weekly_reports(api: httpx.AsyncClient, system: RunningSystem) -> list[dict[str, Any]]:
    listed = await api.get("/v1/reports", params={"kind": "weekly"}, headers=as_(system, COORDINATION_CENTRE))
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def test_a_weekly_report_is_made_once_sent_and_read_in_three_forms(
    api: httpx.AsyncClient, system: RunningSystem, temporal_client: Client, no_server_errors: None
) -> None:
    # A case this week, signed for and resolved by the water bureau, rated satisfied.
    case = await open_case(api, category="LS-06")
    case_id = case["case_id"]
    await act(api, case_id, "accept", {"unit": "water", "note": "已签收"})
    await act(api, case_id, "resolve", {"unit": "water", "note": "已恢复供水"})
    await act(api, case_id, "rating", {"speed": "satisfied", "outcome": "satisfied"})

    async def in_the_records() -> None:
        # The search reads the case records (a case's own page reads its workflow while it has one).
        found = await api.get(
            "/v1/cases", params={"status": "closed", "handling_unit": "water"}, headers=as_(system, COORDINATION_CENTRE)
        )
        assert case_id in [item["case_id"] for item in found.json()["items"]]

    await assert_eventually(in_the_records, what="the rated case closed in the records")

    # The weekly schedule fires (triggered now: its Friday firing is tested by its next action times). A scheduled
    # report counts to its scheduled time, which Temporal keeps to the second: the case's last second goes first.
    await asyncio.sleep(1.1)
    await temporal_client.get_schedule_handle(schedule_id(ReportKind.WEEKLY)).trigger()

    async def made() -> list[dict[str, Any]]:
        reports = await weekly_reports(api, system)
        assert reports, "no weekly report yet"
        return reports

    [first] = await assert_eventually(made, timeout=60, what="the scheduled weekly report stored")
    report_id = first["report_id"]
    assert report_id.startswith("weekly-week-") and report_id.endswith("-v1")

    # Asked for again: the same report, not made twice; a re-run is the next version.
    again = await api.post("/v1/reports", json={"kind": "weekly"}, headers=as_(system, COORDINATION_CENTRE))
    assert again.status_code == 201, again.text
    assert again.json()["outcome"] == {"report_id": report_id, "created": False, "delivered_to": 0}
    rerun = await api.post(
        "/v1/reports", json={"kind": "weekly", "rerun": True}, headers=as_(system, COORDINATION_CENTRE)
    )
    assert rerun.status_code == 201, rerun.text
    assert rerun.json()["outcome"]["report_id"] == report_id.replace("-v1", "-v2")
    assert rerun.json()["outcome"]["created"] is True
    assert [r["version"] for r in await weekly_reports(api, system)] == [2, 1]

    # JSON: the water bureau's line counts the case.
    body = (await api.get(f"/v1/reports/{report_id}", headers=as_(system, CITY_LEADER))).json()
    [water] = [line for line in body["rates"]["lines"] if line["group"] == "water"]
    assert water["rates"]["acceptance"]["numerator"] >= 1
    assert water["rates"]["satisfaction"]["value"] == 1.0
    # The page and the workbook: the same report.
    page = await api.get(f"/v1/reports/{report_id}/report.html", headers=as_(system, "water"))
    assert page.status_code == 200 and "<svg" in page.text and body["title"] in page.text
    workbook = await api.get(f"/v1/reports/{report_id}/report.xlsx", headers=as_(system, CITY_LEADER))
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert len(book.sheetnames) == 7

    # Its notices reached the notifier for the coordination centre and the city leader (the email with the
    # workbook attached is tested in test_report_delivery.py).
    async def handled(recipient: str) -> None:
        record = await api.get(f"/v1/notifications/{report_id}:{recipient}:1", headers=as_(system, "admin"))
        assert record.status_code == 200, record.text
        assert record.json()["status"] in ("delivered", "no_channel"), record.json()["status"]
        assert record.json()["event"]["kind"] == "report_published"

    for recipient in (COORDINATION_CENTRE, CITY_LEADER):
        await assert_eventually(lambda recipient=recipient: handled(recipient), what=f"the notice to {recipient}")


async def test_who_may_read_and_ask_for_reports(api: httpx.AsyncClient, system: RunningSystem) -> None:
    assert (await api.get("/v1/reports", headers=as_(system, "admin"))).status_code == 403
    assert (await api.get("/v1/reports", headers=as_(system, "platform-12345"))).status_code == 403
    asked = await api.post("/v1/reports", json={"kind": "weekly"}, headers=as_(system, "water"))
    assert asked.status_code == 403
    bad = await api.post("/v1/reports", json={"kind": "daily"}, headers=as_(system, COORDINATION_CENTRE))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "kind"]
    unknown = await api.post(
        "/v1/reports", json={"kind": "weekly", "period": "last"}, headers=as_(system, COORDINATION_CENTRE)
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "period"]
    missing = await api.get("/v1/reports/weekly-week-2020-01-06-v1", headers=as_(system, COORDINATION_CENTRE))
    assert missing.status_code == 404
    malformed = await api.get("/v1/reports/..%2Fetc", headers=as_(system, COORDINATION_CENTRE))
    assert malformed.status_code in (404, 422)
