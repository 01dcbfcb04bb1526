"""What units, the coordination centre, leaders and platforms hear of lifecycle actions, at their webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support.case_lifecycle import act, open_case
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver

pytestmark = pytest.mark.usefixtures("no_server_errors")


@pytest_asyncio.fixture
async def webhooks(api: httpx.AsyncClient, receiver: WebhookReceiver) -> AsyncIterator[list[str]]:
    """Units whose webhook points at the test receiver (`/<unit>`) for this test only."""
    units = ["agriculture", "coordination-centre"]
    for unit in units:
        response = await api.put(f"/v1/units/{unit}/webhook", json={"url": receiver.url(f"/{unit}")})
        assert response.status_code == 200, response.text
    yield units
    for unit in units:
        await api.delete(f"/v1/units/{unit}/webhook")


async def event_at(receiver: WebhookReceiver, path: str, case_id: str, kind: str, *, timeout: float = 20) -> Any:
    """The first event of `kind` about the case delivered to `path`."""

    async def arrived() -> Any:
        events = [r.json() for r in receiver.for_case(case_id) if r.path == path and r.json()["kind"] == kind]
        assert events, f"no {kind} at {path} yet"
        return events[0]

    return await assert_eventually(arrived, timeout=timeout, what=f"{kind} delivered to {path}")


async def test_the_receiving_unit_the_centre_and_the_handling_unit_hear_of_transfer_and_extension(
    api: httpx.AsyncClient, receiver: WebhookReceiver, webhooks: list[str]
) -> None:
    # An unlicensed slaughter point reported as an enterprise matter: industry-it passes it to agriculture.
    case = await open_case(api, category="KW-03", title="村里有私设屠宰点")
    case_id = case["case_id"]
    transfer = {
        "unit": "industry-it",
        "to_unit": "agriculture",
        "reason": "私屠滥宰归农业农村局",
        "catalog_item": "MS-06",
    }
    await act(api, case_id, "transfer", transfer)

    assigned = await event_at(receiver, "/agriculture", case_id, "case_assigned")

    assert (assigned["from_unit"], assigned["to_unit"]) == ("industry-it", "agriculture")
    assert (assigned["first_contact_unit"], assigned["handling_unit"]) == ("industry-it", "agriculture")
    assert "私屠滥宰归农业农村局" in assigned["detail"]
    delivery = next(r for r in receiver.for_case(case_id) if r.json()["event_id"] == assigned["event_id"])
    assert delivery.headers["idempotency-key"] == assigned["event_id"]

    await act(api, case_id, "accept", {"unit": "agriculture"})
    await act(api, case_id, "extension", {"unit": "agriculture", "reason": "需公安配合取证", "working_days": 4})
    asked = await event_at(receiver, "/coordination-centre", case_id, "extension_requested")
    assert (asked["audience"], asked["handling_unit"]) == ("coordination", "agriculture")

    decided_case = await act(api, case_id, "extension/decision", {"unit": "coordination-centre", "approved": True})
    decided = await event_at(receiver, "/agriculture", case_id, "extension_decided")

    assert (decided["outcome"], decided["detail"]) == ("approved", "")
    new_due = datetime.fromisoformat(decided_case["deadlines"]["resolution"])
    assert datetime.fromisoformat(decided["deadlines"]["resolution"]) == new_due


async def test_the_platform_hears_of_a_transfer_at_its_callback_url(
    api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    case = await open_case(
        api, category="KW-05", title="签约项目落地注册进度慢", callback_url=receiver.url("/callbacks")
    )
    transfer = {"unit": "commerce", "to_unit": "admin-approval", "reason": "审批手续归审批局", "catalog_item": "KW-01"}
    await act(api, case["case_id"], "transfer", transfer)

    notice = await event_at(receiver, "/callbacks", case["case_id"], "transfer_notice", timeout=10)

    assert notice["to_unit"] == "admin-approval"
    assert notice["audience"] == "platform" and notice["address"] is None
    # The platform heard of the assignment first: callbacks of a case arrive in order.
    kinds = [r.json()["kind"] for r in receiver.for_case(case["case_id"]) if r.path == "/callbacks"]
    assert kinds[:2] == ["case_assigned", "transfer_notice"]


async def test_the_city_leader_hears_of_an_escalation_at_its_webhook(
    api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    response = await api.put("/v1/units/city-leader/webhook", json={"url": receiver.url("/city-leader")})
    assert response.status_code == 200, response.text
    try:
        case = await open_case(api, category="LS-02", township="hekou-town")
        case_id = case["case_id"]
        await act(api, case_id, "accept", {"unit": "human-resources"})
        await act(
            api,
            case_id,
            "escalation",
            {"unit": "human-resources", "to": "city_leader", "reason": "涉及多部门", "plan": "人社牵头、财政配合"},
        )

        event = await event_at(receiver, "/city-leader", case_id, "escalated")
        assert event["unit"] == "city-leader"
        assert event["audience"] == "leader"
        assert "人社牵头" in event["detail"]
    finally:
        await api.delete("/v1/units/city-leader/webhook")
