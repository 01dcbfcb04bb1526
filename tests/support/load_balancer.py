"""A round-robin load balancer for a test's API client: requests go to each intake in turn, and one that does not
answer (killed, restarting) is passed over, as a Kubernetes Service passes over a pod that failed its probe."""

from __future__ import annotations

import itertools

import httpx


class RoundRobin(httpx.AsyncBaseTransport):
    def __init__(self, base_urls: list[str]) -> None:
        self._targets = [httpx.URL(url) for url in base_urls]
        self._turn = itertools.cycle(range(len(self._targets)))
        self._transport = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        first = next(self._turn)
        error: httpx.TransportError | None = None
        for offset in range(len(self._targets)):
            target = self._targets[(first + offset) % len(self._targets)]
            request.url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
            try:
                return await self._transport.handle_async_request(request)
            except httpx.ConnectError as exc:  # nothing was sent: another intake may take it
                error = exc
        assert error is not None
        raise error

    async def aclose(self) -> None:
        await self._transport.aclose()
