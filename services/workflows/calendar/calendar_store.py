"""The current working calendar: the library's years plus the schedules operators loaded into NATS KV.

Watches the bucket, so a loaded schedule takes effect without a restart, and then asks every open case whose
deadlines are provisional to count them again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from nats.js.kv import KeyValue
from pydantic import ValidationError

from services.contracts.holiday_schedule import HolidaySchedule
from services.engines.jetstream import kv_updates
from services.workflows.calendar.working_calendar import WorkingCalendar

log = structlog.get_logger(__name__)

OnChange = Callable[[], Awaitable[None]]


class CalendarStore:
    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket
        self._schedules: dict[int, HolidaySchedule] = {}
        self._calendar = WorkingCalendar()

    def current(self) -> WorkingCalendar:
        return self._calendar

    def loaded_years(self) -> list[int]:
        return sorted(self._schedules)

    async def watch(self, *, stop: asyncio.Event, on_change: OnChange) -> None:
        """Keep the calendar up to date until `stop`; call `on_change` after the initial load and each change."""
        initial = True
        async for entry in kv_updates(self._bucket, stop=stop):
            if entry is None:  # the end of the values already stored
                initial = False
                log.info("calendar.loaded", years=self.loaded_years())
                if self._schedules:
                    # A schedule may have been loaded while this service was down: recount now (idempotent).
                    await on_change()
            elif self._apply(entry.key, entry.value) and not initial:
                await on_change()

    def _apply(self, key: str, value: bytes | None) -> bool:
        try:
            year = int(key)
        except ValueError:
            log.warning("calendar.bad_key", key=key)
            return False
        if not value:
            self._schedules.pop(year, None)
        else:
            try:
                self._schedules[year] = HolidaySchedule.model_validate_json(value)
            except ValidationError as exc:
                log.error("calendar.bad_schedule", year=year, errors=exc.error_count())
                return False
        self._calendar = WorkingCalendar(self._schedules)
        log.info("calendar.schedule_changed", year=year, loaded_years=self.loaded_years())
        return True
