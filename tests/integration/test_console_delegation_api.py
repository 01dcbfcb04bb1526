"""The console's key through the real API: it acts only for a signed-in person, exactly as that person's own key
would (services/intake/auth.py `_acting_for`), and what the person reads is logged under their name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.support.case_lifecycle import open_case
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

CONSOLE_CLIENT = "dev-console"  # the development console key's client id (services/devstack/dev_credentials.py)


def acting(kind: str, subject: str, person: str = "zhang.san") -> dict[str, str]:
    return {"X-Hotline-Acting-Kind": kind, "X-Hotline-Acting-Subject": subject, "X-Hotline-Acting-Person": person}


@pytest_asyncio.fixture(scope="module")
async def console(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    """The API with the console's key and nothing else: each test says whom it acts for."""
    async with httpx.AsyncClient(base_url=system.api_url, headers=bearer(system.keys["console"]), timeout=30) as c:
        yield c


@pytest_asyncio.fixture(scope="module")
async def cases(api: httpx.AsyncClient) -> dict[str, str]:
    """A case of water's and one of education's, their tickets in the records."""
    found = {"water": (await open_case(api, category="LS-06"))["case_id"]}
    found["education"] = (await open_case(api, category="LS-05"))["case_id"]
    for case_id in found.values():

        async def recorded(case_id: str = case_id) -> None:
            assert (await api.get(f"/v1/cases/{case_id}/ticket")).status_code == 200

        await assert_eventually(recorded, what=f"the ticket of {case_id} in the records")
    return found


async def test_the_console_key_alone_is_refused(console: httpx.AsyncClient) -> None:
    for path in ("/v1/me", "/v1/queue", "/v1/cases"):
        answer = await console.get(path)
        assert answer.status_code == 403, path
        assert "acts only for a signed-in person" in answer.json()["detail"]
    # Half the headers is no person either.
    half = {"X-Hotline-Acting-Kind": "unit", "X-Hotline-Acting-Subject": "water"}
    assert (await console.get("/v1/me", headers=half)).status_code == 403


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        (acting("platform", "12345"), "X-Hotline-Acting-Kind: 'platform' is not staff"),
        (acting("operator", ""), "X-Hotline-Acting-Kind: 'operator' is not staff"),
        (acting("console", ""), "X-Hotline-Acting-Kind: 'console' is not staff"),
        (acting("root", ""), "X-Hotline-Acting-Kind: 'root' is not staff"),
        (acting("unit", "no-such-unit"), "X-Hotline-Acting-Subject: 'no-such-unit' does not fit unit"),
        (acting("unit", "coordination-centre"), "X-Hotline-Acting-Subject: 'coordination-centre' does not fit unit"),
        (acting("coordination", "water"), "X-Hotline-Acting-Subject: 'water' does not fit coordination"),
        (acting("leader", "water"), "X-Hotline-Acting-Subject: 'water' does not fit leader"),
        (acting("admin", "water"), "X-Hotline-Acting-Subject: 'water' does not fit admin"),
        (acting("unit", "water", person=""), "X-Hotline-Acting-Person: '' is not a person's id"),
        (acting("unit", "water", person="-lead"), "X-Hotline-Acting-Person: '-lead' is not a person's id"),
        (acting("unit", "water", person="a b"), "X-Hotline-Acting-Person: 'a b' is not a person's id"),
    ],
)
async def test_acting_for_what_no_person_is_refused_naming_the_header(
    console: httpx.AsyncClient, headers: dict[str, str], named: str
) -> None:
    answer = await console.get("/v1/me", headers=headers)
    assert answer.status_code == 403
    assert named in answer.json()["detail"]


