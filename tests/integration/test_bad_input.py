"""Bad input gets a clear 4xx naming the field; never a 500, never a case."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.tickets import ticket_body


def without(field: str) -> dict[str, Any]:
    body = ticket_body()
    del body[field]
    return body


def error_locations(response: httpx.Response) -> list[str]:
    return [".".join(str(part) for part in error["loc"]) for error in response.json()["detail"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (without("channel"), "body.channel"),
        (without("external_id"), "body.external_id"),
        (without("title"), "body.title"),
        (without("description"), "body.description"),
        (without("reported_at"), "body.reported_at"),
        (ticket_body(channel="wechat"), "body.channel"),
        (ticket_body(description="长" * 10001), "body.description"),
        (ticket_body(title=""), "body.title"),
        (ticket_body(external_id="x" * 129), "body.external_id"),
        (ticket_body(reported_at="2026-11-22T08:00:00"), "body.reported_at"),
        (ticket_body(reported_at="yesterday"), "body.reported_at"),
        (ticket_body(urgency="very"), "body.urgency"),
        (ticket_body(caller={"name": "李先生", "phone": "call me"}), "body.caller.phone"),
        (ticket_body(callback_url="not a url"), "body.callback_url"),
        (ticket_body(category_code="LS 06; drop"), "body.category_code"),
        (ticket_body(priority="high"), "body.priority"),
    ],
)
async def test_invalid_ticket_is_refused_with_422_naming_the_field(
    api: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await api.post("/v1/cases", json=body)
    assert response.status_code == 422
    assert field in error_locations(response)


async def test_validation_errors_do_not_echo_personal_data(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/cases", json=ticket_body(caller={"name": "李先生", "phone": "call me 13900001111"}))
    assert response.status_code == 422
    assert "13900001111" not in response.text


async def test_unknown_township_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/cases", json=ticket_body(township="atlantis-town"))
    assert response.status_code == 422
    assert "township" in response.json()["detail"]


async def test_malformed_json_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/cases", content=b'{"channel": "12345", "title": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_non_object_body_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/cases", json=["not", "a", "ticket"])
    assert response.status_code == 422


async def test_oversize_body_is_refused_with_413(api: httpx.AsyncClient) -> None:
    body = ticket_body(description="长" * 40000)  # 120 KB of UTF-8, over the 64 KiB limit
    response = await api.post("/v1/cases", json=body)
    assert response.status_code == 413
    assert "exceeds" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("GET", "/v1/cases/00000000-0000-5000-8000-000000000000", None),
        ("GET", "/v1/cases/not-a-case-id", None),
        ("POST", "/v1/cases/00000000-0000-5000-8000-000000000000/accept", {"unit": "water"}),
        ("POST", "/v1/cases/00000000-0000-5000-8000-000000000000/resolve", {"unit": "water"}),
        ("PUT", "/v1/units/no-such-unit/webhook", {"url": "https://example.gov.cn/hook"}),
        ("GET", "/v1/units/no-such-unit/channels", None),
    ],
)
async def test_unknown_case_or_unit_is_404(api: httpx.AsyncClient, method: str, path: str, json: Any) -> None:
    response = await api.request(method, path, json=json)
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [{}, {"url": "not a url"}, {"url": "ftp://example.gov.cn/x"}, {"url": "https://x.cn", "secret": "s"}],
)
async def test_bad_webhook_setting_is_422(api: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await api.put("/v1/units/water/webhook", json=body)
    assert response.status_code == 422


@pytest.mark.parametrize("body", [{}, {"unit": "Water Bureau"}, {"unit": "water", "note": "x" * 2001}])
async def test_bad_action_body_is_422(api: httpx.AsyncClient, body: dict[str, Any]) -> None:
    case_id = (await api.post("/v1/cases", json=ticket_body())).json()["case_id"]
    response = await api.post(f"/v1/cases/{case_id}/accept", json=body)
    assert response.status_code == 422
