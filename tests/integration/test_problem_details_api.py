"""Every refusal through the real API is an RFC 9457 problem with a stable code, the workflow's own refusals included
(their code travels through Temporal); the served OpenAPI says so, names the API key and lists the webhooks."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.contracts.events import PLATFORM_EVENTS, EventKind
from tests.support.case_lifecycle import act, open_case
from tests.support.credentials import bearer
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")

PROBLEM = "application/problem+json"


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The answer's problem details, checked to be the problem expected."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"], body["type"]) == (status, code, f"tag:hotline,2026:problem:{code}")
    assert body["title"] and body["detail"]
    assert body["instance"] == response.request.url.path
    return body


async def test_who_is_refused_and_why_comes_with_a_code(api: httpx.AsyncClient, system: RunningSystem) -> None:
    unknown_case = f"/v1/cases/{uuid.uuid4()}"
    async with httpx.AsyncClient(base_url=system.api_url) as anonymous:
        no_key = await anonymous.get(unknown_case)
        bad_key = await anonymous.get(unknown_case, headers={"X-API-Key": "hk_nosuchkey_0"})
    assert problem(no_key, 401, "api_key_missing")["detail"] == "no API key: send Authorization: Bearer <key>"
    problem(bad_key, 401, "api_key_invalid")

    other_channel = await api.post(
        "/v1/cases", json=ticket_body(channel="89000"), headers=bearer(system.keys["platform-12345"])
    )
    refused = problem(other_channel, 403, "channel_not_allowed")
    assert refused["detail"] == "this client may not submit tickets on channel '89000'"
    problem(await api.get(unknown_case), 404, "case_not_found")


async def test_a_request_that_does_not_fit_names_each_field_with_its_code(api: httpx.AsyncClient) -> None:
    body = ticket_body(title="")
    del body["reported_at"]

    invalid = problem(await api.post("/v1/cases", json=body), 422, "request_invalid")

    assert sorted((issue["loc"][-1], issue["code"]) for issue in invalid["detail"]) == [
        ("reported_at", "field_missing"),
        ("title", "field_too_short"),
    ]
    unknown = problem(await api.post("/v1/cases", json=ticket_body(township="atlantis-town")), 422, "unknown_unit")
    assert unknown["detail"] == "township: unknown unit code 'atlantis-town'"
    problem(await api.post("/v1/cases", json=ticket_body(description="长" * 40000)), 413, "body_too_large")


async def test_the_workflows_refusals_reach_the_client_with_their_codes(api: httpx.AsyncClient) -> None:
    case = await open_case(api, category="LS-07", title="公交站台被机动车长期占用")
    case_id = case["case_id"]

    unaccepted = await api.post(f"/v1/cases/{case_id}/resolve", json={"unit": "transport"})
    assert "accept" in problem(unaccepted, 409, "case_not_accepted")["detail"]
    problem(
        await api.post(f"/v1/cases/{case_id}/rating", json={"speed": "satisfied", "outcome": "satisfied"}),
        409,
        "wrong_case_status",
    )

    for unit, to_unit, item in (
        ("transport", "public-security", "LE-05"),
        ("public-security", "law-enforcement", "LE-04"),
    ):
        await act(
            api, case_id, "transfer", {"unit": unit, "to_unit": to_unit, "reason": "不属本单位", "catalog_item": item}
        )
    third = {
        "unit": "law-enforcement",
        "to_unit": "housing-construction",
        "reason": "道路设施",
        "catalog_item": "UC-04",
    }

    capped = problem(await api.post(f"/v1/cases/{case_id}/transfer", json=third), 409, "transfer_limit_reached")

    assert "arbitration" in capped["detail"]
    assert (await api.get(f"/v1/cases/{case_id}")).json()["status"] == "arbitration"


KEYLESS_PATHS = {"/v1/attachment-downloads/{token}"}


async def test_the_served_schema_names_the_key_the_problems_and_the_webhooks(api: httpx.AsyncClient) -> None:
    schema = (await api.get("/openapi.json")).json()

    assert set(schema["components"]["securitySchemes"]) == {"bearerKey", "apiKeyHeader"}
    operations = [op for item in schema["paths"].values() for op in item.values()]
    # An attachment's download link is the permission itself (docs/attachments.md): the one operation without a key.
    keyless = [op for path, item in schema["paths"].items() for op in item.values() if path in KEYLESS_PATHS]
    assert [op.get("security") for op in keyless] == [None]
    keyed = [op for op in operations if op not in keyless]
    assert all(op["security"] == [{"bearerKey": []}, {"apiKeyHeader": []}] for op in keyed)
    errors = [r for op in operations for status, r in op["responses"].items() if status[0] in "45"]
    assert errors and all(list(r["content"]) == [PROBLEM] for r in errors)
    webhooks = set(schema["webhooks"])
    assert webhooks == {f"notification.{kind.value}" for kind in EventKind} | {
        f"callback.{kind.value}" for kind in PLATFORM_EVENTS
    }
