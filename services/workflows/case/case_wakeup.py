"""When a case's run loop wakes (workflow code): its next alarm falls due, or an action has changed the case."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.workflows.case.case_alarms import next_alarm
    from services.workflows.case.case_state import CaseState


class CaseWakeup:
    def __init__(self) -> None:
        self._changed = False
        # When the last action that woke the run loop was taken: the time its alarms are then checked at.
        self._changed_at = workflow.now()

    def changed(self, at: datetime) -> None:
        """An action changed the case; `at`: its time, taken before it waited for the case."""
        self._changed, self._changed_at = True, at

    async def wait(self, view: CaseState, now: datetime) -> datetime:
        """Until the next alarm is due or an action has changed the case; the time to check the alarms at (the
        timer's, or the action's: see `StepClock.now`). `now`: the time of the step last taken."""
        alarm = next_alarm(view)
        self._changed = False
        if alarm is None:
            await workflow.wait_condition(lambda: self._changed)
            return self._changed_at
        remaining = alarm.at - now
        if remaining <= timedelta(0):
            return now
        try:
            await workflow.wait_condition(lambda: self._changed, timeout=remaining)
        except TimeoutError:
            return workflow.now()
        return self._changed_at
