"""`RateLimit`: each client (API key, else IP) gets its share; beyond it 429 with `Retry-After`, others unaffected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI, Request
from limits import parse_many
from pydantic import ValidationError
from starlette.types import Scope

from services.intake.rate_limit import RateLimit
from services.intake.settings import IntakeSettings
from tests.unit.test_telemetry import json_lines, json_logging

KEY_A = "hk_0123456789ab_first-client-secret-part"
KEY_B = "hk_ba9876543210_second-client-secret-part"


CONSOLE_KEY = "hk_c0c0c0c0c0c0_the-staff-consoles-secret"


async def is_console_key(scope: Scope, key: str) -> bool:
    return key == CONSOLE_KEY


def build_app(limit: str, handled: list[str]) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RateLimit, limits=parse_many(limit) if limit else [], is_console_key=is_console_key)

    @app.post("/v1/cases")
    async def submit(request: Request) -> dict[str, bool]:
        handled.append((await request.body()).decode())
        return {"ok": True}

    @app.get("/v1/cases/{case_id}")
    async def show(case_id: str) -> dict[str, str]:
        return {"case_id": case_id}

    @app.get("/open311/v2/requests/{request_id}.{fmt}")
    async def open311_request(request_id: str, fmt: str) -> list[dict[str, str]]:
        return [{"service_request_id": request_id}]

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    return app


Clients = Callable[..., httpx.AsyncClient]


@pytest.fixture
def handled() -> list[str]:
    return []


@pytest.fixture
def limit() -> str:
    """The app's limit; a test parametrizes `limit` for another."""
    return "5/second"


@pytest.fixture
async def clients(handled: list[str], limit: str) -> AsyncIterator[Clients]:
    """Clients of one app, each from the IP address it is made with."""
    app = build_app(limit, handled)
    opened: list[httpx.AsyncClient] = []

    def client(ip: str = "10.0.0.1") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 40000))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://intake.test"))
        return opened[-1]

    yield client
    for each in opened:
        await each.aclose()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def statuses(client: httpx.AsyncClient, count: int, headers: dict[str, str] | None = None) -> list[int]:
    return [(await client.get("/v1/cases/c-1", headers=headers)).status_code for _ in range(count)]


async def test_the_request_over_the_limit_gets_429_with_retry_after(clients: Clients) -> None:
    api = clients()
    assert await statuses(api, 5, bearer(KEY_A)) == [200] * 5

    refused = await api.get("/v1/cases/c-1", headers=bearer(KEY_A))

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "rate limit exceeded: 5 per 1 second per client; retry after 1 s"
    assert (refused.json()["code"], refused.json()["status"], refused.json()["instance"]) == (
        "rate_limited",
        429,
        "/v1/cases/c-1",
    )


async def test_another_key_from_the_same_address_is_not_affected(clients: Clients) -> None:
    api = clients()
    assert await statuses(api, 6, bearer(KEY_A)) == [200] * 5 + [429]

    assert await statuses(api, 5, bearer(KEY_B)) == [200] * 5


async def test_a_key_counts_the_same_sent_as_bearer_or_x_api_key_from_any_address(clients: Clients) -> None:
    assert await statuses(clients("10.0.0.1"), 3, bearer(KEY_A)) == [200] * 3
    assert await statuses(clients("10.0.0.2"), 2, {"X-API-Key": KEY_A}) == [200] * 2

    assert await statuses(clients("10.0.0.3"), 1, bearer(KEY_A)) == [429]


async def test_an_open311_key_in_the_query_counts_as_that_key_from_any_address(clients: Clients) -> None:
    url = "/open311/v2/requests/r-1.json"
    assert [(await clients("10.0.0.1").get(url, params={"api_key": KEY_A})).status_code for _ in range(3)] == [200] * 3
    assert await statuses(clients("10.0.0.2"), 2, bearer(KEY_A)) == [200] * 2

    assert (await clients("10.0.0.3").get(url, params={"api_key": KEY_A})).status_code == 429
    # Only on Open311's paths: elsewhere the query is not where a key goes, and the address is the client.
    assert (await clients("10.0.0.4").get("/v1/cases/c-1", params={"api_key": KEY_A})).status_code == 200