@pytest.mark.parametrize(
    ("key", "kind", "subject"),
    [
        ("water", "unit", "water"),
        ("coordination-centre", "coordination", "coordination-centre"),
        ("city-leader", "leader", "city-leader"),
        ("admin", "admin", ""),
        ("operator", "operator", ""),
        ("platform-12345", "platform", "12345"),
    ],
)
async def test_me_says_whose_key_it_is(system: RunningSystem, key: str, kind: str, subject: str) -> None:
    async with httpx.AsyncClient(base_url=system.api_url, headers=bearer(system.keys[key])) as own:
        me = (await own.get("/v1/me")).json()
    assert me == {"client_id": f"dev-{key}", "kind": kind, "subject": subject, "person": None}


@pytest.mark.parametrize(
    ("kind", "subject"),
    [("unit", "water"), ("coordination", "coordination-centre"), ("leader", "top-leadership"), ("admin", "")],
)
async def test_me_through_the_console_is_the_person(console: httpx.AsyncClient, kind: str, subject: str) -> None:
    me = (await console.get("/v1/me", headers=acting(kind, subject, "li.si@city.example"))).json()
    assert me == {
        "client_id": f"li.si@city.example@{CONSOLE_CLIENT}",
        "kind": kind,
        "subject": subject,
        "person": "li.si@city.example",
    }


def _requests(cases: dict[str, str]) -> list[tuple[str, str, dict[str, Any] | None]]:
    """What a clerk of water's might ask: their own case and another unit's, lists, and what is not theirs."""
    water, education = cases["water"], cases["education"]
    return [
        ("GET", f"/v1/cases/{water}", None),
        ("GET", f"/v1/cases/{water}/ticket", None),
        ("GET", f"/v1/cases/{education}", None),
        ("GET", f"/v1/cases/{education}/ticket", None),
        ("GET", "/v1/queue", None),
        ("GET", "/v1/cases?limit=5", None),
        ("GET", "/v1/units/water/channels", None),
        ("GET", "/v1/units/education/channels", None),
        ("GET", "/v1/admin/access-log", None),
        ("POST", f"/v1/cases/{education}/accept", {"unit": "water", "note": "不是我们的"}),
        ("POST", f"/v1/cases/{water}/accept", {"unit": "education", "note": "冒名"}),
    ]


async def test_acting_as_water_can_do_exactly_what_waters_key_can(
    system: RunningSystem, console: httpx.AsyncClient, cases: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=system.api_url, headers=bearer(system.keys["water"])) as water:
        for method, path, body in _requests(cases):
            own = await water.request(method, path, json=body)
            through = await console.request(method, path, json=body, headers=acting("unit", "water"))
            assert (through.status_code, path) == (own.status_code, path), through.text
            if own.status_code >= 400:
                # The same refusal word for word, except for whose name it is in.
                assert (
                    through.json()["detail"].replace(f"zhang.san@{CONSOLE_CLIENT}", "dev-water") == own.json()["detail"]
                ), path
    # Not a parity of refusals only: the own case is read, the other unit's is not.
    assert (await console.get(f"/v1/cases/{cases['water']}", headers=acting("unit", "water"))).status_code == 200
    refused = await console.get(f"/v1/cases/{cases['education']}", headers=acting("unit", "water"))
    assert refused.status_code == 403


async def test_a_ticket_read_through_the_console_is_logged_under_the_person(
    system: RunningSystem, console: httpx.AsyncClient, cases: dict[str, str]
) -> None:
    case_id = cases["water"]
    read = await console.get(f"/v1/cases/{case_id}/ticket", headers=acting("unit", "water", "wang.wu"))
    assert read.status_code == 200 and read.json()["caller"] is not None
    async with httpx.AsyncClient(base_url=system.api_url, headers=bearer(system.keys["admin"])) as admin:
        log = (await admin.get("/v1/admin/access-log", params={"case_id": case_id})).json()["items"]
    newest = log[0]
    assert (newest["client_id"], newest["client_kind"], newest["subject"], newest["purpose"]) == (
        f"wang.wu@{CONSOLE_CLIENT}",
        "unit",
        "water",
        "ticket",
    )
