"""API keys for tests: the development credentials of a test system, and an httpx auth that picks the right one.

`ActAsBody` sends each request with the key of whoever the request speaks for: the platform of a submitted
ticket's channel, the unit named in an action's body, the coordination centre for reads, the admin for channel
and credential settings. Tests about who may do what use `keys[...]` explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path

import httpx

from services.contracts.case_actions import COORDINATION_CENTRE
from services.contracts.settings import ServiceSettings
from services.devstack.dev_credentials import generate, register


async def dev_keys(workdir: Path, nats_url: str, *, replicas: int = 1) -> dict[str, str]:
    path = workdir / "dev-credentials.json"
    keys = generate(path)
    await register(ServiceSettings(nats_url=nats_url, nats_replicas=replicas), path)
    return keys


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


class ActAsBody(httpx.Auth):
    def __init__(self, keys: dict[str, str]) -> None:
        self._keys = keys

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if "authorization" not in request.headers:
            request.headers["Authorization"] = f"Bearer {self._key_for(request)}"
        yield request

    def _key_for(self, request: httpx.Request) -> str:
        path = request.url.path
        body = _json(request)
        if request.method == "POST" and path == "/v1/cases":
            channel = str(body.get("channel", "12345"))
            return self._keys.get(f"platform-{channel}", self._keys["platform-12345"])
        if path.startswith(("/v1/admin", "/v1/platforms")) or (
            path.startswith("/v1/units/") and request.method != "GET"
        ):
            return self._keys["admin"]
        if path.startswith("/v1/units/") and path.endswith("/channels"):
            return self._keys["admin"]
        unit = body.get("unit")
        if isinstance(unit, str) and unit in self._keys:
            return self._keys[unit]
        return self._keys[COORDINATION_CENTRE]


def _json(request: httpx.Request) -> dict[str, object]:
    if not request.content:
        return {}
    try:
        body = json.loads(request.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def read_keys(path: Path) -> dict[str, str]:
    keys: dict[str, str] = json.loads(path.read_text())["keys"]
    return keys