@pytest.mark.parametrize(
    ("path", "media_type"),
    [("/open311/v2/requests/r-1.json", "application/json"), ("/open311/v2/requests/r-1.xml", "text/xml")],
)
async def test_an_open311_client_is_refused_in_the_specs_error_format(
    clients: Clients, path: str, media_type: str
) -> None:
    api = clients()
    for _ in range(5):
        await api.get(path, params={"api_key": KEY_A})
    refused = await api.get(path, params={"api_key": KEY_A})
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "1")
    assert refused.headers["content-type"].startswith(media_type)
    description = "rate limit exceeded: 5 per 1 second per client; retry after 1 s"
    if media_type == "application/json":
        assert refused.json() == [{"code": 429, "description": description}]
    else:
        assert b"<errors><error><code>429</code><description>" + description.encode() in refused.content


async def test_without_a_key_each_address_is_a_client(clients: Clients) -> None:
    assert await statuses(clients("10.0.0.1"), 6) == [200] * 5 + [429]

    assert await statuses(clients("10.0.0.2"), 5) == [200] * 5


async def test_a_refused_body_is_not_read(clients: Clients, handled: list[str]) -> None:
    api = clients()
    assert await statuses(api, 5) == [200] * 5

    refused = await api.post("/v1/cases", json={"title": "小区停水"})

    assert refused.status_code == 429
    assert handled == []


async def test_probes_are_never_limited(clients: Clients) -> None:
    api = clients()
    assert await statuses(api, 6) == [200] * 5 + [429]

    assert [(await api.get("/healthz")).status_code for _ in range(20)] == [200] * 20


async def test_the_client_is_served_again_after_retry_after(clients: Clients) -> None:
    api = clients()
    assert await statuses(api, 6, bearer(KEY_A)) == [200] * 5 + [429]
    refused = await api.get("/v1/cases/c-1", headers=bearer(KEY_A))

    await asyncio.sleep(float(refused.headers["Retry-After"]))

    assert (await api.get("/v1/cases/c-1", headers=bearer(KEY_A))).status_code == 200


@pytest.mark.parametrize("limit", ["100/second;3/minute"])
async def test_retry_after_follows_the_limit_that_was_exceeded(clients: Clients) -> None:
    api = clients()
    assert await statuses(api, 3) == [200] * 3

    refused = await api.get("/v1/cases/c-1")

    assert refused.status_code == 429
    assert 58 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("rate limit exceeded: 3 per 1 minute per client")


@pytest.mark.parametrize("limit", [""])
async def test_no_limit_configured_lets_everything_through(clients: Clients) -> None:
    assert await statuses(clients(), 50) == [200] * 50


async def test_a_refusal_is_logged_without_the_key(clients: Clients, capsys: pytest.CaptureFixture[str]) -> None:
    api = clients()
    with json_logging(service="intake"):
        assert await statuses(api, 6, bearer(KEY_A)) == [200] * 5 + [429]

    out = capsys.readouterr().out
    [line] = [line for line in json_lines(out) if line["event"] == "rate_limit.exceeded"]
    assert line["client"].startswith("key:")
    assert line["path"] == "/v1/cases/c-1"
    assert line["retry_after"] == 1
    assert "first-client-secret-part" not in out
    assert KEY_A not in out


def test_settings_read_one_or_several_limits_or_none() -> None:
    assert [str(item) for item in IntakeSettings().rate_limits] == ["600 per 1 minute"]
    assert [str(item) for item in IntakeSettings(rate_limit="20/second; 600/minute").rate_limits] == [
        "20 per 1 second",
        "600 per 1 minute",
    ]
    assert IntakeSettings(rate_limit="").rate_limits == []


def test_settings_refuse_an_unreadable_limit() -> None:
    with pytest.raises(ValidationError, match="rate_limit"):
        IntakeSettings(rate_limit="lots per minute")


def acting(key: str, person: str) -> dict[str, str]:
    return {**bearer(key), "X-Hotline-Acting-Person": person}


async def test_a_consoles_requests_count_per_person_it_acts_for(clients: Clients) -> None:
    client = clients()
    assert await statuses(client, 6, acting(CONSOLE_KEY, "zhang.san")) == [200] * 5 + [429]
    assert await statuses(client, 5, acting(CONSOLE_KEY, "li.si")) == [200] * 5  # another clerk: a share of her own


async def test_another_key_naming_persons_wins_no_fresh_share(clients: Clients) -> None:
    client = clients()
    sent = [(await client.get("/v1/cases/c-1", headers=acting(KEY_A, f"p{n}"))).status_code for n in range(6)]
    assert sent == [200] * 5 + [429]
