"""`TopLevelCoordination` (顶格调度): keeps a major or stuck matter under weekly review until it is resolved.

Continues as new every `reviews_per_run` reviews, so a matter followed for months keeps a bounded history.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import TOP_LEADERSHIP
    from services.contracts.case_policy import EscalationLevel
    from services.contracts.case_workflow import STATE_QUERY, TOP_LEVEL_TYPE, TopLevelSignal
    from services.contracts.events import Audience, EventKind, NotificationEvent, event_id_for
    from services.workflows.activities import NotificationActivities
    from services.workflows.case_engine import ACTIVITY_RETRY, ACTIVITY_TIMEOUT
    from services.workflows.top_level_models import CaseSummary, TopLevelInput, TopLevelView

FINISHED = ("resolved", "closed")


@workflow.defn(name=TOP_LEVEL_TYPE)
class TopLevelCoordination:
    @workflow.init
    def __init__(self, matter: TopLevelInput) -> None:
        self._matter = matter
        self._latest = matter.latest
        self._reviews_done = matter.reviews_done
        self._following = matter.status not in FINISHED

    @workflow.run
    async def run(self, matter: TopLevelInput) -> TopLevelView:
        reviews_this_run = 0
        while self._following:
            try:
                await workflow.wait_condition(lambda: not self._following, timeout=timedelta(days=matter.review_days))
            except TimeoutError:
                self._reviews_done += 1
                reviews_this_run += 1
                await self._publish(EventKind.WEEKLY_REVIEW, self._reviews_done, self._review_text())
                if reviews_this_run >= matter.reviews_per_run or workflow.info().is_continue_as_new_suggested():
                    await workflow.wait_condition(workflow.all_handlers_finished)
                    workflow.continue_as_new(
                        matter.model_copy(
                            update={"reviews_done": self._reviews_done, "latest": self._latest, "runs": matter.runs + 1}
                        )
                    )
        note = self._latest.note if self._latest else ""
        await self._publish(EventKind.CASE_RESOLVED, self._reviews_done + 1, f"顶格调度事项已办结：{note}")
        return self.state()

    @workflow.signal(name=TopLevelSignal.CASE_CHANGED.value)
    def case_changed(self, summary: CaseSummary) -> None:
        self._latest = summary
        if summary.status in FINISHED:
            self._following = False

    @workflow.query(name=STATE_QUERY)
    def state(self) -> TopLevelView:
        return TopLevelView(
            case_id=self._matter.case_id,
            reviews_done=self._reviews_done,
            following=self._following,
            latest=self._latest,
            runs=self._matter.runs,
        )

    def _review_text(self) -> str:
        latest = self._latest
        status = (
            f"当前状态：{latest.status}，承办单位：{latest.handling_unit}，{latest.note}" if latest else "尚无进展报告"
        )
        return f"第 {self._reviews_done} 次周调度。{status}。方案：{self._matter.plan}"

    async def _publish(self, kind: EventKind, sequence: int, detail: str) -> None:
        matter = self._matter
        event = NotificationEvent(
            event_id=event_id_for(matter.case_id, sequence, stream=f"toplevel-{matter.coordination}"),
            kind=kind,
            case_id=matter.case_id,
            unit=TOP_LEADERSHIP,
            audience=Audience.LEADER,
            sequence=sequence,
            occurred_at=workflow.now(),
            title=matter.title,
            status=self._latest.status if self._latest else matter.status,
            handling_unit=self._latest.handling_unit if self._latest else matter.handling_unit,
            escalation_level=EscalationLevel.TOP_LEVEL,
            detail=detail,
        )
        await workflow.execute_activity_method(
            NotificationActivities.publish_notification,
            event,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
