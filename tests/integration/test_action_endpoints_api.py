"""Every case action endpoint: 404 for an unknown case, 409 before a case is assigned, documented in OpenAPI."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.integration.test_end_to_end import wait_for_status
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")

# A valid body for each action (catalog-correct units and items), so that only the case decides the answer.
ACTION_BODIES: dict[str, dict[str, Any]] = {
    "accept": {"unit": "water", "note": "已签收"},
    "transfer": {"unit": "water", "to_unit": "law-enforcement", "reason": "餐饮油烟", "catalog_item": "EE-05"},
    "arbitration": {"unit": "coordination-centre", "handling_unit": "water", "reason": "供水管网属水务"},
    "feedback": {"unit": "water", "message": "已联系来电人"},
    "progress": {"unit": "water", "done": "已排查管网", "next": "明日抢修"},
    "joint-handling": {
        "unit": "water",
        "reason": "需多部门联合处置",
        "participants": [
            {"unit": "water", "role": "lead", "task": "牵头抢修"},
            {"unit": "hekou-town", "role": "township", "task": "属地配合"},
        ],
    },
    "joint-handling/close": {"unit": "water", "note": "联动结束"},
    "joint-tasks/water/accept": {"unit": "water"},
    "joint-tasks/water/report": {"unit": "water", "note": "进展"},
    "joint-tasks/water/complete": {"unit": "water", "note": "完成"},
    "escalation": {"unit": "water", "to": "city_leader", "reason": "跨部门", "plan": "请市领导协调"},
    "extension": {"unit": "water", "reason": "等待材料", "working_days": 5},
    "extension/decision": {"unit": "coordination-centre", "approved": True, "note": "同意"},
    "resolve": {"unit": "water", "note": "已恢复供水"},
    "rating": {"speed": "satisfied", "outcome": "satisfied"},
    "unreasonable-demand": {"unit": "coordination-centre", "reason": "超出职责范围的诉求"},
}
ACTION_PATHS = {
    f"/v1/cases/{{case_id}}/{action.replace('joint-tasks/water', 'joint-tasks/{unit}')}" for action in ACTION_BODIES
}


@pytest.mark.parametrize("case_id", [str(uuid.uuid4()), "not-a-case-id"])
async def test_every_action_on_an_unknown_case_is_404(api: httpx.AsyncClient, case_id: str) -> None:
    answers = {
        action: await api.post(f"/v1/cases/{case_id}/{action}", json=body) for action, body in ACTION_BODIES.items()
    }

    assert {action: r.status_code for action, r in answers.items()} == dict.fromkeys(ACTION_BODIES, 404)
    for action, response in answers.items():
        assert case_id in response.json()["detail"], action


async def test_every_action_on_a_case_waiting_for_triage_is_refused_with_the_reason(api: httpx.AsyncClient) -> None:
    case_id = (await api.post("/v1/cases", json=ticket_body(category_code="ZZ-01"))).json()["case_id"]
    await wait_for_status(api, case_id, "triage")

    answers = {
        action: await api.post(f"/v1/cases/{case_id}/{action}", json=body) for action, body in ACTION_BODIES.items()
    }

    for action, response in answers.items():
        if action.startswith("joint-tasks/"):
            # The case has no joint tasks at all.
            assert response.status_code == 404, (action, response.text)
        elif response.status_code == 403:
            # A unit acting on a case that is nobody's yet: not its case.
            assert "not yours" in response.json()["detail"], action
        else:
            assert response.status_code == 409, (action, response.text)
            assert "triage" in response.json()["detail"], action
    assert {a for a, r in answers.items() if r.status_code == 409} >= {
        "arbitration",
        "extension/decision",
        "rating",
        "unreasonable-demand",
    }
    assert (await api.get(f"/v1/cases/{case_id}")).json()["status"] == "triage"


async def openapi(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.get("/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def request_schema(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component: dict[str, Any] = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return component


async def test_openapi_lists_every_action_with_its_answers_and_a_request_body_example(api: httpx.AsyncClient) -> None:
    schema = await openapi(api)

    assert set(schema["paths"]) >= ACTION_PATHS, sorted(ACTION_PATHS - set(schema["paths"]))
    for path in sorted(ACTION_PATHS):
        operation = schema["paths"][path]["post"]
        assert {"200", "404", "409", "422"} <= set(operation["responses"]), path
        assert operation["requestBody"]["required"] is True, path
        assert request_schema(schema, operation).get("examples"), f"{path}: no request-body example"
    assert "get" in schema["paths"]["/v1/cases/{case_id}"]


async def test_the_documented_examples_are_bodies_the_api_accepts(api: httpx.AsyncClient) -> None:
    """Posted against an unknown case, each example gets past validation and the catalog checks: 404, not 422."""
    schema = await openapi(api)
    unknown = str(uuid.uuid4())

    for path in sorted(ACTION_PATHS):
        for example in request_schema(schema, schema["paths"][path]["post"])["examples"]:
            url = path.replace("{case_id}", unknown).replace("{unit}", "water")
            response = await api.post(url, json=example)
            assert response.status_code == 404, f"{path} example {example}: {response.status_code} {response.text}"
