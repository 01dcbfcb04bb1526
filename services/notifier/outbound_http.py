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

from services.contracts.outbound_targets import OutboundTargets
from services.engines.outbound_guard import UnresolvableHost, guarded_session, refuse_target
from services.notifier.receiver_breakers import ReceiverBreakers, receiver_of


class OutboundHttpError(Exception):
    """The request got no HTTP answer: the connection failed, timed out, or was cut."""


class ReceiverHeld(OutboundHttpError):
    """Not sent: the receiver's circuit breaker is open; try again in `retry_after` seconds."""

    def __init__(self, receiver: str, retry_after: float) -> None:
        super().__init__(f"Held: {receiver} keeps failing; next probe in {retry_after:.0f} s")
        self.retry_after = retry_after


class TargetRefused(OutboundHttpError):
    """Not sent: the URL leads into a network the system may not send to (see `OutboundTargets`)."""


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
    """Use as `async with OutboundHttp(timeout_seconds=...) as http:`; the session closes on exit.

    `targets`: where it may send (checked by the addresses a host resolves to at each request; None: anywhere);
    `breakers`: the receivers' circuit breakers (None: none).
    """

    def __init__(
        self,
        *,
        timeout_seconds: float,
        max_connections: int = 100,
        targets: OutboundTargets | None = None,
        breakers: ReceiverBreakers | None = None,
    ) -> None:
        self._timeout_seconds = timeout_seconds
        self._max_connections = max_connections
        self._targets = targets
        self._breakers = breakers
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> OutboundHttp:
        self._session = guarded_session(
            self._targets, timeout_seconds=self._timeout_seconds, max_connections=self._max_connections
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAnswer:
        """POST `body`; the answer whatever its status, or OutboundHttpError when there was none (ReceiverHeld
        when the receiver's breaker holds it, TargetRefused when the URL leads where the system may not send)."""
        assert self._session is not None, "used inside `async with`"
        await self._check_target(url)
        if self._breakers is None:
            return await self._post(url, body, headers)
        receiver = receiver_of(url)
        held = self._breakers.admit(receiver)
        if held is not None:
            raise ReceiverHeld(receiver, held)
        alive = False
        try:
            answer = await self._post(url, body, headers)
            alive = answer.status_code < 500 and answer.status_code != 429
            return answer
        finally:
            # Also when cancelled: a probe never recorded would hold the receiver's events for good.
            self._breakers.record(receiver, alive=alive)

    async def _check_target(self, url: str) -> None:
        try:
            refusal = await refuse_target(self._targets, url)
        except UnresolvableHost as exc:
            raise OutboundHttpError(f"ConnectError: {exc}") from exc
        if refusal is not None:
            raise TargetRefused(f"Refused: {refusal} (HOTLINE_OUTBOUND_ALLOWED_NETWORKS lists the ones allowed)")

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAnswer:
        assert self._session is not None
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
