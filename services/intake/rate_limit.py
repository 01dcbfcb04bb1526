"""ASGI middleware limiting each client's request rate: 429 with `Retry-After` once its share is used.

A client is the API key it presents (`Authorization: Bearer` or `X-API-Key`; only a hash of it is kept, and it is
never logged) or, without one, its IP address. The key is counted as presented, before it is verified: a caller
inventing keys gets a fresh share each time, but also a 401 each time; shielding the service from unauthenticated
floods is the edge proxy's job.

A staff console's key (services/console/) speaks for many people: its requests are counted per person it names
(`X-Hotline-Acting-Person`), each with the same share as a key of their own. The key's kind is checked for that
(only when the header is there), so another client cannot win fresh shares by naming invented persons.

Counts are shared by every intake instance through NATS (`shared_rate_window.py`, the default), so a client gets its
limit once behind a load balancer, not once per replica; `HOTLINE_INTAKE_RATE_LIMIT_SHARED=false` counts in this
process's memory instead (a moving window, `MemoryWindow`).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol
from urllib.parse import parse_qs

import structlog
from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from services.contracts.problem_codes import ProblemCode
from services.intake.problem_details import refusal_body

log = structlog.get_logger(__name__)

# Probes and scraping are not clients' requests: an orchestrator must never be told to back off.
UNLIMITED_PATHS = frozenset({"/healthz", "/livez", "/metrics"})

RATE_LIMITED = Counter(
    "hotline_rate_limited_requests_total", "Requests refused with 429, by what the client was known by.", ["by"]
)


# Whether a presented key is a console's (whose requests are counted per person they name).
IsConsoleKey = Callable[[Scope, str], Awaitable[bool]]
ACTING_PERSON = b"x-hotline-acting-person"


# Open311 clients send their key as a parameter (`api_key`): in the query of their reads, counted as that key. (In a
# POST's form it is not: the body is not read before the limit, so such a request counts by its address.)
OPEN311_PREFIX = "/open311/"


def presented_key(scope: Scope) -> str:
    headers = dict(scope.get("headers") or [])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    key = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
    key = key or headers.get(b"x-api-key", b"").decode("latin-1").strip()
    if not key and str(scope.get("path", "")).startswith(OPEN311_PREFIX):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        key = (query.get("api_key") or [""])[0].strip()
    return key


def client_identity(scope: Scope, *, person: str | None = None) -> str:
    """Who is asking, for counting: `key:<sha256 of the API key>` (`…:<person>` for a console acting for one),
    else `ip:<address>`."""
    key = presented_key(scope)
    if key:
        hashed = f"key:{hashlib.sha256(key.encode()).hexdigest()}"
        return f"{hashed}:{person}" if person else hashed
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


class Limiter(Protocol):
    """Counts requests per client and limit."""

    async def hit(self, item: RateLimitItem, client: str) -> bool:
        """Count a request; False when the client is over the limit (and the request is not counted)."""
        ...

    async def seconds_until_free(self, item: RateLimitItem, client: str) -> int:
        """Whole seconds until the client's next request would be taken (at least 1)."""
        ...


class MemoryWindow:
    """A moving window in this process's memory: each intake instance counts on its own."""

    def __init__(self, storage: Storage | None = None) -> None:
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())

    async def hit(self, item: RateLimitItem, client: str) -> bool:
        return await self._limiter.hit(item, client)

    async def seconds_until_free(self, item: RateLimitItem, client: str) -> int:
        stats = await self._limiter.get_window_stats(item, client)
        return max(1, math.ceil(stats.reset_time - time.time()))


class RateLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limits: Sequence[RateLimitItem],
        unlimited_paths: frozenset[str] = UNLIMITED_PATHS,
        limiter: Limiter | None = None,
        is_console_key: IsConsoleKey | None = None,
    ) -> None:
        self._app = app
        self._is_console_key = is_console_key
        self._limits = list(limits)
        self._unlimited = unlimited_paths
        self._limiter: Limiter = limiter or MemoryWindow()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._limits or scope["path"] in self._unlimited:
            await self._app(scope, receive, send)
            return
        client = client_identity(scope, person=await self._person(scope))
        exceeded = [item for item in self._limits if not await self._limiter.hit(item, client)]
        if not exceeded:
            await self._app(scope, receive, send)
            return
        retry_after = max([await self._limiter.seconds_until_free(item, client) for item in exceeded])
        limit = "; ".join(str(item) for item in exceeded)
        by = client.split(":", 1)[0]
        RATE_LIMITED.labels(by).inc()
        # A prefix of the hash tells clients apart in the logs without being usable as, or leading back to, a key.
        log.warning(
            "rate_limit.exceeded",
            client=client[:16] if by == "key" else client,
            path=scope["path"],
            limit=limit,
            retry_after=retry_after,
        )
        detail = f"rate limit exceeded: {limit} per client; retry after {retry_after} s"
        await _refuse(send, *refusal_body(ProblemCode.RATE_LIMITED, 429, detail, path=scope["path"]), retry_after)

    async def _person(self, scope: Scope) -> str | None:
        """The person a console key acts for, when the request names one and its key is a console's."""
        person = dict(scope.get("headers") or []).get(ACTING_PERSON)
        if not person or self._is_console_key is None:
            return None
        key = presented_key(scope)
        return person.decode("latin-1")[:128] if key and await self._is_console_key(scope, key) else None


async def _refuse(send: Send, media_type: str, body: bytes, retry_after: int) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
