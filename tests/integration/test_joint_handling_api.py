"""Joint handling (联动) through the real API: units in roles, their tasks, closing the phase, then resolving."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.support.case_lifecycle import Case, accepted_case, act, actions, open_case, refusal, wait_for_case

pytestmark = pytest.mark.usefixtures("no_server_errors")

LEAD = {"unit": "law-enforcement", "role": "lead", "task": "牵头拆除违建"}
CO_MANAGING = {"unit": "natural-resources", "role": "co_managing", "task": "核查用地性质"}
TOWNSHIP = {"unit": "hekou-town", "role": "township", "task": "属地配合、做好群众工作", "working_days": 3}


def joint_request(*participants: dict[str, Any], unit: str = "law-enforcement") -> dict[str, Any]:
    return {"unit": unit, "reason": "违建涉及规划和土地，需多部门联合处置", "participants": list(participants)}


async def illegal_building(api: httpx.AsyncClient) -> Case:
    """An accepted UC-06 case (城镇违法建设): law-enforcement handles it, with township support."""
    return await accepted_case(api, category="UC-06", unit="law-enforcement", title="小区楼顶违法加盖彩钢房")


async def task_action(
    api: httpx.AsyncClient, case_id: str, unit: str, action: str, body: dict[str, Any]
) -> httpx.Response:
    return await api.post(f"/v1/cases/{case_id}/joint-tasks/{unit}/{action}", json=body)


def task_of(case: Case, unit: str) -> dict[str, Any]:
    return next(task for task in case["joint_phases"][-1]["tasks"] if task["unit"] == unit)


@pytest.mark.parametrize(
    ("participants", "problem"),
    [
        ([LEAD, {**TOWNSHIP, "unit": "natural-resources"}], "participants.1.unit: the township role needs a township"),
        ([LEAD, {**CO_MANAGING, "unit": "land-bureau"}], "participants.1.unit: unknown unit code"),
        ([LEAD, {**CO_MANAGING, "role": "lead"}], "exactly one unit must have the role 'lead'"),
        ([{**LEAD, "role": "co_managing"}, CO_MANAGING], "exactly one unit must have the role 'lead'"),
        ([LEAD, CO_MANAGING, {**CO_MANAGING, "task": "再核查"}], "each unit may appear once"),
        ([LEAD, {**CO_MANAGING, "unit": "coordination-centre"}], "participants.1.unit: the coordination centre"),
        ([LEAD, {**CO_MANAGING, "role": "bystander"}], "body.participants.1.role"),
        ([], "body.participants"),
    ],
)
async def test_a_joint_handling_request_that_does_not_fit_the_catalog_is_422(
    api: httpx.AsyncClient, participants: list[dict[str, Any]], problem: str
) -> None:
    case_id = (await illegal_building(api))["case_id"]

    detail = await refusal(api, case_id, "joint-handling", joint_request(*participants), status=422)

    assert problem in detail
    assert (await api.get(f"/v1/cases/{case_id}")).json()["joint_phases"] == []


async def test_joint_handling_needs_an_accepted_case_and_the_handling_unit(api: httpx.AsyncClient) -> None:
    # Night-time site noise filed as a road-facility matter: housing-construction passes it on (UC-05).
    case = await open_case(api, category="UC-04", title="工地夜间施工噪声扰民")
    case_id = case["case_id"]
    handover = {
        "unit": "housing-construction",
        "to_unit": "law-enforcement",
        "reason": "施工噪声归执法",
        "catalog_item": "UC-05",
    }
    moved = await act(api, case_id, "transfer", handover)
    assert (moved["first_contact_unit"], moved["handling_unit"]) == ("housing-construction", "law-enforcement")
    request = joint_request(LEAD, {**CO_MANAGING, "unit": "housing-construction"})

    assert "assigned" in await refusal(api, case_id, "joint-handling", request)
    await act(api, case_id, "accept", {"unit": "law-enforcement"})
    # The first-contact unit is part of the case, but only the handling unit starts joint handling.
    by_first_contact = await refusal(api, case_id, "joint-handling", {**request, "unit": "housing-construction"})
    assert "handling unit" in by_first_contact
    # A unit with no part in the case is refused before the case hears of it.
    by_outsider = await refusal(api, case_id, "joint-handling", {**request, "unit": "water"}, status=403)
    assert "not yours" in by_outsider
    assert "no joint handling" in await refusal(api, case_id, "joint-handling/close", {"unit": "law-enforcement"})
    assert (await api.get(f"/v1/cases/{case_id}")).json()["joint_phases"] == []


async def test_participants_take_on_report_and_complete_their_tasks_and_the_lead_closes_the_phase(
    api: httpx.AsyncClient,
) -> None:
    case_id = (await illegal_building(api))["case_id"]

    started = await act(api, case_id, "joint-handling", joint_request(LEAD, CO_MANAGING, TOWNSHIP))

    [phase] = started["joint_phases"]
    assert phase["closed_at"] is None
    assert [(t["unit"], t["role"], t["status"]) for t in phase["tasks"]] == [
        ("law-enforcement", "lead", "assigned"),
        ("natural-resources", "co_managing", "assigned"),
        ("hekou-town", "township", "assigned"),
    ]
    due = {task["unit"]: datetime.fromisoformat(task["due"]) for task in phase["tasks"]}
    assert due["hekou-town"] < due["natural-resources"]  # 3 working days asked for, against the default 5
    assert actions(started)[-1] == "joint_handling_started"
    assert "already under way" in await refusal(api, case_id, "joint-handling", joint_request(LEAD, CO_MANAGING))
    waiting = await refusal(api, case_id, "resolve", {"unit": "law-enforcement", "note": "已拆除"})
    assert "joint handling is still open" in waiting and "natural-resources" in waiting

    # A unit without a task, the wrong unit, and the wrong order are refused.
    no_task = await task_action(api, case_id, "water", "accept", {"unit": "water"})
    assert no_task.status_code == 404 and "water" in no_task.json()["detail"]
    early = await task_action(api, case_id, "natural-resources", "complete", {"unit": "natural-resources"})
    assert early.status_code == 409 and "assigned" in early.json()["detail"]
    impostor = await task_action(api, case_id, "natural-resources", "accept", {"unit": "hekou-town"})
    assert impostor.status_code == 403 and "you act as 'hekou-town'" in impostor.json()["detail"]

    accepted = await task_action(api, case_id, "natural-resources", "accept", {"unit": "natural-resources"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    reported = await task_action(
        api, case_id, "natural-resources", "report", {"unit": "natural-resources", "note": "已调取用地审批档案"}
    )
    assert reported.status_code == 200
    assert reported.json()["reports"][-1]["detail"] == "已调取用地审批档案"
    completed = await task_action(
        api, case_id, "natural-resources", "complete", {"unit": "natural-resources", "note": "该地块为国有建设用地"}
    )
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed" and completed.json()["completed_at"]

    seen = await wait_for_case(
        api, case_id, lambda c: task_of(c, "natural-resources")["status"] == "completed", what="task completed"
    )
    assert "joint_task_completed" in actions(seen)
    assert seen["joint_phases"][0]["closed_at"] is None  # the others are still open
    await task_action(api, case_id, "hekou-town", "accept", {"unit": "hekou-town"})

    not_lead = await refusal(api, case_id, "joint-handling/close", {"unit": "natural-resources"})
    assert "only the lead unit (law-enforcement)" in not_lead

    closed = await act(api, case_id, "joint-handling/close", {"unit": "law-enforcement", "note": "违建已拆除"})

    [phase] = closed["joint_phases"]
    assert phase["closed_by"] == "law-enforcement" and phase["closed_at"] is not None
    assert {t["unit"]: t["status"] for t in phase["tasks"]} == {
        "law-enforcement": "closed_by_lead",
        "natural-resources": "completed",
        "hekou-town": "closed_by_lead",
    }
    assert actions(closed)[-1] == "joint_handling_closed"
    late = await task_action(api, case_id, "hekou-town", "complete", {"unit": "hekou-town"})
    assert late.status_code == 409 and late.json()["detail"]
    assert "no joint handling" in await refusal(api, case_id, "joint-handling/close", {"unit": "law-enforcement"})

    resolved = await act(api, case_id, "resolve", {"unit": "law-enforcement", "note": "违建已拆除，恢复原貌"})
    assert resolved["status"] == "resolved"


async def test_the_phase_closes_by_itself_when_every_task_is_complete(api: httpx.AsyncClient) -> None:
    case = await accepted_case(api, category="EE-03", unit="ecology-environment", title="河道发黑发臭有死鱼")
    case_id = case["case_id"]
    participants = [
        {"unit": "ecology-environment", "role": "lead", "task": "排查排污口"},
        {"unit": "water", "role": "co_managing", "task": "河道清淤"},
        {"unit": "donghu-street", "role": "township", "task": "巡河并劝导养殖户"},
    ]
    # The coordination centre may start joint handling on a unit's case.
    started = await act(api, case_id, "joint-handling", joint_request(*participants, unit="coordination-centre"))
    assert started["joint_phases"][0]["requested_by"] == "coordination-centre"

    for participant in participants:
        unit = participant["unit"]
        for action in ("accept", "complete"):
            response = await task_action(api, case_id, unit, action, {"unit": unit, "note": f"{unit} {action}"})
            assert response.status_code == 200, response.text

    done = await wait_for_case(
        api, case_id, lambda c: c["joint_phases"][0]["closed_at"] is not None, what="joint phase closed"
    )
    assert done["joint_phases"][0]["closed_by"] == "system"
    assert {t["status"] for t in done["joint_phases"][0]["tasks"]} == {"completed"}
    assert (await act(api, case_id, "resolve", {"unit": "ecology-environment", "note": "已截污清淤"}))["status"] == (
        "resolved"
    )
