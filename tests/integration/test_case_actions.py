"""Department actions through the API: accept and resolve, and the transitions the case refuses."""

from __future__ import annotations

import httpx
from temporalio.client import Client

from tests.integration.test_end_to_end import wait_for_status
from tests.support.polling import assert_eventually
from tests.support.tickets import ticket_body


async def assigned_case(api: httpx.AsyncClient, **overrides: object) -> str:
    case_id: str = (await api.post("/v1/cases", json=ticket_body(**overrides))).json()["case_id"]
    await wait_for_status(api, case_id, "assigned")
    return case_id


async def test_accept_then_resolve(api: httpx.AsyncClient, temporal_client: Client) -> None:
    case_id = await assigned_case(api)

    accepted = await api.post(f"/v1/cases/{case_id}/accept", json={"unit": "water", "note": "已派抢修班组"})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"

    resolved = await api.post(f"/v1/cases/{case_id}/resolve", json={"unit": "water", "note": "管道已修复，恢复供水"})
    assert resolved.status_code == 200
    body = resolved.json()
    assert body["status"] == "resolved"
    assert body["resolution_note"] == "管道已修复，恢复供水"
    timeline = [(entry["actor"], entry["action"]) for entry in body["timeline"]]
    assert timeline[-2:] == [("water", "accepted"), ("water", "resolved")]

    case = (await api.get(f"/v1/cases/{case_id}")).json()
    assert case["status"] == "resolved"

    async def status_attribute() -> None:
        count = await temporal_client.count_workflows(f"CaseId = '{case_id}' AND CaseStatus = 'resolved'")
        assert count.count == 1

    await assert_eventually(status_attribute, what="CaseStatus search attribute upserted")


async def test_resolving_an_unaccepted_case_is_refused(api: httpx.AsyncClient) -> None:
    case_id = await assigned_case(api)

    response = await api.post(f"/v1/cases/{case_id}/resolve", json={"unit": "water"})
    assert response.status_code == 409
    assert "accept" in response.json()["detail"]
    assert (await api.get(f"/v1/cases/{case_id}")).json()["status"] == "assigned"


async def test_another_unit_may_not_act(api: httpx.AsyncClient) -> None:
    """A unit acting on another unit's case is refused (403) before the workflow hears of it."""
    case_id = await assigned_case(api)

    response = await api.post(f"/v1/cases/{case_id}/accept", json={"unit": "health"})
    assert response.status_code == 403
    assert "not yours" in response.json()["detail"]
    case = (await api.get(f"/v1/cases/{case_id}")).json()
    assert case["status"] == "assigned"
    assert "accepted" not in [entry["action"] for entry in case["timeline"]]


async def test_accepting_twice_is_refused(api: httpx.AsyncClient) -> None:
    case_id = await assigned_case(api)
    assert (await api.post(f"/v1/cases/{case_id}/accept", json={"unit": "water"})).status_code == 200

    again = await api.post(f"/v1/cases/{case_id}/accept", json={"unit": "water"})
    assert again.status_code == 409
    assert "accepted" in again.json()["detail"]


async def test_a_resolved_case_takes_no_more_actions(api: httpx.AsyncClient) -> None:
    case_id = await assigned_case(api)
    await api.post(f"/v1/cases/{case_id}/accept", json={"unit": "water"})
    assert (await api.post(f"/v1/cases/{case_id}/resolve", json={"unit": "water"})).status_code == 200

    for action in ("accept", "resolve"):
        response = await api.post(f"/v1/cases/{case_id}/{action}", json={"unit": "water"})
        assert response.status_code == 409
        assert response.json()["detail"]


async def test_a_case_waiting_for_triage_cannot_be_accepted(api: httpx.AsyncClient) -> None:
    case_id = (await api.post("/v1/cases", json=ticket_body(category_code="ZZ-01"))).json()["case_id"]
    await wait_for_status(api, case_id, "triage")

    # Nobody handles it yet, so no unit may sign for it: it is not its case (403), and the case still waits.
    response = await api.post(f"/v1/cases/{case_id}/accept", json={"unit": "water"})
    assert response.status_code == 403
    assert "not yours" in response.json()["detail"]
    case = (await api.get(f"/v1/cases/{case_id}")).json()
    assert case["status"] == "triage"
    assert case["handling_unit"] is None
    assert "accepted" not in [entry["action"] for entry in case["timeline"]]
