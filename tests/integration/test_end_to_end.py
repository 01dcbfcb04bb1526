"""A ticket travels from the API to a unit's webhook, through NATS and Temporal."""

from __future__ import annotations

import httpx
from temporalio.client import Client

from services.contracts.case_ids import workflow_id_for
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body


async def set_webhook(api: httpx.AsyncClient, unit: str, url: str) -> None:
    response = await api.put(f"/v1/units/{unit}/webhook", json={"url": url})
    assert response.status_code == 200, response.text


async def wait_for_status(api: httpx.AsyncClient, case_id: str, status: str) -> dict[str, object]:
    async def check() -> dict[str, object]:
        response = await api.get(f"/v1/cases/{case_id}")
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        assert body["status"] == status, body["status"]
        return body

    return await assert_eventually(check, what=f"case {case_id} is {status}")


async def test_ticket_reaches_the_units_webhook_and_is_visible_by_handling_unit(
    api: httpx.AsyncClient, receiver: WebhookReceiver, temporal_client: Client
) -> None:
    await set_webhook(api, "water", receiver.url())
    response = await api.post("/v1/cases", json=ticket_body())
    assert response.status_code == 202
    case_id = response.json()["case_id"]
    assert response.json()["status"] == "received"

    async def delivered() -> list[dict[str, object]]:
        events = [r.json() for r in receiver.for_case(case_id)]
        assert events, "no webhook yet"
        return events

    events = await assert_eventually(delivered, what="case_assigned webhook")
    assert events[0]["kind"] == "case_assigned"
    assert events[0]["unit"] == "water"
    assert events[0]["sequence"] == 1
    assert events[0]["title"] == "小区停水两天无人处理"
    request = receiver.for_case(case_id)[0]
    assert request.headers["idempotency-key"] == events[0]["event_id"]

    async def visible() -> list[str]:
        query = f"HandlingUnit = 'water' AND CaseId = '{case_id}'"
        ids = [wf.id async for wf in temporal_client.list_workflows(query)]
        assert ids == [workflow_id_for(case_id)]
        return ids

    await assert_eventually(visible, what="workflow in visibility by HandlingUnit")


async def test_case_state_shows_unit_deadlines_catalog_version_and_timeline(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/cases", json=ticket_body(category_code="NR-01", township="qingshan-town"))
    case_id = response.json()["case_id"]

    case = await wait_for_status(api, case_id, "assigned")
    assert case["first_contact_unit"] == case["handling_unit"] == "natural-resources"
    assert case["catalog_item"] == "NR-01"
    current = (await api.get("/v1/catalog")).json()
    assert case["catalog_version"] == current["catalog"]["version"] == str(current["version"])
    assert case["township"] == "qingshan-town"
    deadlines = case["deadlines"]
    assert isinstance(deadlines, dict) and deadlines["feedback"] and deadlines["resolution"]
    assert [entry["action"] for entry in case["timeline"]] == ["received", "routed", "assigned"]  # type: ignore[union-attr]
    routing = case["routing"]
    assert isinstance(routing, dict)
    assert routing["method"] == "category_code"
    assert "law-enforcement" in routing["supporting_units"] and "qingshan-town" in routing["supporting_units"]


async def test_township_primary_item_goes_to_the_tickets_township(api: httpx.AsyncClient) -> None:
    body = ticket_body(category_code="EE-04", township="taoyuan-township", title="田里焚烧秸秆浓烟很大")
    case_id = (await api.post("/v1/cases", json=body)).json()["case_id"]

    case = await wait_for_status(api, case_id, "assigned")
    assert case["handling_unit"] == "taoyuan-township"


async def test_vague_text_and_unknown_category_go_to_triage(api: httpx.AsyncClient) -> None:
    # Without a category the text decides; this text names no matter of the catalog.
    no_category = ticket_body(title="有个事情想反映", description="麻烦你们帮忙看看，谢谢。")
    del no_category["category_code"]
    unknown = ticket_body(category_code="XX-99")
    for body in (no_category, unknown):
        case_id = (await api.post("/v1/cases", json=body)).json()["case_id"]
        case = await wait_for_status(api, case_id, "triage")
        assert case["handling_unit"] is None
        routing = case["routing"]
        assert isinstance(routing, dict) and "triage" in str(routing["reason"])


async def test_every_service_exposes_health_and_metrics(system: RunningSystem) -> None:
    expected = {
        "intake": "hotline_intake_tickets_total",
        "router": "hotline_router_cases_total",
        "workflows": "hotline_case_workflow_starts_total",
        "notifier": "hotline_notifier_delivery_attempts_total",
        "records": "hotline_records_events_total",
    }
    async with httpx.AsyncClient(timeout=5) as http:
        for name, metric in expected.items():
            base = system.services[name].base_url
            assert (await http.get(f"{base}/healthz")).json()["ok"] is True
            metrics = await http.get(f"{base}/metrics", follow_redirects=True)
            assert metrics.status_code == 200
            assert metric in metrics.text, f"{name} does not expose {metric}"


async def test_the_catalog_in_force_and_its_versions_are_served(api: httpx.AsyncClient) -> None:
    current = (await api.get("/v1/catalog")).json()
    assert current["version"] >= 1
    assert len(current["catalog"]["items"]) == 51 and len(current["catalog"]["units"]) == 26

    versions = (await api.get("/v1/catalog/versions")).json()
    assert versions[0]["version"] == 1 and versions[0]["source"] == "import"
    assert (await api.get("/v1/catalog/versions/1")).json()["catalog"]["digest"] == versions[0]["digest"]
    assert (await api.get("/v1/catalog/versions/9999")).status_code == 404
    assert (await api.get("/v1/catalog/versions/one")).status_code == 422
