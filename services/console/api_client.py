"""The console's way to the intake API: every request as the signed-in person, judged by the API's own rules.

The console's key is sent with the person's kind, subject and id (`X-Hotline-Acting-*`, services/intake/auth.py);
intake authorizes the request exactly as it would that person's own key. A refusal comes back as `ApiRefused`
carrying the API's status and reason (its problem's `detail`), which pages show as they are, and its `code`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from cachetools import TTLCache

from services.console.staff import Staff
from services.contracts.credentials import CallerView


class ApiRefused(Exception):
    """The API said no (4xx) or could not answer (5xx, unreachable): its status, its reason and, when the API gave
    one, its code (docs/errors.md)."""

    def __init__(self, status: int, detail: str, code: str | None = None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.code = code


def _code(response: httpx.Response) -> str | None:
    """The problem's `code`, when the answer is one of the API's problems."""
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500] or response.reason_phrase
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):  # FastAPI's field errors: "field: message" each
        return "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', [])[1:])}: {item.get('msg', '')}"
            for item in detail
            if isinstance(item, dict)
        )
    return str(detail) if detail is not None else response.text[:500]


def _checked(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 400:
        raise ApiRefused(response.status_code, _reason(response), _code(response))
    return response


# Figures many people look at and no one needs to the second (the rates tables of a dashboard): kept this long, by
# what the API scopes them by (the kind and subject acted as, never the person), so ten leaders opening the
# dashboard cost the records one computation, not ten.
SHARED_FIGURES_SECONDS = 15.0
SHARED_FIGURES_KEPT = 256
# The district's boundaries change when an admin imports a new version (rarely) and are the same for every reader:
# kept once for everyone, this long (a new version shows on the dashboard at most this late).
BOUNDARIES_SECONDS = 600.0
BOUNDARIES_PATH = "/v1/boundaries"


class ConsoleApi:
    """One HTTP connection pool to intake, shared by every page."""

    def __init__(
        self, base_url: str, console_key: str, *, timeout: float, figures_seconds: float = SHARED_FIGURES_SECONDS
    ) -> None:
        self._figures: TTLCache[tuple[str, ...], Any] = TTLCache(maxsize=SHARED_FIGURES_KEPT, ttl=figures_seconds)
        self._boundaries: TTLCache[str, Any] = TTLCache(maxsize=1, ttl=BOUNDARIES_SECONDS)
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {console_key}"},
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    def use_transport(self, transport: httpx.AsyncBaseTransport) -> None:
        """Talk through another transport (tests of the console's own logic, with an HTTP stand-in for the API)."""
        self._http = httpx.AsyncClient(base_url=self._http.base_url, headers=self._http.headers, transport=transport)

    async def close(self) -> None:
        await self._http.aclose()

    def acting_for(self, staff: Staff) -> StaffApi:
        return StaffApi(self._http, staff.acting_headers(), self._figures, self._boundaries)

    async def who_holds(self, api_key: str) -> CallerView:
        """Whom an API key belongs to (development sign-in), by the API's own `GET /v1/me`."""
        try:
            response = await self._http.get("/v1/me", headers={"Authorization": f"Bearer {api_key}"})
        except httpx.HTTPError as error:
            raise ApiRefused(503, f"the API does not answer: {type(error).__name__}") from error
        return CallerView.model_validate(_checked(response).json())

    async def healthy(self) -> bool:
        try:
            return (await self._http.get("/livez", timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False


@dataclass(frozen=True)
class StaffApi:
    """The API as one signed-in person."""

    _http: httpx.AsyncClient
    _headers: dict[str, str]
    _figures: TTLCache[tuple[str, ...], Any] | None = None
    _boundaries: TTLCache[str, Any] | None = None

    async def request(self, method: str, path: str, *, params: Any = None, body: Any = None) -> httpx.Response:
        try:
            response = await self._http.request(method, path, params=params, json=body, headers=self._headers)
        except httpx.HTTPError as error:
            raise ApiRefused(503, f"the API does not answer: {type(error).__name__}") from error
        return _checked(response)

    async def get(self, path: str, **params: Any) -> Any:
        clean = {key: value for key, value in params.items() if value not in (None, "", [])}
        return (await self.request("GET", path, params=clean)).json()

    async def figures(self, path: str, **params: Any) -> Any:
        """A GET of shared figures (`SHARED_FIGURES_SECONDS`): the same answer for everyone acting as this kind and
        subject, read once in that time."""
        clean = {key: value for key, value in params.items() if value not in (None, "", [])}
        scope = (self._headers["X-Hotline-Acting-Kind"], self._headers["X-Hotline-Acting-Subject"])
        key = (*scope, path, repr(sorted(clean.items())))
        if self._figures is not None and key in self._figures:
            return self._figures[key]
        found = await self.get(path, **clean)
        if self._figures is not None:
            self._figures[key] = found
        return found

    async def boundaries(self) -> dict[str, Any]:
        """The district's boundaries in force (GeoJSON FeatureCollection, WGS-84), read once for everyone in
        `BOUNDARIES_SECONDS`: any signed-in person may read them, and they are the same for all."""
        if self._boundaries is not None and BOUNDARIES_PATH in self._boundaries:
            cached: dict[str, Any] = self._boundaries[BOUNDARIES_PATH]
            return cached
        found: dict[str, Any] = await self.get(BOUNDARIES_PATH)
        if self._boundaries is not None:
            self._boundaries[BOUNDARIES_PATH] = found
        return found

    async def post(self, path: str, body: Any = None) -> Any:
        response = await self.request("POST", path, body=body if body is not None else {})
        return response.json() if response.content else None

    async def put(self, path: str, body: Any) -> Any:
        response = await self.request("PUT", path, body=body)
        return response.json() if response.content else None

    async def delete(self, path: str) -> Any:
        response = await self.request("DELETE", path)
        return response.json() if response.content else None

    @asynccontextmanager
    async def stream(self, path: str, params: Any) -> AsyncIterator[httpx.Response]:
        """A download passed through as it comes (the centre's export)."""
        request = self._http.build_request("GET", path, params=params, headers=self._headers)
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as error:
            raise ApiRefused(503, f"the API does not answer: {type(error).__name__}") from error
        try:
            if response.status_code >= 400:
                await response.aread()
                _checked(response)
            yield response
        finally:
            await response.aclose()
