"""`TopLevelCoordination` (顶格调度): keeps a major or stuck matter under weekly review until its case closes.

One per case (`toplevel-<case_id>`). It reviews the matter weekly while the case is open, tells the leadership
when the case is resolved and waits for the caller's rating: a rework has it review again, the closing ends it.
Continues as new every `reviews_per_run` reviews, so a matter followed for months keeps a bounded history.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import TOP_LEADERSHIP
    from services.contracts.case_policy import EscalationLevel
    from services.contracts.case_workflow import STATE_QUERY, TOP_LEVEL_TYPE, TopLevelSignal
    from services.contracts.cases import CaseStatus
    from services.contracts.events import Audience, EventKind
    from services.workflows.publishing.workflow_notices import About, Notice, notification, publish
    from services.workflows.top_level.top_level_models import CaseSummary, TopLevelInput, TopLevelView

FINISHED = (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)


@workflow.defn(name=TOP_LEVEL_TYPE)
class TopLevelCoordination:
    @workflow.init
    def __init__(self, matter: TopLevelInput) -> None:
        self._matter = matter
        self._latest = matter.latest
        self._reviews_done = matter.reviews_done
        self._published = matter.events_published
        status = matter.latest.status if matter.latest else matter.status
        self._following = matter.following and status not in FINISHED
        self._closed = status == CaseStatus.CLOSED.value
        # A resolution (or the closing) heard while following, not yet told to the leadership.
        self._untold: CaseSummary | None = None

    @workflow.run
    async def run(self, matter: TopLevelInput) -> TopLevelView:
        reviews_this_run = 0
        while True:
            if self._untold is not None:
                resolution, self._untold = self._untold, None
                await self._publish(EventKind.CASE_RESOLVED, Notice(detail=resolution.note), resolution)
            if self._closed:
                break
            if not self._following:
                # Resolved: the caller's rating either closes the case or sends it back for rework.
                await workflow.wait_condition(lambda: self._following or self._closed)
                continue
            try:
                await workflow.wait_condition(
                    lambda: self._untold is not None or self._closed, timeout=timedelta(days=matter.review_days)
                )
                continue
            except TimeoutError:
                pass
            self._reviews_done += 1
            reviews_this_run += 1
            # The review's number, the latest word from the case and the plan: the template words them.
            review = Notice(detail=self._latest.note if self._latest else "", plan=self._matter.plan)
            await self._publish(EventKind.WEEKLY_REVIEW, review, self._latest)
            if reviews_this_run >= matter.reviews_per_run or workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                # A resolution or the closing heard meanwhile is told (and the closing ends it) in this run.
                if self._following and self._untold is None:
                    workflow.continue_as_new(self._carried())
        return self.state()

    @workflow.signal(name=TopLevelSignal.CASE_CHANGED.value)
    def case_changed(self, summary: CaseSummary) -> None:
        self._latest = summary
        if summary.status in FINISHED:
            if self._following:
                self._untold = summary
            self._following = False
        else:
            self._following = True
        self._closed = summary.status == CaseStatus.CLOSED.value

    @workflow.query(name=STATE_QUERY)
    def state(self) -> TopLevelView:
        return TopLevelView(
            case_id=self._matter.case_id,
            reviews_done=self._reviews_done,
            following=self._following,
            latest=self._latest,
            runs=self._matter.runs,
        )

    def _carried(self) -> TopLevelInput:
        """The next run's input: the counts and the latest word from the case."""
        return self._matter.model_copy(
            update={
                "reviews_done": self._reviews_done,
                "events_published": self._published,
                "latest": self._latest,
                "following": self._following,
                "runs": self._matter.runs + 1,
            }
        )

    async def _publish(self, kind: EventKind, notice: Notice, about: CaseSummary | None) -> None:
        """Tell the leadership; `about`: the word from the case the event reports (None: the matter as started)."""
        matter = self._matter
        # One numbering for all the coordination's events, across runs: none is a duplicate of another.
        self._published += 1
        case = About(
            case_id=matter.case_id,
            title=matter.title,
            status=about.status if about else matter.status,
            handling_unit=about.handling_unit if about else matter.handling_unit,
            escalation_level=EscalationLevel.TOP_LEVEL,
        )
        event = notification(
            case,
            kind=kind,
            sequence=self._published,
            at=workflow.now(),
            recipient=TOP_LEADERSHIP,
            audience=Audience.LEADER,
            notice=notice,
            stream=f"toplevel-{matter.coordination}",
        )
        await publish(event)
