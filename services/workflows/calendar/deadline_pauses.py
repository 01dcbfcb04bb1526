"""Deadlines whose clock stood still while the case was out of its unit's hands (pure).

A pause moves a due time by what the unit did not get: for a working-day window, the working-day time left from the
pause to the due time, counted again from the resume; for an hours window (around the clock), the pause's length.
A due time already passed when the clock stopped stays where it was: that deadline was missed before the pause.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import AwareDatetime, BaseModel, ConfigDict

from services.workflows.calendar.working_calendar import WorkingCalendar, WorkingDeadline


class Pause(BaseModel):
    """A span in which a deadline's clock stood still."""

    model_config = ConfigDict(frozen=True)

    paused_at: AwareDatetime
    resumed_at: AwareDatetime


def due_after_pause(
    calendar: WorkingCalendar, due: WorkingDeadline, pause: Pause, *, working_days: bool
) -> WorkingDeadline:
    """`due` once its clock has stood still through `pause` (see the module's docstring)."""
    if due.at <= pause.paused_at:
        return due
    if not working_days:
        return due.model_copy(update={"at": due.at + (pause.resumed_at - pause.paused_at)})
    left = calendar.working_time_between(pause.paused_at, due.at)
    moved = calendar.add_working_time(pause.resumed_at, left)
    # The time left was counted over days the old due time was counted over: a guessed year there is one here too.
    years = sorted(set(due.provisional_years) | set(moved.provisional_years))
    return WorkingDeadline(at=moved.at, provisional=bool(years), provisional_years=years)


def due_after_pauses(
    calendar: WorkingCalendar, due: WorkingDeadline, pauses: Sequence[Pause], *, working_days: bool
) -> WorkingDeadline:
    """`due` moved by each pause in turn (they are recorded in the order they happened)."""
    for pause in pauses:
        due = due_after_pause(calendar, due, pause, working_days=working_days)
    return due
