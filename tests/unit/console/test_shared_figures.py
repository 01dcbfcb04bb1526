"""The console's shared figures: one read of the API for everyone acting as the same kind and subject, for a while."""

from __future__ import annotations

import asyncio

import httpx

from services.console.api_client import ConsoleApi
from services.console.staff import Staff
from services.contracts.credentials import ClientKind

LEADER_A = Staff(person="wang.wu", name="王五", kind=ClientKind.LEADER, subject="city-leader")
LEADER_B = Staff(person="zhao.liu", name="赵六", kind=ClientKind.LEADER, subject="city-leader")
TOP = Staff(person="qian.qi", name="钱七", kind=ClientKind.LEADER, subject="top-leadership")


def counting_api(seconds: float) -> tuple[ConsoleApi, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"asked": len(seen)})

    api = ConsoleApi("http://intake.test", "hk_console_key", timeout=5, figures_seconds=seconds)
    api.use_transport(httpx.MockTransport(answer))
    return api, seen


async def test_people_of_one_role_share_one_read() -> None:
    api, seen = counting_api(60)
    first = await api.acting_for(LEADER_A).figures("/v1/reports/rates", period="week", group="unit")
    again = await api.acting_for(LEADER_B).figures("/v1/reports/rates", group="unit", period="week")
    assert first == again == {"asked": 1}
    assert len(seen) == 1
    assert seen[0].headers["X-Hotline-Acting-Person"] == "wang.wu"  # read as the person who asked first


async def test_another_subject_or_question_is_read_on_its_own() -> None:
    api, seen = counting_api(60)
    await api.acting_for(LEADER_A).figures("/v1/reports/rates", period="week")
    await api.acting_for(TOP).figures("/v1/reports/rates", period="week")  # the API may scope it otherwise
    await api.acting_for(LEADER_A).figures("/v1/reports/rates", period="month")
    assert len(seen) == 3


async def test_figures_are_read_again_once_stale() -> None:
    api, seen = counting_api(0.05)
    await api.acting_for(LEADER_A).figures("/v1/reports/rates", period="week")
    await asyncio.sleep(0.1)
    assert await api.acting_for(LEADER_A).figures("/v1/reports/rates", period="week") == {"asked": 2}
    assert len(seen) == 2


async def test_the_boundaries_are_read_once_for_everyone() -> None:
    api, seen = counting_api(0.05)
    first = await api.acting_for(LEADER_A).boundaries()
    await asyncio.sleep(0.1)  # longer than the figures are kept: the boundaries are kept longer
    again = await api.acting_for(TOP).boundaries()  # the same shapes for every reader
    assert first == again == {"asked": 1}
    assert [request.url.path for request in seen] == ["/v1/boundaries"]
