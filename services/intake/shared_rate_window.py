"""Rate-limit counts shared by every intake instance, kept in NATS JetStream: a client gets its limit once, not once
per replica behind the load balancer.

NATS rather than Redis: the system already runs a NATS cluster with a quorum (R3), and a Redis would be one more
engine to run, secure, back up and watch, for counts that may be lost without harm. JetStream's counters (a stream
with `allow_msg_counter`, nats-server 2.12+) add atomically on the server: one publish with `Nats-Incr: +1` answers
the new count, so a hit costs one round trip and no read-modify-write race between replicas.

The window is a sliding-window counter (as the `limits` library's `SlidingWindowCounterRateLimiter`): a count per
fixed window (the window's start is in the subject, `ratelimit.<hash of client and limit>.<window number>`) and the
estimate `previous × (1 − elapsed share) + current`; the previous window's final count is read once per window and
kept. Windows older than two of the longest limit's fall out by the stream's `max_age`. A refused request is taken
back off the count, as the in-memory moving window does not count it either.

Fail open: when NATS does not answer within `timeout_seconds` the request is let through (and counted in
`hotline_rate_limit_unavailable_total`): without NATS, intake can take no ticket anyway, and reads must not fail
for want of a counter.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence

import nats.errors
import structlog
from cachetools import TTLCache
from limits import RateLimitItem
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from prometheus_client import Counter

from services.contracts.subjects import RATE_LIMIT_PREFIX, rate_limit_stream
from services.engines.jetstream import declare_streams

log = structlog.get_logger(__name__)

UNAVAILABLE = Counter(
    "hotline_rate_limit_unavailable_total",
    "Requests let through because the shared rate-limit counts in NATS did not answer in time (fail open).",
)

_INCREMENT = {"Nats-Incr": "+1"}
_DECREMENT = {"Nats-Incr": "-1"}


class SharedRateWindow:
    """`await start(js)` once connected; then `hit` and `seconds_until_free` from every request."""

    def __init__(
        self,
        limits: Sequence[RateLimitItem],
        *,
        replicas: int = 1,
        timeout_seconds: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._limits = list(limits)
        self._replicas = replicas
        self._timeout = timeout_seconds
        self._clock = clock
        self._js: JetStreamContext | None = None
        longest = max((item.get_expiry() for item in self._limits), default=60)
        self._spec = rate_limit_stream(window_seconds=longest)
        # Final counts of finished windows, per subject: read once, then kept for the window that follows.
        self._previous: TTLCache[str, int] = TTLCache(maxsize=200_000, ttl=2 * longest)

    async def start(self, js: JetStreamContext) -> None:
        """Declare the counters' stream (in memory, replicated) and begin counting."""
        await declare_streams(js, replicas=self._replicas, streams=[self._spec])
        self._js = js

    async def hit(self, item: RateLimitItem, client: str) -> bool:
        """Count a request; False (and not counted) when the client is over the limit."""
        if self._js is None:
            return True
        window = item.get_expiry()
        now = self._clock()
        number, elapsed = divmod(now, window)
        base = _subject_base(item, client)
        try:
            async with asyncio.timeout(self._timeout):
                current = await self._add(f"{base}.{int(number)}", _INCREMENT)
                previous = await self._final_count(f"{base}.{int(number) - 1}")
                if estimate(window=window, elapsed=elapsed, previous=previous, current=current) <= item.amount:
                    return True
                await self._add(f"{base}.{int(number)}", _DECREMENT)
                return False
        except (TimeoutError, nats.errors.Error) as exc:
            UNAVAILABLE.inc()
            log.warning("rate_limit.unavailable", error=repr(exc))
            return True

    async def seconds_until_free(self, item: RateLimitItem, client: str) -> int:
        """Whole seconds until a request of the client would be taken again (at least 1)."""
        window = item.get_expiry()
        number, elapsed = divmod(self._clock(), window)
        base = _subject_base(item, client)
        try:
            async with asyncio.timeout(self._timeout):
                current = await self._count(f"{base}.{int(number)}")
                previous = await self._final_count(f"{base}.{int(number) - 1}")
        except (TimeoutError, nats.errors.Error):
            return 1
        wait = seconds_until_room(
            amount=item.amount, window=window, elapsed=elapsed, previous=previous, current=current
        )
        return max(1, math.ceil(wait))

    async def _add(self, subject: str, headers: dict[str, str]) -> int:
        assert self._js is not None
        ack = await self._js.publish(subject, b"", headers=headers)
        return int(ack.val or 0)

    async def _count(self, subject: str) -> int:
        assert self._js is not None
        try:
            message = await self._js.get_last_msg(self._spec.name, subject)
        except NotFoundError:
            return 0
        # A counter's message holds its total as {"val": "<n>"}.
        return int(_json_val(message.data or b""))

    async def _final_count(self, subject: str) -> int:
        known = self._previous.get(subject)
        if known is None:
            known = self._previous[subject] = await self._count(subject)
        return known


def estimate(*, window: float, elapsed: float, previous: int, current: int) -> float:
    """Requests in the sliding window ending now: the previous window's count weighted by its share still inside."""
    return previous * (1 - elapsed / window) + current


def seconds_until_room(*, amount: int, window: float, elapsed: float, previous: int, current: int) -> float:
    """Seconds until one more request fits (`estimate` with it at most `amount`); 0 when it fits now."""
    if current + 1 <= amount:
        if previous <= 0:
            return 0.0
        # Still in this window: the previous window's weight must fall far enough.
        within = window * (1 - (amount - current - 1) / previous) - elapsed
        if within < window - elapsed:
            return max(0.0, within)
    # In the next window this one is the previous: its weight must fall below what leaves room for one.
    into_next = window * (1 - (amount - 1) / current) if current > 0 else 0.0
    return window - elapsed + max(0.0, into_next)


def _subject_base(item: RateLimitItem, client: str) -> str:
    # The client (a key's hash, a person's name, an address) and the limit, hashed into one subject token.
    digest = hashlib.sha256(f"{client}|{item}".encode()).hexdigest()[:32]
    return f"{RATE_LIMIT_PREFIX}.{digest}"


def _json_val(data: bytes) -> str:
    value = json.loads(data or b"{}").get("val", "0")
    return str(value)
