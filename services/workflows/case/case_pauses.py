"""Deadlines that stand still while the case is out of its unit's hands, and run again when it is handed back.

Workflow code, run inside `FirstContactCase`. The rules are in docs/case-lifecycle.md ("When deadlines pause"); the
arithmetic is pure (`deadline_pauses`, counted in the deadline activities).
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_event_log import EventFields
    from services.contracts.case_policy import AfterPause
    from services.contracts.case_timeline import SYSTEM, TimelineAction
    from services.contracts.case_view import DeadlineKind
    from services.workflows.calendar.deadline_clock import DeadlineClock
    from services.workflows.calendar.deadline_pauses import Pause
    from services.workflows.case.case_engine import CaseEngine

# What the unit owes the caller; while the coordination centre arbitrates it cannot act on them. The centre's own
# arbitration deadline keeps running.
PAUSED_FOR_ARBITRATION = (DeadlineKind.FEEDBACK, DeadlineKind.RESOLUTION)


def pause(engine: CaseEngine, kinds: tuple[DeadlineKind, ...]) -> None:
    """Stop the clocks of these deadlines (those still open): no reminder, breach, chase-up or escalation step."""
    now = engine.now()
    for kind in kinds:
        clock = engine.view.tracked(kind)
        if clock is None or not clock.open or clock.paused_at is not None:
            continue
        clock.paused_at = now
        engine.record(
            SYSTEM,
            TimelineAction.DEADLINE_PAUSED,
            f"{kind.value} due {clock.due.isoformat()}",
            fields=EventFields(deadline_kind=kind.value, due=clock.due),
        )


async def resume(engine: CaseEngine, how: AfterPause) -> None:
    """Run the stopped clocks again from now: with the time each had left, or with its whole window."""
    paused = [clock for clock in engine.view.tracked_deadlines if clock.open and clock.paused_at is not None]
    if not paused:
        return
    # Once for all: the clock moves on while each is counted (an activity), but they were handed back together.
    now = engine.now()
    if how is AfterPause.RESTART:
        # New clocks replace the stopped ones; a breach already recorded stays in the case's breaches.
        await engine.start_deadlines([clock.kind for clock in paused], start=now)
    else:
        for clock in paused:
            await _resume(engine, clock, now)
    for clock in paused:
        current = engine.view.tracked(clock.kind)
        assert current is not None
        engine.record(
            SYSTEM,
            TimelineAction.DEADLINE_RESUMED,
            f"{clock.kind.value} due {current.due.isoformat()} ({how.value})",
            fields=EventFields(deadline_kind=clock.kind.value, due=current.due),
        )


async def _resume(engine: CaseEngine, clock: DeadlineClock, now: datetime) -> None:
    assert clock.paused_at is not None
    clock.pauses.append(Pause(paused_at=clock.paused_at, resumed_at=now))
    clock.paused_at = None
    if clock.breached_at is None:
        counted = await engine.recount(clock)
        clock.due = counted.due
        clock.provisional = counted.provisional
        clock.provisional_years = counted.provisional_years
        clock.reminders = [r for r in counted.reminders if r > now]
        clock.reminders_sent = 0
        return
    # Missed before the pause: it stays missed, and what follows a breach counts from the hand-back.
    if not clock.chase_up_sent:
        clock.chase_up_at = await engine.next_working_day_start(now)
    if clock.next_escalation_at is not None:
        start = now if clock.chase_up_sent or clock.chase_up_at is None else clock.chase_up_at
        clock.next_escalation_at = (await engine.compute(start, engine.policy.chase_up_window)).due
