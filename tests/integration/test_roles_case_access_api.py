"""Each kind of client's allowed and refused actions on cases, through the real API.

Every request names its key explicitly (`bearer(system.keys[...])`), so the role under test is never the one
`ActAsBody` would pick from the body. A refusal is checked twice: by its answer (403, or 404 where a case's
existence must not leak) and by the workflow, which must not have changed (read back as the coordination centre).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.support.case_lifecycle import Case, actions
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.queue_pages import whole_queue
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")

CENTRE = "coordination-centre"
NOT_YOURS_TO_READ = "this case is not yours to read"
NOT_YOURS_TO_ACT = "this case is not yours to act on"
# A unit no other test gives channels to; what a test sets on it, it removes again.
CHANNEL_UNIT = "commerce"


def as_(system: RunningSystem, name: str) -> dict[str, str]:
    return bearer(system.keys[name])


async def submit(api: httpx.AsyncClient, system: RunningSystem, *, platform: str = "12345", **ticket: Any) -> str:
    """A ticket from a platform, on its own channel; returns the case id."""
    body = ticket_body(channel=platform, external_id=f"{platform}-{uuid.uuid4().hex[:12]}", **ticket)
    response = await api.post("/v1/cases", json=body, headers=as_(system, f"platform-{platform}"))
    assert response.status_code == 202, response.text
    case_id: str = response.json()["case_id"]
    return case_id


async def seen_by_centre(api: httpx.AsyncClient, system: RunningSystem, case_id: str) -> Case:
    response = await api.get(f"/v1/cases/{case_id}", headers=as_(system, CENTRE))
    assert response.status_code == 200, response.text
    case: Case = response.json()
    return case


async def wait_for(api: httpx.AsyncClient, system: RunningSystem, case_id: str, status: str, deadline: str) -> Case:
    """The case as the coordination centre sees it once it has `status` and its `deadline` counted."""

    async def check() -> Case:
        case = await seen_by_centre(api, system, case_id)
        assert case["status"] == status and case["deadlines"][deadline] is not None, case["status"]
        return case

    return await assert_eventually(check, what=f"case {case_id} {status} with its {deadline} deadline")


async def opened(api: httpx.AsyncClient, system: RunningSystem, category: str, **ticket: Any) -> Case:
    """A case assigned to its unit, with its deadlines counted."""
    case_id = await submit(api, system, category_code=category, **ticket)
    return await wait_for(api, system, case_id, "assigned", "resolution")


async def read(api: httpx.AsyncClient, system: RunningSystem, who: str, case_id: str) -> httpx.Response:
    return await api.get(f"/v1/cases/{case_id}", headers=as_(system, who))


async def post(
    api: httpx.AsyncClient, system: RunningSystem, who: str, case_id: str, action: str, body: dict[str, Any]
) -> httpx.Response:
    return await api.post(f"/v1/cases/{case_id}/{action}", json=body, headers=as_(system, who))


async def done(
    api: httpx.AsyncClient, system: RunningSystem, who: str, case_id: str, action: str, body: dict[str, Any]
) -> Case:
    """An action `who` may take, and that the case takes."""
    response = await post(api, system, who, case_id, action, body)
    assert response.status_code == 200, f"{who} {action}: {response.status_code} {response.text}"
    case: Case = response.json()
    return case


async def refused(
    api: httpx.AsyncClient,
    system: RunningSystem,
    who: str,
    case_id: str,
    action: str,
    body: dict[str, Any],
    *,
    status: int = 403,
) -> str:
    """An action `who` may not take: refused with `status`; returns the reason."""
    response = await post(api, system, who, case_id, action, body)
    assert response.status_code == status, f"{who} {action}: {response.status_code} {response.text}"
    detail: str = response.json()["detail"]
    return detail


def settled(case: Case) -> tuple[Any, ...]:
    """What a refused action must leave as it was."""
    return (case["status"], case["handling_unit"], case["timeline"], case["feedback_at"], case["escalation_level"])


# --- platforms -----------------------------------------------------------------------------------------------


async def test_a_platform_submits_tickets_on_its_own_channel_only(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    own = await api.post("/v1/cases", json=ticket_body(), headers=as_(system, "platform-12345"))
    assert own.status_code == 202, own.text

    body = ticket_body(channel="89000", external_id=f"89000-{uuid.uuid4().hex[:12]}")
    answers = [
        await api.post("/v1/cases", json=body, headers=as_(system, "platform-12345")),
        await api.post("/v1/cases", json=body, headers=as_(system, "platform-grid")),
        await api.post("/v1/cases", json={**body, "channel": "township_call"}, headers=as_(system, "platform-89000")),
    ]

    assert [a.status_code for a in answers] == [403] * 3
    assert answers[0].json()["detail"] == "this client may not submit tickets on channel '89000'"
    assert answers[2].json()["detail"] == "this client may not submit tickets on channel 'township_call'"
    # The refused ticket left no trace: its own platform submitting it is a new case (202), not a duplicate (200).
    own_channel = await api.post("/v1/cases", json=body, headers=as_(system, "platform-89000"))
    assert own_channel.status_code == 202, own_channel.text


async def test_a_platform_reads_and_rates_its_own_ticket_and_acts_on_no_case(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    """Another platform's ticket answers 404, exactly as an unknown id does, not 403.

    A 403 would tell a platform that the id it tried exists on another platform's channel: platforms are separate
    organisations, and one must not learn of (or probe for) another's tickets.
    """
    case_id = (await opened(api, system, "LS-06", title="自来水停了一天"))["case_id"]
    unknown_id = str(uuid.uuid4())

    mine = await read(api, system, "platform-12345", case_id)
    assert mine.status_code == 200, mine.text
    assert (mine.json()["case_id"], mine.json()["channel"]) == (case_id, "12345")
    for other in ("platform-89000", "platform-grid"):
        theirs = await read(api, system, other, case_id)
        unknown = await read(api, system, other, unknown_id)
        # The same answer as for a case that does not exist: only the id in it differs.
        assert problem(theirs) == (404, f"no case {case_id}", "case_not_found")
        assert problem(unknown) == (404, f"no case {unknown_id}", "case_not_found")

    # No platform acts on cases: its own is 403, another's stays hidden (404).
    assert "does not act on cases" in await refused(api, system, "platform-12345", case_id, "accept", {"unit": "water"})
    hidden = await refused(api, system, "platform-89000", case_id, "accept", {"unit": "water"}, status=404)
    assert hidden == f"no case {case_id}"
    assert (await seen_by_centre(api, system, case_id))["status"] == "assigned"

    await done(api, system, "water", case_id, "accept", {"unit": "water", "note": "已签收"})
    await done(api, system, "water", case_id, "resolve", {"unit": "water", "note": "已恢复供水"})
    rating = {"speed": "satisfied", "outcome": "satisfied", "comment": "处理及时"}
    assert await refused(api, system, "platform-89000", case_id, "rating", rating, status=404) == f"no case {case_id}"
    assert "platform of the ticket" in await refused(api, system, "water", case_id, "rating", rating)
    assert (await seen_by_centre(api, system, case_id))["ratings"] == []

    rated = await done(api, system, "platform-12345", case_id, "rating", rating)

    assert rated["status"] == "closed"
    assert [r["outcome"] for r in rated["ratings"]] == ["satisfied"]


# --- units ----------------------------------------------------------------------------------------------------


async def test_a_unit_reads_and_acts_on_its_own_cases_only_and_a_refusal_changes_nothing(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case = await opened(api, system, "LS-06", title="水管爆裂路面积水")
    case_id = case["case_id"]
    assert case["handling_unit"] == "water"
    feedback = {"unit": "health", "message": "已联系来电人"}

    assert (await read(api, system, "water", case_id)).status_code == 200
    other = await read(api, system, "health", case_id)
    assert (other.status_code, other.json()["detail"]) == (403, NOT_YOURS_TO_READ)
    assert await refused(api, system, "health", case_id, "accept", {"unit": "health"}) == NOT_YOURS_TO_ACT
    assert await refused(api, system, "health", case_id, "feedback", feedback) == NOT_YOURS_TO_ACT
    assert (await seen_by_centre(api, system, case_id))["timeline"] == case["timeline"]
    assert settled(await seen_by_centre(api, system, case_id)) == settled(case)

    accepted = await done(api, system, "water", case_id, "accept", {"unit": "water", "note": "已签收"})

    # Once the case takes feedback, another unit's is still refused, and leaves no trace.
    assert await refused(api, system, "health", case_id, "feedback", feedback) == NOT_YOURS_TO_ACT
    escalate = {"unit": "health", "to": "city_leader", "reason": "跨部门", "plan": "请市领导协调"}
    assert await refused(api, system, "health", case_id, "escalation", escalate) == NOT_YOURS_TO_ACT
    after = await seen_by_centre(api, system, case_id)
    assert settled(after) == settled(accepted)
    assert after["feedback_at"] is None and "feedback" not in actions(after)

    answered = await done(api, system, "water", case_id, "feedback", {**feedback, "unit": "water"})
    assert answered["timeline"][-1]["actor"] == "water"


async def test_a_unit_acts_in_its_own_name_only(api: httpx.AsyncClient, system: RunningSystem) -> None:
    water_case = await opened(api, system, "LS-06", title="停水三天")
    health_case = await opened(api, system, "HE-01", title="挂号难")

    # Naming another unit (even the one that handles the case, even the centre) is refused, whatever the case.
    assert (
        await refused(api, system, "water", water_case["case_id"], "accept", {"unit": "health"})
        == "you act as 'water', not 'health'"
    )
    assert (
        await refused(api, system, "water", health_case["case_id"], "accept", {"unit": "health"})
        == "you act as 'water', not 'health'"
    )
    assert (
        await refused(api, system, "water", water_case["case_id"], "accept", {"unit": CENTRE})
        == "you act as 'water', not 'coordination-centre'"
    )
    transfer = {"unit": CENTRE, "to_unit": "health", "reason": "卫健负责", "catalog_item": "HE-01"}
    assert "you act as 'water'" in await refused(api, system, "water", water_case["case_id"], "transfer", transfer)

    for case in (water_case, health_case):
        assert settled(await seen_by_centre(api, system, case["case_id"])) == settled(case)


async def test_a_units_queue_lists_the_open_cases_it_handles(api: httpx.AsyncClient, system: RunningSystem) -> None:
    water_case = (await opened(api, system, "LS-06", title="水压低"))["case_id"]
    health_case = (await opened(api, system, "HE-01", title="排队久"))["case_id"]

    async def queue_of(unit: str, expected: str) -> list[dict[str, Any]]:
        entries = await whole_queue(api, as_(system, unit), limit=100)  # page by page: the session's cases add up
        assert expected in {entry["case_id"] for entry in entries}
        return entries

    water = await assert_eventually(lambda: queue_of("water", water_case), what="water's case in water's queue")
    health = await assert_eventually(lambda: queue_of("health", health_case), what="health's case in health's queue")

    assert health_case not in {entry["case_id"] for entry in water}
    assert water_case not in {entry["case_id"] for entry in health}
    [entry] = [entry for entry in water if entry["case_id"] == water_case]
    assert (entry["catalog_item"], entry["township"], entry["escalation_level"]) == ("LS-06", "hekou-town", 0)


async def test_a_unit_key_whose_subject_is_not_a_unit_code_lists_no_cases(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    """The key's subject is the literal of the queue's visibility query: a quote in it must not widen the query.

    Such a key cannot even be issued: a unit key's subject must be a unit of the catalog (422). The queue also
    refuses a subject that is not a unit code (defence in depth, for keys stored before that check).
    """
    await opened(api, system, "LS-06", title="水龙头没水")  # another unit's running case, which must not show
    request = {"client_id": f"roles-test-{uuid.uuid4().hex[:8]}", "kind": "unit", "subject": "x' OR HandlingUnit != '"}
    issued = await api.post("/v1/admin/credentials", json=request, headers=as_(system, "admin"))
    assert issued.status_code == 422, issued.text
    assert "does not fit a unit key" in issued.json()["detail"]


@pytest.mark.parametrize("who", [CENTRE, "city-leader", "platform-12345", "admin", "operator"])
async def test_only_a_unit_has_a_queue(api: httpx.AsyncClient, system: RunningSystem, who: str) -> None:
    response = await api.get("/v1/queue", headers=as_(system, who))

    assert response.status_code == 403
    assert "may not read a unit's queue (allowed: unit)" in response.json()["detail"]


async def test_a_unit_sees_and_sets_its_own_channels_only(api: httpx.AsyncClient, system: RunningSystem) -> None:
    me = as_(system, CHANNEL_UNIT)
    own = await api.get(f"/v1/units/{CHANNEL_UNIT}/channels", headers=me)
    assert own.status_code == 200, own.text
    assert own.json()["email"] is None
    try:
        email = {"to": ["office@commerce.example.gov.cn"]}
        put = await api.put(f"/v1/units/{CHANNEL_UNIT}/email", json=email, headers=me)
        assert put.status_code == 200, put.text
        assert (await api.get(f"/v1/units/{CHANNEL_UNIT}/channels", headers=me)).json()["email"]["to"] == email["to"]
    finally:
        assert (await api.delete(f"/v1/units/{CHANNEL_UNIT}/email", headers=me)).status_code == 200

    water_before = (await api.get("/v1/units/water/channels", headers=as_(system, "admin"))).json()
    answers = [
        await api.get("/v1/units/water/channels", headers=me),
        await api.put("/v1/units/water/email", json={"to": ["x@example.com"]}, headers=me),
        await api.delete("/v1/units/water/webhook", headers=me),
        await api.get("/v1/units/water/channels", headers=as_(system, "platform-12345")),
        await api.get("/v1/units/water/channels", headers=as_(system, "city-leader")),
    ]
    assert [a.status_code for a in answers] == [403] * len(answers), [a.text for a in answers]
    assert answers[0].json()["detail"] == "only the admin or 'water' itself may see or change its channels"
    assert (await api.get("/v1/units/water/channels", headers=as_(system, "admin"))).json() == water_before
    # A leader receives escalations, so it has channels of its own.
    assert (await api.get("/v1/units/city-leader/channels", headers=as_(system, "city-leader"))).status_code == 200


# --- the coordination centre -------------------------------------------------------------------------------


async def test_the_coordination_centre_triages_and_a_unit_may_not(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    body = ticket_body(title="物业和电梯", description="物业不管事，电梯也坏了。")
    del body["category_code"]  # the router cannot place it: it waits for triage
    response = await api.post("/v1/cases", json=body, headers=as_(system, "platform-12345"))
    assert response.status_code == 202, response.text
    case = await wait_for(api, system, response.json()["case_id"], "triage", "triage")
    case_id = case["case_id"]
    decision = {"unit": CENTRE, "item": "MS-04", "note": "电梯故障为主"}

    assert (await read(api, system, "platform-12345", case_id)).status_code == 200
    assert (await read(api, system, "market-regulation", case_id)).status_code == 403
    by_unit = await refused(
        api, system, "market-regulation", case_id, "triage", {**decision, "unit": "market-regulation"}
    )
    assert by_unit == "only the coordination centre may triage cases"
    assert await refused(api, system, "market-regulation", case_id, "triage", decision) == by_unit
    assert "you act as 'coordination-centre'" in await refused(
        api, system, CENTRE, case_id, "triage", {**decision, "unit": "market-regulation"}
    )
    assert settled(await seen_by_centre(api, system, case_id)) == settled(case)

    placed = await done(api, system, CENTRE, case_id, "triage", decision)

    assert placed["handling_unit"] == "market-regulation"
    # Now that it handles the case, the unit reads it.

    async def readable() -> None:
        assert (await read(api, system, "market-regulation", case_id)).status_code == 200

    await assert_eventually(readable, what="the unit the centre chose reads the case")


async def test_the_coordination_centre_arbitrates_and_no_unit_may(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = (await opened(api, system, "LS-07", title="公交站台被占用"))["case_id"]
    for unit, to_unit, item in (
        ("transport", "public-security", "LE-05"),
        ("public-security", "law-enforcement", "LE-04"),
    ):
        await done(
            api,
            system,
            unit,
            case_id,
            "transfer",
            {"unit": unit, "to_unit": to_unit, "reason": "非本单位职责", "catalog_item": item},
        )
    third = {
        "unit": "law-enforcement",
        "to_unit": "housing-construction",
        "reason": "道路设施",
        "catalog_item": "UC-04",
    }
    assert "arbitration" in await refused(api, system, "law-enforcement", case_id, "transfer", third, status=409)
    waiting = await seen_by_centre(api, system, case_id)
    assert waiting["status"] == "arbitration"
    decision = {"unit": CENTRE, "handling_unit": "housing-construction", "reason": "道路设施属住建"}

    # The units in the dispute read the case, but none of them decides it, in its own name or the centre's.
    for unit in ("transport", "public-security", "law-enforcement"):
        assert (await read(api, system, unit, case_id)).status_code == 200
        for acting in (unit, CENTRE):
            detail = await refused(api, system, unit, case_id, "arbitration", {**decision, "unit": acting})
            assert detail == "only the coordination centre may arbitrate"
    assert settled(await seen_by_centre(api, system, case_id)) == settled(waiting)

    decided = await done(api, system, CENTRE, case_id, "arbitration", decision)

    assert (decided["status"], decided["handling_unit"], decided["arbitrated"]) == (
        "assigned",
        "housing-construction",
        True,
    )


async def test_the_coordination_centre_reads_every_case_and_decides_extensions(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = (await opened(api, system, "HE-01", title="医院挂号排队时间过长"))["case_id"]
    from_89000 = await submit(api, system, platform="89000", category_code="LS-06", title="停水")
    assert (await read(api, system, CENTRE, from_89000)).status_code == 200
    await done(api, system, "health", case_id, "accept", {"unit": "health"})
    await done(api, system, "health", case_id, "extension", {"unit": "health", "reason": "协调排班", "working_days": 5})
    pending = await seen_by_centre(api, system, case_id)

    for unit in ("health", "water"):
        for acting in (unit, CENTRE):
            detail = await refused(api, system, unit, case_id, "extension/decision", {"unit": acting, "approved": True})
            assert detail == "only the coordination centre may decide on extensions"
    assert [e["status"] for e in (await seen_by_centre(api, system, case_id))["extensions"]] == ["pending"]
    assert settled(await seen_by_centre(api, system, case_id)) == settled(pending)

    approved = await done(api, system, CENTRE, case_id, "extension/decision", {"unit": CENTRE, "approved": True})

    assert [e["status"] for e in approved["extensions"]] == ["approved"]
    assert approved["extensions"][0]["decided_by"] == CENTRE


# --- leaders -------------------------------------------------------------------------------------------------


async def test_leaders_read_and_act_on_escalated_cases_only(api: httpx.AsyncClient, system: RunningSystem) -> None:
    case = await opened(api, system, "LS-01", title="包工头失联拖欠工资")
    case_id = case["case_id"]
    assert case["handling_unit"] == "human-resources"
    ask = {"reason": "涉及多部门", "plan": "人社牵头，公安、住建配合"}

    for leader in ("city-leader", "top-leadership"):
        refused_read = await read(api, system, leader, case_id)
        assert (refused_read.status_code, refused_read.json()["detail"]) == (403, NOT_YOURS_TO_READ)
    to_top = {**ask, "unit": "city-leader", "to": "top_level"}
    assert await refused(api, system, "city-leader", case_id, "escalation", to_top) == (
        "this case has not been escalated to you"
    )
    assert settled(await seen_by_centre(api, system, case_id)) == settled(case)

    escalated = await done(api, system, "human-resources", case_id, "escalation", {**ask, "unit": "human-resources"})
    assert escalated["escalation_level"] == 2

    seen = await read(api, system, "city-leader", case_id)
    assert (seen.status_code, seen.json()["escalation_level"]) == (200, 2)
    assert (await read(api, system, "water", case_id)).status_code == 403
    # A leader acts in its own name only.
    impersonating = await refused(
        api, system, "city-leader", case_id, "escalation", {**to_top, "unit": "top-leadership"}
    )
    assert impersonating == "you act as 'city-leader', not 'top-leadership'"

    top = await done(api, system, "city-leader", case_id, "escalation", to_top)

    assert top["escalation_level"] == 3
    assert top["escalations"][-1]["level_name"] == "top_level"
    assert (await read(api, system, "top-leadership", case_id)).status_code == 200


def problem(response: httpx.Response) -> tuple[int, str, str]:
    """An error answer as a client tells it apart from another: status, `detail` and `code`."""
    body = response.json()
    return response.status_code, body["detail"], body["code"]
