"""A circuit breaker per receiver (a URL's scheme, host and port): a receiver that keeps failing gets one probe per
interval, not one attempt per event.

Without it, a unit's server that is down gets every event of every case retried at it, each waiting out the
timeout: the notifier's connections and time go to the one receiver that cannot take them. With it, after
`failures` failures in a row the receiver is *open*: its events are held (they wait in the stream with a delay until
the next probe; nothing is lost or counted as an attempt), and once per `probe_seconds` one delivery goes through as
the probe. The probe's success closes the breaker; its failure opens it for another interval.

Hand-kept rather than a library's (purgatory, pybreaker, aiobreaker): those let every concurrent call through while
half-open and say "open" by raising, where the notifier needs exactly one probe in flight and the time until the next
one, which becomes the held event's redelivery delay. State is per notifier process: each instance probes for
itself, which is at most one probe per instance per interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from prometheus_client import Enum

BREAKER_STATE = Enum(
    "hotline_notifier_receiver_breaker",
    "Circuit breaker of each receiver (scheme://host:port): closed, open (its events held) or half_open (probing).",
    ["receiver"],
    states=["closed", "open", "half_open"],
)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


def receiver_of(url: str) -> str:
    """The receiver a URL names: scheme, host and port (never its path or query, which may hold a robot's token)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "invalid"
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}:{port}" if port is not None else f"{parts.scheme}://{host}"


@dataclass
class _Receiver:
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False

    def state(self) -> BreakerState:
        if self.opened_at is None:
            return BreakerState.CLOSED
        return BreakerState.HALF_OPEN if self.probing else BreakerState.OPEN


class ReceiverBreakers:
    """Use `admit` before a request and `record` after it."""

    def __init__(
        self,
        *,
        failures: int,
        probe_seconds: float,
        probe_timeout_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = failures
        self._interval = probe_seconds
        self._probe_timeout = probe_timeout_seconds
        self._clock = clock
        self._receivers: dict[str, _Receiver] = {}

    def state(self, receiver: str) -> BreakerState:
        known = self._receivers.get(receiver)
        return known.state() if known is not None else BreakerState.CLOSED

    def admit(self, receiver: str) -> float | None:
        """None when a request to `receiver` may go now (perhaps as its probe); else seconds to hold it."""
        known = self._receivers.get(receiver)
        if known is None or known.opened_at is None:
            return None
        if known.probing:
            # A probe is in flight: come back when it has had time to answer.
            return self._probe_timeout + 1.0
        due = known.opened_at + self._interval - self._clock()
        if due > 0:
            return due
        known.probing = True
        self._publish(receiver, known)
        return None

    def record(self, receiver: str, *, alive: bool) -> None:
        """Whether the receiver answered as a live receiver does (any answer but 5xx or 429)."""
        known = self._receivers.setdefault(receiver, _Receiver())
        if alive:
            if known.failures or known.opened_at is not None:
                self._receivers[receiver] = _Receiver()
                self._publish(receiver, self._receivers[receiver])
            return
        known.failures += 1
        if known.probing or known.failures >= self._threshold:
            known.opened_at, known.probing = self._clock(), False
        self._publish(receiver, known)

    @staticmethod
    def _publish(receiver: str, known: _Receiver) -> None:
        BREAKER_STATE.labels(receiver).state(known.state().value)
