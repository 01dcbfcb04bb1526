"""A case's lifecycle through the real API: replies, escalation, extension, resolution, rating and rework.

Each action is a Temporal Update behind FastAPI: 200 with the new state, 409 with the reason, 422 for a body
naming an unknown unit or item, 403 for a unit acting on a case that is not its own. No answer may be a 500
(`no_server_errors`).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import httpx
import pytest
from temporalio.client import Client, WorkflowExecutionStatus

from services.contracts.case_policy import load_policy
from services.contracts.case_workflow import top_level_workflow_id
from tests.support.case_lifecycle import accepted_case, act, actions, open_case, refusal, tracked
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- assignment ------------------------------------------------------------------------------------------


async def test_a_case_shows_as_assigned_only_once_its_deadlines_are_counted(api: httpx.AsyncClient) -> None:
    """A platform polling right after submitting never sees an assigned case without deadlines or timeline."""
    response = await api.post("/v1/cases", json=ticket_body(category_code="LS-03", title="低保申请三个月没有结果"))
    case_id = response.json()["case_id"]
    statuses: list[str] = []
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 20
    while not statuses or statuses[-1] != "assigned":
        assert loop.time() < give_up, f"not assigned after 20s: {statuses}"
        case = (await api.get(f"/v1/cases/{case_id}")).json()
        statuses.append(case["status"])

    assert set(statuses) <= {"received", "assigned"}, statuses
    assert case["deadlines"]["feedback"] and case["deadlines"]["resolution"]
    assert actions(case) == ["received", "routed", "assigned"]
    assert case["handling_unit"] == "civil-affairs"


async def test_a_water_outage_gets_the_shipped_policys_hours_counted_around_the_clock(api: httpx.AsyncClient) -> None:
    """The workflows service reads the shipped policy: a normal water-supply ticket (LS-06) is resolved within 24
    hours of receipt, whatever the day, and says which policy version counted it."""
    case = await open_case(api, category="LS-06", title="整栋楼停水")
    received, deadlines = at(case["received_at"]), case["deadlines"]

    assert (case["urgency"], case["policy_version"]) == ("normal", load_policy().version)
    assert at(deadlines["sign_for"]) - received == at(deadlines["transfer"]) - received == timedelta(hours=2)
    assert at(deadlines["feedback"]) - received == timedelta(hours=4)
    assert at(deadlines["resolution"]) - received == timedelta(hours=24)
    resolution = tracked(case, "resolution")
    assert at(resolution["due"]) - at(resolution["started_at"]) == timedelta(hours=24)
    assert "window" not in resolution  # the workflow's bookkeeping is not part of the API


# --- replies to the caller -------------------------------------------------------------------------------


async def test_feedback_and_progress_come_from_the_handling_unit_once_it_has_signed_for_the_case(
    api: httpx.AsyncClient,
) -> None:
    case = await open_case(api, category="LS-04", title="社区老年食堂饭菜质量差")
    case_id = case["case_id"]
    feedback = {"unit": "civil-affairs", "message": "已与您电话联系，本周内到食堂检查"}
    progress = {"unit": "civil-affairs", "done": "已约谈食堂运营方", "next": "下周回访老人"}

    assert "assigned" in await refusal(api, case_id, "feedback", feedback)
    assert "assigned" in await refusal(api, case_id, "progress", progress)
    await act(api, case_id, "accept", {"unit": "civil-affairs"})
    # A unit with no part in the case may not answer the caller for it.
    assert "not yours" in await refusal(api, case_id, "feedback", {**feedback, "unit": "health"}, status=403)
    assert (await api.get(f"/v1/cases/{case_id}")).json()["feedback_at"] is None

    answered = await act(api, case_id, "feedback", feedback)

    assert answered["feedback_at"] is not None
    assert tracked(answered, "feedback")["met_at"] is not None
    last = answered["timeline"][-1]
    assert (last["actor"], last["action"], last["detail"]) == ("civil-affairs", "feedback", feedback["message"])

    reported = await act(api, case_id, "progress", progress)

    last = reported["timeline"][-1]
    assert (last["actor"], last["action"]) == ("civil-affairs", "progress")
    assert "已约谈食堂运营方" in last["detail"] and "下周回访老人" in last["detail"]
    assert reported["status"] == "accepted"
    assert "not yours" in await refusal(api, case_id, "progress", {**progress, "unit": "education"}, status=403)
    assert actions((await api.get(f"/v1/cases/{case_id}")).json()).count("progress") == 1
    assert (await refusal(api, case_id, "progress", {"unit": "civil-affairs", "done": ""}, status=422)).startswith(
        "body.done"
    )


# --- escalation -------------------------------------------------------------------------------------------


async def test_escalation_climbs_to_the_city_leader_then_to_top_level_coordination(
    api: httpx.AsyncClient, temporal_client: Client
) -> None:
    case = await open_case(api, category="LS-01", title="工地包工头失联拖欠工资")
    case_id = case["case_id"]
    assert case["handling_unit"] == "human-resources"
    ask = {"reason": "包工头失联，涉及多部门", "plan": "人社牵头，公安、住建配合，先行垫付工资"}

    refusals = [
        await refusal(api, case_id, "escalation", {**ask, "unit": "human-resources", "to": "top_level"}),
        await refusal(api, case_id, "escalation", {**ask, "unit": "coordination-centre", "to": "top_level"}),
        await refusal(api, case_id, "escalation", {**ask, "unit": "city-leader", "to": "top_level"}, status=403),
        await refusal(api, case_id, "escalation", {**ask, "unit": "water", "to": "city_leader"}, status=403),
    ]
    assert "city leader" in refusals[0]
    assert "city leader first" in refusals[1]
    assert "not been escalated to you" in refusals[2]
    assert "not yours" in refusals[3]
    assert (await api.get(f"/v1/cases/{case_id}")).json()["escalation_level"] == 0

    with_leader = await act(api, case_id, "escalation", {**ask, "unit": "human-resources", "to": "city_leader"})

    assert with_leader["escalation_level"] == 2
    [escalation] = with_leader["escalations"]
    assert (escalation["level_name"], escalation["requested_by"]) == ("city_leader", "human-resources")
    assert escalation["plan"] == ask["plan"]
    assert {"escalation_requested", "escalated"} <= set(actions(with_leader))
    again = {**ask, "unit": "human-resources", "to": "city_leader"}
    assert "already" in await refusal(api, case_id, "escalation", again)

    top = await act(api, case_id, "escalation", {**ask, "unit": "city-leader", "to": "top_level"})

    assert top["escalation_level"] == 3
    assert top["escalations"][-1]["level_name"] == "top_level"
    assert "top_level_coordination" in actions(top)
    description = await temporal_client.get_workflow_handle(top_level_workflow_id(case_id)).describe()
    assert description.status is WorkflowExecutionStatus.RUNNING
    assert "top-level" in await refusal(api, case_id, "escalation", {**ask, "unit": "city-leader", "to": "top_level"})
    assert (await api.get(f"/v1/cases/{case_id}")).json()["escalation_level"] == 3


async def test_escalation_body_is_checked(api: httpx.AsyncClient) -> None:
    case = await open_case(api, category="LS-02", title="养老金待遇核定有误")
    case_id = case["case_id"]
    ask = {"unit": "human-resources", "to": "city_leader", "reason": "跨部门", "plan": "请市领导协调"}

    assert (await refusal(api, case_id, "escalation", {**ask, "to": "mayor"}, status=422)).startswith("body.to")
    assert (await refusal(api, case_id, "escalation", {**ask, "plan": ""}, status=422)).startswith("body.plan")
    assert (await refusal(api, case_id, "escalation", {**ask, "unit": "no-such-office"}, status=422)).startswith(
        "unit:"
    )
    assert (await api.get(f"/v1/cases/{case_id}")).json()["escalations"] == []


# --- extension --------------------------------------------------------------------------------------------


async def test_an_approved_extension_moves_the_resolution_deadline_and_a_refused_one_does_not(
    api: httpx.AsyncClient,
) -> None:
    case = await open_case(api, category="HE-01", title="医院挂号排队时间过长")
    case_id = case["case_id"]
    ask = {"unit": "health", "reason": "需协调多家医院调整排班", "working_days": 5}
    assert "assigned" in await refusal(api, case_id, "extension", ask)
    case = await act(api, case_id, "accept", {"unit": "health"})
    old_due = at(case["deadlines"]["resolution"])

    assert "30" in await refusal(api, case_id, "extension", {**ask, "working_days": 31})
    assert (await refusal(api, case_id, "extension", {**ask, "working_days": 61}, status=422)).startswith(
        "body.working_days"
    )
    assert "not yours" in await refusal(api, case_id, "extension", {**ask, "unit": "education"}, status=403)
    assert (await api.get(f"/v1/cases/{case_id}")).json()["extensions"] == []
    assert "no extension" in await refusal(
        api, case_id, "extension/decision", {"unit": "coordination-centre", "approved": True}
    )

    requested = await act(api, case_id, "extension", ask)

    assert [e["status"] for e in requested["extensions"]] == ["pending"]
    assert at(requested["deadlines"]["resolution"]) == old_due
    assert "already" in await refusal(api, case_id, "extension", ask)
    assert "only the coordination centre" in await refusal(
        api, case_id, "extension/decision", {"unit": "health", "approved": True}, status=403
    )
    assert [e["status"] for e in (await api.get(f"/v1/cases/{case_id}")).json()["extensions"]] == ["pending"]

    approved = await act(
        api, case_id, "extension/decision", {"unit": "coordination-centre", "approved": True, "note": "同意延期"}
    )

    new_due = at(approved["deadlines"]["resolution"])
    assert new_due >= old_due + timedelta(days=5)
    [extension] = approved["extensions"]
    assert extension["status"] == "approved"
    assert extension["decided_by"] == "coordination-centre"
    assert (at(extension["old_due"]), at(extension["new_due"])) == (old_due, new_due)
    assert actions(approved)[-1] == "extension_approved"
    assert at((await api.get(f"/v1/cases/{case_id}")).json()["deadlines"]["resolution"]) == new_due

    # Extensions add up: 5 granted, so 26 more would pass the policy's 30 in all.
    assert "5 already granted" in await refusal(api, case_id, "extension", {**ask, "working_days": 26})
    await act(api, case_id, "extension", {**ask, "working_days": 3})
    refused = await act(
        api, case_id, "extension/decision", {"unit": "coordination-centre", "approved": False, "note": "不予延期"}
    )

    assert [e["status"] for e in refused["extensions"]] == ["approved", "refused"]
    assert at(refused["deadlines"]["resolution"]) == new_due
    assert actions(refused)[-1] == "extension_refused"


# --- resolution, rating, rework --------------------------------------------------------------------------


async def test_an_unsatisfied_caller_sends_the_case_back_and_a_satisfied_one_closes_it(api: httpx.AsyncClient) -> None:
    case = await accepted_case(api, category="LS-06", unit="water", title="自来水发黄有异味")
    case_id = case["case_id"]
    satisfied = {"speed": "satisfied", "outcome": "satisfied", "comment": "处理及时"}
    unsatisfied = {"speed": "basically_satisfied", "outcome": "unsatisfied", "comment": "水还是黄的"}

    assert "resolved" in await refusal(api, case_id, "rating", satisfied)
    assert "not yours" in await refusal(api, case_id, "resolve", {"unit": "health", "note": "已处理"}, status=403)
    assert (await api.get(f"/v1/cases/{case_id}")).json()["status"] == "accepted"
    resolved = await act(api, case_id, "resolve", {"unit": "water", "note": "已冲洗管网，水质检测合格"})
    assert resolved["status"] == "resolved"
    assert resolved["rating_due"] is not None
    first_resolution = tracked(resolved, "resolution")
    assert first_resolution["met_at"] is not None

    assert (await refusal(api, case_id, "rating", {**satisfied, "speed": "great"}, status=422)).startswith("body.speed")
    assert (await refusal(api, case_id, "rating", {"speed": "satisfied"}, status=422)).startswith("body.outcome")

    rework = await act(api, case_id, "rating", unsatisfied)

    assert rework["status"] == "rework"
    assert rework["reworks"] == 1
    assert rework["resolved_at"] is None
    assert [r["outcome"] for r in rework["ratings"]] == ["unsatisfied"]
    again = tracked(rework, "resolution")
    assert again["met_at"] is None
    assert at(again["started_at"]) > at(first_resolution["started_at"])
    assert "rework" in actions(rework)
    assert "rework" in await refusal(api, case_id, "rating", satisfied)
    # Rework is working status: the unit replies and resolves again.
    await act(api, case_id, "progress", {"unit": "water", "done": "更换入户管段"})
    await act(api, case_id, "resolve", {"unit": "water", "note": "入户管已更换"})

    closed = await act(api, case_id, "rating", satisfied)

    assert closed["status"] == "closed"
    assert closed["closed_reason"] == "rated"
    assert [r["round"] for r in closed["ratings"]] == [0, 1]
    assert (await api.get(f"/v1/cases/{case_id}")).json()["status"] == "closed"
    for action, body in [
        ("rating", satisfied),
        ("resolve", {"unit": "water"}),
        ("escalation", {"unit": "water", "reason": "x", "plan": "y"}),
    ]:
        # "case is closed; ..." while the workflow ends, "the workflow is completed; ..." once it has.
        detail = await refusal(api, case_id, action, body)
        assert "closed" in detail or "no more actions" in detail, detail


async def test_an_unsatisfied_outcome_after_the_last_allowed_rework_closes_the_case(api: httpx.AsyncClient) -> None:
    case = await accepted_case(api, category="MS-03", unit="market-regulation", title="停车场乱收费")
    case_id = case["case_id"]
    unsatisfied = {"speed": "satisfied", "outcome": "unsatisfied", "comment": "还在乱收费"}

    for rework in (1, 2):
        await act(api, case_id, "resolve", {"unit": "market-regulation", "note": f"第{rework}次处理"})
        state = await act(api, case_id, "rating", unsatisfied)
        assert (state["status"], state["reworks"]) == ("rework", rework)
    await act(api, case_id, "resolve", {"unit": "market-regulation", "note": "第3次处理"})

    closed = await act(api, case_id, "rating", unsatisfied)

    assert closed["status"] == "closed"
    assert closed["reworks"] == 2
    assert "unsatisfied" in closed["closed_reason"]
    assert len(closed["ratings"]) == 3


async def test_an_unsatisfied_speed_with_a_satisfactory_outcome_closes_the_case(api: httpx.AsyncClient) -> None:
    case = await accepted_case(api, category="LS-08", unit="public-security", title="身份证补办进度慢")
    case_id = case["case_id"]
    await act(api, case_id, "resolve", {"unit": "public-security", "note": "已办结并寄出"})

    closed = await act(api, case_id, "rating", {"speed": "unsatisfied", "outcome": "basically_satisfied"})

    assert closed["status"] == "closed"
    assert closed["reworks"] == 0
    assert closed["ratings"][-1]["speed"] == "unsatisfied"
