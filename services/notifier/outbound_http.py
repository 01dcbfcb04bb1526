"""The notifier's outbound HTTP: one pooled aiohttp session for webhooks, robots, the SMS gateway and callbacks.

aiohttp rather than httpx: a POST costs the notifier about a quarter of the CPU (0.26–0.33 ms against 1.18–1.20 ms
a request, measured on these machines), and the notifier makes one or more for every event of every case. Channels
see only `post` and `HttpAnswer`, and failures in words of their own that do not change with the library.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp


class OutboundHttpError(Exception):
    """The request got no HTTP answer: the connection failed, timed out, or was cut."""


@dataclass(frozen=True)
class HttpAnswer:
    status_code: int
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.body)


class OutboundHttp:
    """Use as `async with OutboundHttp(timeout_seconds=...) as http:`; the session closes on exit."""

    def __init__(self, *, timeout_seconds: float, max_connections: int = 100) -> None:
        self._timeout_seconds = timeout_seconds
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> OutboundHttp:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self._timeout_seconds),
            connector=aiohttp.TCPConnector(limit=self._max_connections),
            trust_env=True,  # a city network's HTTP(S)_PROXY and NO_PROXY apply, as they did before
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAnswer:
        """POST `body`; the answer whatever its status, or OutboundHttpError when there was none."""
        assert self._session is not None, "used inside `async with`"
        try:
            async with self._session.post(url, data=body, headers=headers, allow_redirects=False) as response:
                return HttpAnswer(response.status, await response.read())
        except TimeoutError as exc:
            # aiohttp's own timeouts are TimeoutErrors too (and ClientErrors): this branch comes first.
            raise OutboundHttpError(f"Timeout: no answer within {self._timeout_seconds:g} s") from exc
        except aiohttp.ClientConnectorError as exc:
            raise OutboundHttpError(f"ConnectError: {exc}") from exc
        except aiohttp.ClientError as exc:
            raise OutboundHttpError(f"{type(exc).__name__}: {exc}") from exc
