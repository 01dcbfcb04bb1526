"""Outside development the API refuses webhook, robot and callback URLs that lead into the system's own network.

An intake of its own in `staging` on the session's engines (nothing it refuses is ever published).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from tests.support.credentials import ActAsBody
from tests.support.extra_intake import extra_intake, staging_overrides
from tests.support.services import ServiceProcess
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body


@pytest_asyncio.fixture(scope="module")
async def staging_intake(
    system: RunningSystem, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceProcess]:
    overrides = staging_overrides()
    async with extra_intake(system.services["intake"].env, tmp_path_factory.mktemp("staging"), overrides) as intake:
        yield intake


@pytest_asyncio.fixture
async def staging(system: RunningSystem, staging_intake: ServiceProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=staging_intake.base_url, timeout=30, auth=ActAsBody(system.keys)) as api:
        yield api


@pytest.mark.parametrize(
    ("path", "url", "detail"),
    [
        ("webhook", "https://127.0.0.1:7233/", "url: 127.0.0.1 is a loopback address"),
        ("webhook", "https://169.254.169.254/latest/meta-data", "url: 169.254.169.254 is a link-local address"),
        ("dingtalk", "https://10.0.0.8/robot/send", "url: 10.0.0.8 is a private address"),
        ("wecom", "https://nats.nats.svc.cluster.local:8222/", "url: nats.nats.svc.cluster.local names a local host"),
        ("webhook", "http://water.example.gov.cn/hook", "url: must use https outside development"),
    ],
)
async def test_a_channel_into_the_systems_own_network_is_refused_naming_the_field(
    staging: httpx.AsyncClient, path: str, url: str, detail: str
) -> None:
    response = await staging.put(f"/v1/units/water/{path}", json={"url": url})
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(detail)


@pytest.mark.parametrize("url", ["https://10.20.3.4/hotline/events", "https://receiver.egov.internal/hotline/events"])
async def test_the_citys_own_networks_and_hosts_are_taken(staging: httpx.AsyncClient, url: str) -> None:
    try:
        response = await staging.put("/v1/units/emergency-management/webhook", json={"url": url})
        assert response.status_code == 200, response.text
    finally:
        await staging.delete("/v1/units/emergency-management/webhook")


async def test_a_ticket_with_a_callback_into_the_systems_network_is_refused_and_nothing_is_kept(
    staging: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    body = ticket_body(callback_url="https://[::1]:8000/v1/admin/keys")
    response = await staging.post("/v1/cases", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("callback_url: ::1 is a loopback address")
    # Not taken: the same ticket without the callback is a new case, not a duplicate.
    fixed = await api.post("/v1/cases", json={key: value for key, value in body.items() if key != "callback_url"})
    assert fixed.status_code == 202, fixed.text


async def test_a_ticket_with_an_attachment_url_into_the_systems_network_is_refused_naming_it(
    staging: httpx.AsyncClient,
) -> None:
    body = ticket_body(attachment_urls=["https://files.example.gov.cn/a.jpg", "https://10.0.0.9/photos/b.jpg"])
    response = await staging.post("/v1/cases", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("attachment_urls[1]: 10.0.0.9 is a private address")
