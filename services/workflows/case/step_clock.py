"""The time of the step a case is taking (workflow code): every change one step makes bears the same time."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow


class StepClock:
    def __init__(self) -> None:
        self._step_at: datetime | None = None

    def begin(self, at: datetime) -> None:
        """A step begins (an action, the alarms, the opening), taken at `at`."""
        self._step_at = at

    def now(self) -> datetime:
        """The time of the step being taken: taken when the step began, before it waited for anything.

        Not `workflow.now()` once a local activity has answered: a worker running the step may get the answer in a
        later workflow task (its time moves on to that task's) where a worker replaying it gets the answer at once
        (its time is the activity's end), so the same step would show other times once replayed (a query on a
        closed case is answered by replaying it) than it published on the case event log (seen under heavy load,
        for the opening of some cases in twenty)."""
        return self._step_at or workflow.now()
