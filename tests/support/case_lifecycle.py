"""Driving a case through its lifecycle over the real API: open it, act on it, read what it refuses and why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.support.polling import assert_eventually
from tests.support.tickets import ticket_body

Case = dict[str, Any]


class ServerError(Exception):
    """The API answered 5xx. Not an AssertionError, so `assert_eventually` stops polling at once."""


async def fail_on_server_error(response: httpx.Response) -> None:
    """httpx response hook: no lifecycle request may ever be answered with a 5xx."""
    if response.status_code >= 500:
        await response.aread()
        request = response.request
        raise ServerError(f"{request.method} {request.url.path} answered {response.status_code}: {response.text}")


async def wait_for_case(
    api: httpx.AsyncClient, case_id: str, condition: Callable[[Case], bool], *, what: str, timeout: float = 20.0
) -> Case:
    """GET the case until `condition` holds; returns the case as it then is."""

    async def check() -> Case:
        response = await api.get(f"/v1/cases/{case_id}")
        assert response.status_code == 200, response.text
        case: Case = response.json()
        assert condition(case), f"status {case['status']}"
        return case

    return await assert_eventually(check, timeout=timeout, what=f"case {case_id}: {what}")


async def open_case(api: httpx.AsyncClient, *, category: str, township: str = "hekou-town", **ticket: Any) -> Case:
    """Submit a ticket and wait until its workflow has assigned it with its deadlines counted."""
    response = await api.post("/v1/cases", json=ticket_body(category_code=category, township=township, **ticket))
    assert response.status_code == 202, response.text
    case_id: str = response.json()["case_id"]
    return await wait_for_case(
        api,
        case_id,
        lambda case: case["status"] == "assigned" and case["deadlines"]["resolution"] is not None,
        what="assigned, with deadlines",
    )


async def act(api: httpx.AsyncClient, case_id: str, action: str, body: dict[str, Any]) -> Case:
    """POST an action that must succeed; returns the state it answers with."""
    response = await api.post(f"/v1/cases/{case_id}/{action}", json=body)
    assert response.status_code == 200, f"{action}: {response.status_code} {response.text}"
    result: Case = response.json()
    return result


async def accepted_case(api: httpx.AsyncClient, *, category: str, unit: str, **ticket: Any) -> Case:
    """A case its handling unit has signed for."""
    case = await open_case(api, category=category, **ticket)
    assert case["handling_unit"] == unit, case["handling_unit"]
    return await act(api, case["case_id"], "accept", {"unit": unit, "note": "已签收"})


async def refusal(api: httpx.AsyncClient, case_id: str, action: str, body: dict[str, Any], *, status: int = 409) -> str:
    """POST an action that must be refused with `status`; returns the reason (`detail`) given."""
    response = await api.post(f"/v1/cases/{case_id}/{action}", json=body)
    assert response.status_code == status, f"{action}: expected {status}, got {response.status_code} {response.text}"
    detail = response.json()["detail"]
    if isinstance(detail, str):
        text = detail
    else:  # request validation: a list of {loc, msg, type}
        text = " ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in detail)
    assert text.strip(), f"{action}: {status} without a reason"
    return text


def actions(case: Case) -> list[str]:
    """The timeline's actions, oldest first."""
    return [entry["action"] for entry in case["timeline"]]


def tracked(case: Case, kind: str) -> dict[str, Any]:
    """One tracked deadline of the case (`sign_for`, `transfer`, `feedback`, `resolution`, `arbitration`)."""
    return next(deadline for deadline in case["tracked_deadlines"] if deadline["kind"] == kind)


# A ticket the router cannot place: its words fit two items (property management, lifts) about as well.
VAGUE = {"title": "物业和电梯", "description": "物业不管事，电梯也坏了。"}


async def waiting_for_triage(api: httpx.AsyncClient, **ticket: Any) -> Case:
    """Submit a ticket with no category the router cannot place (`VAGUE` unless the test says otherwise); wait
    until its `TriageCase` runs (the triage deadline shows)."""
    body = {key: value for key, value in ticket_body(**(VAGUE | ticket)).items() if key != "category_code"}
    response = await api.post("/v1/cases", json=body)
    assert response.status_code == 202, response.text
    return await wait_for_case(
        api,
        response.json()["case_id"],
        lambda case: case["status"] == "triage" and case["deadlines"]["triage"] is not None,
        what="waiting for triage, with its deadline",
    )


async def in_arbitration(api: httpx.AsyncClient) -> str:
    """A case passed on twice, whose third transfer is refused: past the cap, it waits for the centre."""
    case = await open_case(api, category="LS-07", title="公交站台被机动车长期占用")
    case_id: str = case["case_id"]
    moves = [
        ("transport", "public-security", "LE-05", "机动车违停归公安"),
        ("public-security", "law-enforcement", "LE-04", "占道归执法"),
    ]
    for unit, to_unit, item, reason in moves:
        await act(api, case_id, "transfer", {"unit": unit, "to_unit": to_unit, "reason": reason, "catalog_item": item})
    third = {
        "unit": "law-enforcement",
        "to_unit": "housing-construction",
        "reason": "道路设施",
        "catalog_item": "UC-04",
    }
    assert "arbitration" in await refusal(api, case_id, "transfer", third)
    await wait_for_case(api, case_id, lambda c: c["status"] == "arbitration", what="in arbitration")
    return case_id
