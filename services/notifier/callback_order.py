"""Platform callbacks in per-case order: a callback goes out only after the one before it was acknowledged.

Each platform event names the sequence of the previous one (`previous_sequence`); the `callback_progress`
bucket holds, per case, the last sequence acknowledged. Holds across notifier instances and restarts.
"""

from __future__ import annotations

from enum import StrEnum

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from services.contracts.events import NotificationEvent


class Turn(StrEnum):
    NOW = "now"
    WAIT = "wait"
    DONE = "done"


class CallbackOrder:
    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket

    async def turn(self, event: NotificationEvent) -> Turn:
        """Whether this callback may go now, must wait for an earlier one, or was already sent."""
        sent = await self._last_sent(event.case_id)
        if sent >= event.sequence:
            return Turn.DONE
        if event.previous_sequence is None or sent >= event.previous_sequence:
            return Turn.NOW
        return Turn.WAIT

    async def sent(self, event: NotificationEvent) -> None:
        """Record the callback as acknowledged (never moving the mark backwards)."""
        # Compare-and-set until it holds: a conflict means another instance moved the mark, so each round either
        # finds the mark already past this callback or writes it. Giving up would leave the case's later callbacks
        # waiting for one that was in fact acknowledged.
        while True:
            try:
                entry = await self._bucket.get(event.case_id)
            except KeyNotFoundError:
                try:
                    await self._bucket.create(event.case_id, str(event.sequence).encode())
                    return
                except KeyWrongLastSequenceError:
                    continue
            if int(entry.value or b"0") >= event.sequence:
                return
            try:
                await self._bucket.update(event.case_id, str(event.sequence).encode(), last=entry.revision)
                return
            except KeyWrongLastSequenceError:
                continue

    async def _last_sent(self, case_id: str) -> int:
        try:
            entry = await self._bucket.get(case_id)
        except KeyNotFoundError:
            return 0
        return int(entry.value or b"0")
