"""A KV bucket's values held in memory, parsed, kept current by a watch: for records read on every message or
request and changed rarely (a unit's channels, an API key).

Two guards keep a held value from being wrong for long: a key not held is read from the bucket (nothing is ever
decided on a guess), and a value held longer than `max_age_seconds` is read again, so a watch that died quietly
(a lost connection, a server restart) cannot keep an old value in use.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import structlog
from nats.js.errors import InvalidKeyError, KeyNotFoundError
from nats.js.kv import KeyValue
from pydantic import ValidationError

from services.engines.jetstream import kv_updates

log = structlog.get_logger(__name__)

T = TypeVar("T")
DEFAULT_MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True)
class _Held(Generic[T]):
    value: T | None  # None: deleted (held, so that a put the watch delivers late cannot bring it back)
    revision: int
    at: float


class HeldBucket(Generic[T]):
    def __init__(
        self,
        bucket: KeyValue,
        parse: Callable[[bytes], T],
        *,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bucket = bucket
        self._parse = parse
        self._max_age = max_age_seconds
        self._clock = clock
        self._held: dict[str, _Held[T]] = {}

    async def get(self, key: str) -> T | None:
        """The key's value, or None when the bucket has none (never stored, deleted, or a name no key can have).

        A key found in no entry is not held: keys asked for that name nothing (an API key made up by a caller) would
        otherwise grow the memory without bound. An unreadable stored value raises (pydantic's `ValidationError`)
        each time, as a read of the bucket would.
        """
        held = self._held.get(key)
        if held is not None and self._clock() - held.at < self._max_age:
            return held.value
        try:
            entry = await self.bucket.get(key)
        except (KeyNotFoundError, InvalidKeyError):
            self._held.pop(key, None)
            return None
        return self.note(key, entry.value, entry.revision or 0, strict=True)

    def note(self, key: str, value: bytes | None, revision: int, *, strict: bool = False) -> T | None:
        """Take the key's entry at `revision`, just written or seen by the watch (no value: deleted); the key's value
        now. An older revision than the one held changes nothing (the watch lags behind this instance's writes).

        An unreadable value is not held (every read goes to the bucket and fails on it); `strict` raises its error.
        """
        held = self._held.get(key)
        if held is not None and revision < held.revision:
            return held.value
        try:
            parsed = self._parse(value) if value else None
        except ValidationError as exc:
            self._held.pop(key, None)
            if strict:
                raise
            log.warning("held_bucket.unreadable", key=key, revision=revision, error=str(exc)[:300])
            return None
        self._held[key] = _Held(parsed, revision, self._clock())
        return parsed

    async def follow(
        self, *, stop: asyncio.Event, on_change: Callable[[str, T | None], Awaitable[object]] | None = None
    ) -> None:
        """Keep the held values current until `stop`; `on_change(key, value)` is called for every entry seen (at
        start-up for every stored key, then for every change)."""
        async for entry in kv_updates(self.bucket, stop=stop):
            if entry is None:
                continue
            value = self.note(entry.key, entry.value, entry.revision or 0)
            if on_change is not None:
                await on_change(entry.key, value)
