"""Township and key-work calls through the real API: the calling unit is part of the call's identity, is shown on
the case, reads and rates it, and is never handed its own call."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.contracts.case_ids import case_id_for
from tests.support.case_lifecycle import Case, wait_for_case
from tests.support.credentials import bearer
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")

CENTRE = "coordination-centre"
RATING = {"speed": "satisfied", "outcome": "satisfied", "comment": "响应及时"}


def as_(system: RunningSystem, name: str) -> dict[str, str]:
    return bearer(system.keys[name])


def call_body(external_id: str, **fields: Any) -> dict[str, Any]:
    """A township's call asking the water bureau to respond (LS-06), numbered the township's own way."""
    call: dict[str, Any] = {
        "channel": "township_call",
        "external_id": external_id,
        "title": "镇区供水管网老化频繁停水",
        "description": "镇区主供水管网老化，本月已三次爆管停水，镇里无力改造，呼叫区水务局响应。",
        "caller": None,
    }
    return ticket_body(**{**call, **fields})


async def submit(api: httpx.AsyncClient, system: RunningSystem, who: str, body: dict[str, Any]) -> httpx.Response:
    return await api.post("/v1/cases", json=body, headers=as_(system, who))


async def case_as(api: httpx.AsyncClient, system: RunningSystem, who: str, case_id: str) -> httpx.Response:
    return await api.get(f"/v1/cases/{case_id}", headers=as_(system, who))


async def act_as(
    api: httpx.AsyncClient, system: RunningSystem, who: str, case_id: str, action: str, body: dict[str, Any]
) -> httpx.Response:
    return await api.post(f"/v1/cases/{case_id}/{action}", json=body, headers=as_(system, who))


async def test_two_townships_numbering_their_calls_alike_get_two_cases(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    external_id = f"TC-{uuid.uuid4().hex[:8]}"
    hekou, shiqiao = call_body(external_id, township="hekou-town"), call_body(external_id, township="shiqiao-town")

    first = await submit(api, system, "hekou-town", hekou)
    second = await submit(api, system, "shiqiao-town", shiqiao)
    assert (first.status_code, second.status_code) == (202, 202), (first.text, second.text)
    hekou_case, shiqiao_case = first.json()["case_id"], second.json()["case_id"]
    assert hekou_case != shiqiao_case
    assert hekou_case == case_id_for("township_call", external_id, calling_unit="hekou-town")

    # Each resubmission is its own township's duplicate, answered with its own case id.
    again = [await submit(api, system, "hekou-town", hekou), await submit(api, system, "shiqiao-town", shiqiao)]
    assert [(a.status_code, a.json()["case_id"]) for a in again] == [(200, hekou_case), (200, shiqiao_case)]

    # A platform relaying calls on the channel keeps the identity it had: (channel, external_id).
    relayed = await submit(api, system, "platform-township_call", call_body(external_id))
    assert relayed.status_code == 202, relayed.text
    assert relayed.json()["case_id"] == case_id_for("township_call", external_id)

    for case_id, caller in ((hekou_case, "hekou-town"), (shiqiao_case, "shiqiao-town")):
        case = await wait_for_case(api, case_id, lambda c: c["status"] == "assigned", what="assigned to water")
        assert (case["calling_unit"], case["handling_unit"], case["external_id"]) == (caller, "water", external_id)
        own = await case_as(api, system, caller, case_id)
        assert (own.status_code, own.json()["calling_unit"]) == (200, caller)
    other = await case_as(api, system, "hekou-town", shiqiao_case)
    assert other.status_code == 403, other.text
    # The channel's platform does not see a unit's call as its own ticket.
    hidden = await case_as(api, system, "platform-township_call", hekou_case)
    assert (hidden.status_code, hidden.json()["detail"], hidden.json()["code"]) == (
        404,
        f"no case {hekou_case}",
        "case_not_found",
    )


async def test_the_calling_unit_rates_its_call_and_no_other_unit_may(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    submitted = await submit(api, system, "qingshan-town", call_body(f"TC-{uuid.uuid4().hex[:8]}"))
    assert submitted.status_code == 202, submitted.text
    case_id = submitted.json()["case_id"]
    await wait_for_case(api, case_id, lambda c: c["status"] == "assigned", what="assigned to water")
    for action, body in (
        ("accept", {"unit": "water", "note": "已签收"}),
        ("resolve", {"unit": "water", "note": "已改造"}),
    ):
        answer = await act_as(api, system, "water", case_id, action, body)
        assert answer.status_code == 200, answer.text

    for other in ("hekou-town", "water"):
        refused = await act_as(api, system, other, case_id, "rating", RATING)
        assert refused.status_code == 403, refused.text
        assert "the calling unit" in refused.json()["detail"]
    hidden = await act_as(api, system, "platform-township_call", case_id, "rating", RATING)
    assert hidden.status_code == 404, hidden.text

    rated = await act_as(api, system, "qingshan-town", case_id, "rating", RATING)

    assert rated.status_code == 200, rated.text
    case: Case = rated.json()
    assert (case["status"], case["calling_unit"]) == ("closed", "qingshan-town")
    assert [r["outcome"] for r in case["ratings"]] == ["satisfied"]


async def test_a_call_that_routing_would_hand_back_to_its_caller_goes_to_triage(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    # Straw burning is the township's own matter (EE-04, township primary): routed, it would land on the caller.
    body = call_body(
        f"TC-{uuid.uuid4().hex[:8]}",
        title="秸秆焚烧屡禁不止",
        description="镇域内连续多日夜间焚烧秸秆，镇里人手不足，呼叫区生态环境局协同处置。",
        category_code="EE-04",
        township="taoyuan-township",
    )
    submitted = await submit(api, system, "taoyuan-township", body)
    assert submitted.status_code == 202, submitted.text
    case_id = submitted.json()["case_id"]

    case = await wait_for_case(
        api, case_id, lambda c: c["status"] == "triage" and c["deadlines"]["triage"] is not None, what="triage"
    )

    assert (case["calling_unit"], case["handling_unit"], case["catalog_item"]) == ("taoyuan-township", None, "EE-04")
    assert "taoyuan-township is the calling unit and cannot answer its own call" in case["routing"]["reason"]
    own = await case_as(api, system, "taoyuan-township", case_id)
    assert (own.status_code, own.json()["status"]) == (200, "triage")

    # The coordination centre may not hand it back either; it names the unit that responds.
    back = await act_as(api, system, CENTRE, case_id, "triage", {"unit": CENTRE, "item": "EE-04", "note": "属地"})
    assert back.status_code == 422, back.text
    assert back.json()["detail"].startswith("township: 'taoyuan-township' is the calling unit")
    decision = {"unit": CENTRE, "item": "EE-04", "handling_unit": "ecology-environment", "note": "生态环境局牵头"}
    placed = await act_as(api, system, CENTRE, case_id, "triage", decision)
    assert placed.status_code == 200, placed.text

    assigned = await wait_for_case(api, case_id, lambda c: c["status"] == "assigned", what="assigned after triage")
    assert (assigned["handling_unit"], assigned["calling_unit"]) == ("ecology-environment", "taoyuan-township")


async def test_a_call_is_never_transferred_or_arbitrated_back_to_its_caller(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    submitted = await submit(api, system, "hekou-town", call_body(f"TC-{uuid.uuid4().hex[:8]}"))
    assert submitted.status_code == 202, submitted.text
    case_id = submitted.json()["case_id"]
    await wait_for_case(api, case_id, lambda c: c["status"] == "assigned", what="assigned to water")

    # Burst mains flooding the street could be read as the township's matter (EE-04 is township-primary), but not
    # the township that called: it asked for a response from above.
    back = {"unit": "water", "to_unit": "hekou-town", "reason": "属地处置", "catalog_item": "EE-04"}
    refused = await act_as(api, system, "water", case_id, "transfer", back)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"].startswith("to_unit: 'hekou-town' is the calling unit of this call")

    hops = [
        ("water", "law-enforcement", "EE-05"),
        ("law-enforcement", "housing-construction", "UC-04"),
        ("housing-construction", "natural-resources", "NR-01"),
    ]
    for unit, to_unit, item in hops:
        body = {"unit": unit, "to_unit": to_unit, "reason": "不属本单位职责", "catalog_item": item}
        moved = await act_as(api, system, unit, case_id, "transfer", body)
        assert moved.status_code in (200, 409), moved.text
    waiting = (await case_as(api, system, CENTRE, case_id)).json()
    assert waiting["status"] == "arbitration"
    # The calling township heard where its call went, twice, though it gave no callback URL.
    assert [n["sent_to"] for n in waiting["transfer_notices"]] == [["hekou-town"], ["hekou-town"]]

    decision = {"unit": CENTRE, "handling_unit": "hekou-town", "reason": "属地管理"}
    named = await act_as(api, system, CENTRE, case_id, "arbitration", decision)
    assert named.status_code == 422, named.text
    assert named.json()["detail"].startswith("handling_unit: 'hekou-town' is the calling unit of this call")
    decided = await act_as(api, system, CENTRE, case_id, "arbitration", {**decision, "handling_unit": "water"})
    assert decided.status_code == 200, decided.text
    assert (decided.json()["handling_unit"], decided.json()["calling_unit"]) == ("water", "hekou-town")
