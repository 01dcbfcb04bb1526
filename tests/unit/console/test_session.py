"""The console's session: idle and absolute expiry (a page's own refreshes are not activity), and the CSRF check."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.sessions import SessionMiddleware

from services.console.session import CsrfRefused, NotSignedIn, check_csrf, current_staff, sign_in
from services.console.settings import ConsoleSettings
from services.console.staff import Staff
from services.contracts.credentials import ClientKind

CLERK = Staff(person="zhang.san", name="张三", kind=ClientKind.UNIT, subject="water")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    ticking = Clock()
    monkeypatch.setattr("services.console.session.time.time", ticking)
    return ticking


@pytest.fixture
async def client(clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI(dependencies=[Depends(check_csrf)])
    app.state.settings = ConsoleSettings(session_idle_minutes=30, session_max_hours=12)
    # The cookie's own signature age is not what these tests are about: a long max_age leaves it to the session.
    app.add_middleware(SessionMiddleware, secret_key="test", max_age=10 * 24 * 3600)

    @app.exception_handler(NotSignedIn)
    async def _out(request: Request, error: NotSignedIn) -> JSONResponse:
        return JSONResponse({"signed_in": False, "next": error.next_path}, status_code=401)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, error: CsrfRefused) -> JSONResponse:
        return JSONResponse({"csrf": "refused"}, status_code=403)

    @app.get("/sign-in")
    async def _sign_in(request: Request) -> dict[str, str]:
        sign_in(request, CLERK)
        return {"csrf": request.session["csrf"]}

    @app.get("/queue")
    async def _page(request: Request) -> dict[str, str]:
        return {"person": current_staff(request).person}

    @app.post("/act")
    async def _act(request: Request) -> dict[str, str]:
        return {"person": current_staff(request).person}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console.test") as opened:
        yield opened


def minutes(clock: Clock, count: float) -> None:
    clock.now += count * 60


async def test_a_person_is_signed_out_after_idling(client: httpx.AsyncClient, clock: Clock) -> None:
    await client.get("/sign-in")
    minutes(clock, 29)
    assert (await client.get("/queue")).status_code == 200
    minutes(clock, 29)  # 58 minutes in, but active 29 minutes ago
    assert (await client.get("/queue")).status_code == 200
    minutes(clock, 31)
    answer = await client.get("/queue?tab=new")
    assert answer.status_code == 401
    assert answer.json()["next"] == "/queue?tab=new"
    minutes(clock, 1)
    assert (await client.get("/queue")).status_code == 401  # the session was cleared, not only refused once


async def test_a_pages_own_refreshes_do_not_keep_the_session(client: httpx.AsyncClient, clock: Clock) -> None:
    await client.get("/sign-in")
    for _ in range(5):  # the queue's rows refresh themselves for 25 minutes
        minutes(clock, 5)
        assert (await client.get("/queue", headers={"HX-Request": "true"})).status_code == 200
    minutes(clock, 6)
    assert (await client.get("/queue", headers={"HX-Request": "true"})).status_code == 401


async def test_every_session_ends_after_the_maximum(client: httpx.AsyncClient, clock: Clock) -> None:
    await client.get("/sign-in")
    for _ in range(24):  # busy all day
        minutes(clock, 29)
        await client.get("/queue")
    assert clock.now - 1_000_000.0 > 11 * 3600
    minutes(clock, 60)
    assert (await client.get("/queue")).status_code == 401


@pytest.mark.parametrize(
    ("how", "status"),
    [("form", 200), ("header", 200), ("none", 403), ("wrong", 403), ("json-body", 403)],
)
async def test_a_state_changing_request_needs_the_sessions_token(
    client: httpx.AsyncClient, how: str, status: int
) -> None:
    token = (await client.get("/sign-in")).json()["csrf"]
    if how == "form":
        answer = await client.post("/act", data={"csrf_token": token})
    elif how == "header":
        answer = await client.post("/act", headers={"X-CSRF-Token": token})
    elif how == "wrong":
        answer = await client.post("/act", data={"csrf_token": token[:-2] + "xx"})
    elif how == "json-body":  # not a form: the token in a JSON body is not looked for
        answer = await client.post("/act", json={"csrf_token": token})
    else:
        answer = await client.post("/act", data={"note": "forged"})
    assert answer.status_code == status


async def test_a_token_from_before_signing_in_is_not_kept(client: httpx.AsyncClient) -> None:
    first = (await client.get("/sign-in")).json()["csrf"]
    second = (await client.get("/sign-in")).json()["csrf"]
    assert first != second
    assert (await client.post("/act", data={"csrf_token": first})).status_code == 403
