"""`SpecialRectification` (专项整治): the coordination centre's campaign on a class of cases, until it closes it.

Pure orchestration. Opening claims the class (one open rectification a class; the `opened` Update answers once it
is open, or fails with the reason it is not), links the class's open cases, and tells the lead unit and the
participants. While open it:

- looks for cases that joined the class every `check_cases_every_hours` and links them;
- takes progress reports from the lead unit and the participants (`report_progress`); a cadence (a week) without
  one reminds the lead unit and tells the coordination centre, and the next is due a cadence later;
- tells the coordination centre once when the deadline passes;
- closes when the coordination centre closes it with its result (`close`), telling the units.

Every change is recorded to the `rectifications` table. Updates and the timers' work take turns (a lock): each
validator refuses with a reason, and the handler checks again under the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    # `import a.b.c as x`, not `from a.b import c`: the latter would import the module into the sandbox (the package
    # is the workflow's own, re-imported there), making a second RectificationState class in each run.
    import services.assessment.rectification.rectification_rules as checks
    import services.assessment.rectification.rectification_state as rules
    from services.assessment.notices import Subject, notice, publish
    from services.assessment.rectification.rectification_activities import (
        CheckCases,
        OpenRectification,
        RectificationActivities,
    )
    from services.assessment.rectification.rectification_rules import RectificationRefused
    from services.assessment.rectification.rectification_state import (
        Alarm,
        RectificationContinuation,
        RectificationInput,
        RectificationState,
    )
    from services.contracts.case_actions import COORDINATION_CENTRE
    from services.contracts.events import Audience, EventKind
    from services.contracts.problem_codes import ProblemCode
    from services.contracts.rectifications import (
        RECTIFICATION_CLOSE_UPDATE,
        RECTIFICATION_OPENED_UPDATE,
        RECTIFICATION_PROGRESS_UPDATE,
        RECTIFICATION_STATE_QUERY,
        RECTIFICATION_TYPE,
        ProgressEntry,
        RectificationClosing,
        RectificationProgress,
        RectificationStart,
        RectificationStatus,
        RectificationView,
    )

ACTIVITY_TIMEOUT = timedelta(seconds=30)
# The records' database may be away for a while: keep trying, never give up a recorded state.
ACTIVITY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
# A rectification runs for months: continue as new well under Temporal's limits (51,200 events).
CONTINUE_AFTER_EVENTS = 4000


@dataclass(frozen=True)
class _Told:
    """A notice the timers' work sends once the state is recorded."""

    kind: EventKind
    recipient: str
    audience: Audience
    detail: str
    due: datetime | None
    case_count: int | None = None


