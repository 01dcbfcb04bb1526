"""The filters of Open311's `GET requests` in our words (pure): its two statuses as ours, its date-times, and its
90-day window."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, TypeAdapter, ValidationError

from services.contracts.cases import CaseStatus
from services.intake.open311_mapping import CLOSED_STATUSES, OPEN_STATUSES, Open311InputError, Open311Status

# A search window of at most 90 days, by default the last 90 days (the spec's).
SEARCH_WINDOW = timedelta(days=90)


def statuses_for(values: str | None) -> list[CaseStatus]:
    """The `status` filter (`open`, `closed`, comma-delimited) as our statuses; [] for every status."""
    if not values:
        return []
    wanted: set[CaseStatus] = set()
    for value in (v.strip() for v in values.split(",")):
        if value == Open311Status.OPEN:
            wanted |= OPEN_STATUSES
        elif value == Open311Status.CLOSED:
            wanted |= CLOSED_STATUSES
        else:
            raise Open311InputError("status", f"{value!r} is neither 'open' nor 'closed'")
    return [] if wanted == set(CaseStatus) else sorted(wanted)


_INSTANT = TypeAdapter(AwareDatetime)


def instant(name: str, raw: str | None) -> datetime | None:
    """A w3 date-time parameter (with its time zone), or None when not given."""
    if not raw:
        return None
    try:
        return _INSTANT.validate_python(raw)
    except ValidationError as exc:
        raise Open311InputError(name, f"{raw!r} is not a date-time with a time zone (2026-12-01T00:00:00Z)") from exc


def search_window(start: datetime | None, end: datetime | None, *, now: datetime) -> tuple[datetime, datetime]:
    """The spec's window: both ends default to the last 90 days, and it may not span more."""
    if start is None and end is None:
        return now - SEARCH_WINDOW, now
    if start is None:
        assert end is not None
        start = end - SEARCH_WINDOW
    if end is None:
        end = min(now, start + SEARCH_WINDOW) if start < now else start + SEARCH_WINDOW
    if end <= start:
        raise Open311InputError("end_date", "must be later than start_date")
    if end - start > SEARCH_WINDOW:
        raise Open311InputError("end_date", "the window may not span more than 90 days")
    return start, end
