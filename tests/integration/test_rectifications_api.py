"""A special rectification (专项整治) through the real API and engines, from the class of cases it takes on to its
closing: opened by the coordination centre, progress from its units, read by those who may, closed with a result,
and every refusal with its status and reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from temporalio.client import Client

from services.assessment.classes.report_rows import rectifications_for_report
from services.contracts.assessment_periods import Period, PeriodKind
from services.contracts.case_actions import COORDINATION_CENTRE
from services.engines.records_db.tables import case_classes
from tests.support.case_classes import planted_class
from tests.support.credentials import bearer
from tests.support.notifications import notifications
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")

TOWNSHIP = "shiqiao-town"
LEAD = "law-enforcement"
PARTICIPANTS = ["shiqiao-town", "market-regulation"]
STALLS = {
    "title": "流动摊贩占道经营",
    "description": "石桥镇集镇主街每天早上流动摊贩占道经营，车辆无法通行。",
    "category_code": "LE-01",
}


def stall_tickets() -> list[dict[str, Any]]:
    """Five tickets of one item in one township: a class once the scan runs."""
    return [
        ticket_body(
            external_id=f"12345-{uuid.uuid4().hex[:12]}", township=TOWNSHIP, address=f"石桥镇主街{n + 1}号", **STALLS
        )
        for n in range(5)
    ]


def opening(class_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "class_id": class_id,
        "title": "石桥镇集镇占道经营专项整治",
        "lead_unit": LEAD,
        "participants": PARTICIPANTS,
        "deadline": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "goal": "一个月内集镇主街占道经营清零",
    }
    return body | changes


async def test_a_special_rectification_runs_to_its_end_through_the_api(
    api: httpx.AsyncClient, system: RunningSystem, temporal_client: Client
) -> None:
    class_id, case_ids = await planted_class(api, temporal_client, stall_tickets())

    def as_(name: str) -> dict[str, str]:
        return bearer(system.keys[name])

    # Only the coordination centre opens one.
    refused = await api.post("/v1/rectifications", json=opening(class_id), headers=as_(LEAD))
    assert refused.status_code == 403, refused.text
    opened = await api.post("/v1/rectifications", json=opening(class_id))
    assert opened.status_code == 201, opened.text
    view = opened.json()
    rectification_id = view["rectification_id"]
    assert (view["status"], view["lead_unit"], view["participants"], view["class_id"]) == (
        "open",
        LEAD,
        PARTICIPANTS,
        class_id,
    )
    assert sorted(case["case_id"] for case in view["cases"]) == sorted(case_ids)
    assert (view["case_count"], view["open_case_count"], view["overdue"]) == (5, 5, False)

    # One open rectification a class.
    again = await api.post("/v1/rectifications", json=opening(class_id))
    assert again.status_code == 409 and rectification_id in again.json()["detail"], again.text

    # The class names its rectification; the units are told.
    listed = await api.get("/v1/reports/hotspots", params={"item": "LE-01", "township": TOWNSHIP})
    [with_it] = [c for c in listed.json()["classes"] if c["class_id"] == class_id]
    assert with_it["rectification_id"] == rectification_id

    async def units_told() -> None:
        told = sorted(
            n["unit"] for n in await notifications(api, rectification_id) if n["kind"] == "rectification_opened"
        )
        assert told == sorted([LEAD, *PARTICIPANTS]), told

    await assert_eventually(units_told, timeout=30, what="the lead unit and the participants told")

    # Who reads it: the centre, leaders, its units; not another unit, not a platform.
    for who, status in [
        (LEAD, 200),
        ("market-regulation", 200),
        ("city-leader", 200),
        ("health", 403),
        ("platform-12345", 403),
    ]:
        response = await api.get(f"/v1/rectifications/{rectification_id}", headers=as_(who))
        assert response.status_code == status, (who, response.text)
    mine = await api.get("/v1/rectifications", headers=as_("shiqiao-town"))
    assert rectification_id in [r["rectification_id"] for r in mine.json()["rectifications"]]
    theirs = await api.get("/v1/rectifications", headers=as_("health"))
    assert rectification_id not in [r["rectification_id"] for r in theirs.json()["rectifications"]]

    # Weekly progress: by its units, in their own name.
    progress = {
        "unit": LEAD,
        "text": "本周清理占道摊点23处，设置临时疏导点2处",
        "measures": ["早晚高峰定岗", "联合市场监管巡查"],
    }
    reported = await api.post(f"/v1/rectifications/{rectification_id}/progress", json=progress)
    assert reported.status_code == 200, reported.text
    [entry] = reported.json()["progress"]
    assert (entry["unit"], entry["measures"]) == (LEAD, ["早晚高峰定岗", "联合市场监管巡查"])
    next_due = datetime.fromisoformat(reported.json()["next_progress_due"])
    assert next_due == datetime.fromisoformat(entry["at"]) + timedelta(days=7)
    participant = {"unit": "shiqiao-town", "text": "镇村干部劝导摊贩入市经营"}
    assert (await api.post(f"/v1/rectifications/{rectification_id}/progress", json=participant)).status_code == 200
    outsider = {"unit": "health", "text": "无"}
    assert (await api.post(f"/v1/rectifications/{rectification_id}/progress", json=outsider)).status_code == 403
    impersonated = await api.post(
        f"/v1/rectifications/{rectification_id}/progress", json=progress, headers=as_("shiqiao-town")
    )
    assert impersonated.status_code == 403, impersonated.text

    # Closed by the centre with its result; nothing after that.
    by_unit = await api.post(
        f"/v1/rectifications/{rectification_id}/close", json={"unit": LEAD, "result": "完成"}, headers=as_(LEAD)
    )
    assert by_unit.status_code == 403, by_unit.text
    result = "集镇主街占道经营基本清零，设置便民疏导点2处，近两周无同类投诉"
    closed = await api.post(
        f"/v1/rectifications/{rectification_id}/close", json={"unit": COORDINATION_CENTRE, "result": result}
    )
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["result"], closed.json()["closed_by"]) == (
        "closed",
        result,
        COORDINATION_CENTRE,
    )
    for path, body in [("close", {"unit": COORDINATION_CENTRE, "result": "再次"}), ("progress", progress)]:
        late = await api.post(f"/v1/rectifications/{rectification_id}/{path}", json=body)
        assert late.status_code == 409 and "closed" in late.json()["detail"], late.text

    recorded = (await api.get(f"/v1/rectifications/{rectification_id}")).json()
    assert (recorded["status"], recorded["result"], len(recorded["progress"])) == ("closed", result, 2)
    closed_ones = await api.get("/v1/rectifications", params={"status": "closed", "class_id": class_id})
    assert [r["rectification_id"] for r in closed_ones.json()["rectifications"]] == [rectification_id]

    async def units_told_of_the_end() -> None:
        told = [n["unit"] for n in await notifications(api, rectification_id) if n["kind"] == "rectification_closed"]
        assert sorted(told) == sorted([LEAD, *PARTICIPANTS]), told

    await assert_eventually(units_told_of_the_end, timeout=30, what="the units told of the closing")

    # The bulletin of the period reports it closed, with its result and last progress.
    assert system.postgres is not None
    database = create_async_engine(system.postgres.url)
    try:
        now = datetime.now(UTC)
        async with database.connect() as connection:
            reported_rows = await rectifications_for_report(
                connection, Period(kind=PeriodKind.CUSTOM, start=now - timedelta(days=1), end=now + timedelta(days=1))
            )
            assert (
                await connection.scalar(
                    select(case_classes.c.rectification_id).where(case_classes.c.class_id == class_id)
                )
                == rectification_id
            )
    finally:
        await database.dispose()
    [summary] = [r for r in reported_rows if r.rectification_id == rectification_id]
    assert (summary.status, summary.result, summary.case_count) == ("closed", result, 5)
    assert summary.last_progress == "镇村干部劝导摊贩入市经营"

    # A new rectification of the class may open once the last has closed.
    reopened = await api.post("/v1/rectifications", json=opening(class_id, title="巩固提升"))
    assert reopened.status_code == 201, reopened.text


async def test_openings_that_do_not_fit_are_refused_naming_the_field(api: httpx.AsyncClient) -> None:
    unknown_class = str(uuid.uuid4())
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    for body, status, words in [
        (opening(unknown_class), 404, "no class of cases"),
        (opening(unknown_class, lead_unit="no-such-unit"), 422, "lead_unit: unknown unit"),
        (opening(unknown_class, lead_unit=COORDINATION_CENTRE), 422, "lead_unit: the coordination centre"),
        (opening(unknown_class, participants=["water", "nobody"]), 422, "participants.1: unknown unit"),
        (opening(unknown_class, participants=[LEAD]), 422, "the lead unit leads"),
        (opening(unknown_class, deadline=past), 422, "deadline: must be later than now"),
        (opening(unknown_class, deadline="2027-01-31"), 422, "deadline"),
        (opening("not-a-class"), 422, "class_id"),
        (opening(unknown_class, title=""), 422, "title"),
        ({"class_id": unknown_class}, 422, "lead_unit"),
    ]:
        response = await api.post("/v1/rectifications", json=body)
        assert response.status_code == status, (body, response.text)
        assert words in response.text, (words, response.text)


async def test_unknown_rectifications_are_404(api: httpx.AsyncClient) -> None:
    for path in (f"/v1/rectifications/{uuid.uuid4()}", "/v1/rectifications/no-such-thing"):
        assert (await api.get(path)).status_code == 404
    body = {"unit": COORDINATION_CENTRE, "result": "完成"}
    assert (await api.post(f"/v1/rectifications/{uuid.uuid4()}/close", json=body)).status_code == 404