@workflow.defn(name=RECTIFICATION_TYPE)
class SpecialRectification:
    @workflow.init
    def __init__(self, start: RectificationInput) -> None:
        self._state: RectificationState | None = start.continued.state if start.continued else None
        self._runs = start.continued.runs if start.continued else 1
        self._refused: str | None = None
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, start: RectificationInput) -> RectificationView | None:
        if self._state is None:
            opened = await workflow.execute_activity_method(
                RectificationActivities.open_rectification,
                OpenRectification(
                    start=RectificationStart.model_validate(start.model_dump(exclude={"continued"})),
                    opened_at=workflow.now(),
                ),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
            if opened.state is None:
                self._refused = opened.refused
                await workflow.wait_condition(workflow.all_handlers_finished)
                return None
            self._state = opened.state
            async with self._lock:
                state = self._state
                for unit in state.units:
                    await self._notify(
                        EventKind.RECTIFICATION_OPENED,
                        unit,
                        Audience.UNIT,
                        detail=state.goal,
                        due=state.deadline,
                        case_count=len(state.cases),
                    )
        state = self._state
        while state.status is RectificationStatus.OPEN:
            remaining = rules.next_alarm_at(state) - workflow.now()
            if remaining > timedelta(0):
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(
                        lambda: state.status is not RectificationStatus.OPEN, timeout=remaining
                    )
            async with self._lock:
                await self._on_alarms(state)
            if state.status is RectificationStatus.OPEN and self._continue_due():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    RectificationInput(
                        **start.model_dump(exclude={"continued"}),
                        continued=RectificationContinuation(state=state, runs=self._runs + 1),
                    )
                )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return rules.project(state, workflow.now())

    @workflow.query(name=RECTIFICATION_STATE_QUERY)
    def state(self) -> RectificationView | None:
        return None if self._state is None else rules.project(self._state, workflow.now())

    @workflow.update(name=RECTIFICATION_OPENED_UPDATE)
    async def opened(self) -> RectificationView:
        """Answers once the rectification is open; fails with the reason when it could not be opened."""
        await workflow.wait_condition(lambda: self._state is not None or self._refused is not None)
        if self._state is None:
            raise RectificationRefused(
                self._refused or "the rectification could not be opened", ProblemCode.RECTIFICATION_NOT_OPENED
            )
        return rules.project(self._state, workflow.now())

    @workflow.update(name=RECTIFICATION_PROGRESS_UPDATE)
    async def report_progress(self, report: RectificationProgress) -> RectificationView:
        """A unit's progress report; the next is due a cadence after it."""
        async with self._lock:
            state = self._open_state()
            checks.check_reporter(state, report)
            entry = ProgressEntry(at=workflow.now(), unit=report.unit, text=report.text, measures=report.measures)
            rules.report_progress(state, entry)
            await self._record(state)
            return rules.project(state, workflow.now())

    @report_progress.validator
    def _validate_progress(self, report: RectificationProgress) -> None:
        checks.check_reporter(self._open_state(), report)

    @workflow.update(name=RECTIFICATION_CLOSE_UPDATE)
    async def close(self, closing: RectificationClosing) -> RectificationView:
        """The coordination centre closes the rectification with its result; the units are told."""
        async with self._lock:
            state = self._open_state()
            checks.check_closer(closing)
            rules.close(state, unit=closing.unit, result=closing.result, now=workflow.now())
            await self._record(state)
            for unit in state.units:
                await self._notify(
                    EventKind.RECTIFICATION_CLOSED,
                    unit,
                    Audience.UNIT,
                    detail=state.result,
                    case_count=len(state.cases),
                )
            return rules.project(state, workflow.now())

    @close.validator
    def _validate_close(self, closing: RectificationClosing) -> None:
        self._open_state()
        checks.check_closer(closing)

    def _open_state(self) -> RectificationState:
        """The state of the open rectification; refused while it is being opened, was refused, or has closed."""
        if self._refused is not None:
            raise RectificationRefused(
                f"this rectification was not opened: {self._refused}", ProblemCode.RECTIFICATION_NOT_OPENED
            )
        if self._state is None:
            raise RectificationRefused(
                "this rectification is still being opened; try again shortly", ProblemCode.RECTIFICATION_OPENING
            )
        if self._state.status is not RectificationStatus.OPEN:
            raise RectificationRefused(
                f"this rectification is {self._state.status.value}", ProblemCode.RECTIFICATION_CLOSED
            )
        return self._state

    async def _on_alarms(self, state: RectificationState) -> None:
        """Do what is due: link cases that joined the class, notice the deadline, remind of missing progress."""
        now = workflow.now()
        before = rules.project(state, now)
        told: list[_Told] = []
        last = state.progress[-1].text if state.progress else ""
        for alarm in rules.due_alarms(state, now):
            if alarm is Alarm.CHECK_CASES:
                await self._check_cases(state)
            elif alarm is Alarm.DEADLINE:
                state.deadline_noticed = True
                overdue = EventKind.RECTIFICATION_OVERDUE
                open_cases = state.open_case_count()
                told.append(
                    _Told(overdue, COORDINATION_CENTRE, Audience.COORDINATION, last, state.deadline, open_cases)
                )
            elif alarm is Alarm.PROGRESS_DUE:
                missed = rules.remind(state, now)
                due = EventKind.RECTIFICATION_PROGRESS_DUE
                told.append(_Told(due, state.lead_unit, Audience.UNIT, last, missed))
                told.append(_Told(due, COORDINATION_CENTRE, Audience.COORDINATION, last, missed))
        if told or rules.project(state, now) != before:
            await self._record(state)
        for one in told:
            await self._notify(
                one.kind, one.recipient, one.audience, detail=one.detail, due=one.due, case_count=one.case_count
            )

    async def _check_cases(self, state: RectificationState) -> None:
        if state.class_id is None:
            state.next_case_check = workflow.now() + rules.check_interval(state.cadence)
            return
        found = await workflow.execute_activity_method(
            RectificationActivities.check_class_cases,
            CheckCases(class_id=state.class_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        rules.link_cases(state, found.cases, workflow.now())

    def _continue_due(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() >= CONTINUE_AFTER_EVENTS

    async def _record(self, state: RectificationState) -> None:
        state.revision += 1
        await workflow.execute_activity_method(
            RectificationActivities.record_rectification,
            rules.project(state, workflow.now()),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    async def _notify(
        self,
        kind: EventKind,
        recipient: str,
        audience: Audience,
        *,
        detail: str = "",
        due: datetime | None = None,
        case_count: int | None = None,
    ) -> None:
        """One notice; its id comes from the rectification's own sequence, so a retried step sends the same id."""
        state = self._state
        assert state is not None
        state.notices_sent += 1
        about = Subject(
            subject_id=state.rectification_id,
            title=state.title,
            catalog_item=state.catalog_item,
            township=state.township,
            lead_unit=state.lead_unit,
            status=state.status.value,
        )
        await publish(
            notice(
                about,
                kind=kind,
                sequence=state.notices_sent,
                at=workflow.now(),
                recipient=recipient,
                audience=audience,
                detail=detail,
                due=due,
                case_count=case_count,
            )
        )
