"""Per-client rate limits through the real API: an intake of its own, limited to 5 requests a second per client."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from services.contracts.case_actions import COORDINATION_CENTRE
from tests.support.credentials import bearer
from tests.support.extra_intake import extra_intake
from tests.support.services import ServiceProcess
from tests.support.system import RunningSystem

LIMIT = "5/second"


@pytest_asyncio.fixture(scope="module")
async def limited_intake(
    system: RunningSystem, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceProcess]:
    """A second intake on the session's engines, configured like the first but with a low limit."""
    overrides = {"HOTLINE_INTAKE_RATE_LIMIT": LIMIT}
    async with extra_intake(system.services["intake"].env, tmp_path_factory.mktemp("rate-limit"), overrides) as intake:
        yield intake


@pytest_asyncio.fixture
async def http(limited_intake: ServiceProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=limited_intake.base_url, timeout=30) as client:
        yield client


async def burst(http: httpx.AsyncClient, count: int, headers: dict[str, str] | None = None) -> list[httpx.Response]:
    """`count` reads of an unknown case sent at once, so that they all arrive within the same second."""
    path = f"/v1/cases/{uuid.uuid4()}"
    return list(await asyncio.gather(*(http.get(path, headers=headers) for _ in range(count))))


async def test_the_sixth_request_in_a_second_gets_429_and_other_clients_are_served(
    system: RunningSystem, http: httpx.AsyncClient
) -> None:
    coordination = bearer(system.keys[COORDINATION_CENTRE])

    answers = await burst(http, 6, coordination)

    assert sorted(a.status_code for a in answers) == [404] * 5 + [429]
    [refused] = [a for a in answers if a.status_code == 429]
    # A burst that straddles two windows may wait into a second one (the window slides).
    wait = refused.headers["Retry-After"]
    assert wait in ("1", "2")
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == f"rate limit exceeded: 5 per 1 second per client; retry after {wait} s"
    assert refused.json()["code"] == "rate_limited"
    # Another key, and a caller with no key at all (counted by its address), are not held back.
    assert [a.status_code for a in await burst(http, 5, bearer(system.keys["water"]))] == [404] * 5
    assert [a.status_code for a in await burst(http, 5)] == [401] * 5
    assert [(await http.get("/healthz")).status_code for _ in range(10)] == [200] * 10

    await asyncio.sleep(float(refused.headers["Retry-After"]))

    assert (await http.get(f"/v1/cases/{uuid.uuid4()}", headers=coordination)).status_code == 404


async def test_a_refusal_is_logged_without_the_key(
    system: RunningSystem, http: httpx.AsyncClient, limited_intake: ServiceProcess
) -> None:
    key = system.keys["platform-12345"]

    answers = await burst(http, 7, bearer(key))

    assert sorted(a.status_code for a in answers)[-2:] == [429, 429]
    log = limited_intake.log_text()
    assert "rate_limit.exceeded" in log
    assert key not in log
    assert key.split("_", 2)[2] not in log  # hk_<key id>_<secret>


@pytest_asyncio.fixture(scope="module")
async def second_intake(
    limited_intake: ServiceProcess, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceProcess]:
    """Another replica beside `limited_intake`: same engines, same limit."""
    async with extra_intake(limited_intake.env, tmp_path_factory.mktemp("rate-limit-2"), {}) as intake:
        yield intake


async def test_two_intakes_count_a_client_once_not_once_each(
    http: httpx.AsyncClient, second_intake: ServiceProcess
) -> None:
    """Behind a load balancer a client gets its limit once: five requests on each replica at once, five taken."""
    fresh = bearer(f"hk_{uuid.uuid4().hex}")  # counted as presented (then refused 401): no earlier window
    path = f"/v1/cases/{uuid.uuid4()}"
    async with httpx.AsyncClient(base_url=second_intake.base_url, timeout=30) as other:
        answers = await asyncio.gather(*(client.get(path, headers=fresh) for client in (http, other) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [401] * 5 + [429] * 5
    refused = [a for a in answers if a.status_code == 429]
    assert {a.headers["Retry-After"] for a in refused} <= {"1", "2"}
