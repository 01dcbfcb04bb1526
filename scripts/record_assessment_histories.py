"""Record the event histories of the assessment service's workflows (`AssessmentReport`, `HotspotScan`,
`SpecialRectification`) that `tests/workflows/test_replay.py` replays, with their activities in memory, into
`tests/workflows/histories/assessment/`. The rules for when to record again are the case workflows' own
(`scripts/record_workflow_histories.py`, docs/workflow-versioning.md).

    .venv/bin/python -m scripts.record_assessment_histories
"""

from __future__ import annotations

import argparse
import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.assessment.classes.hotspot_activities import ClassNotice
from services.assessment.worker import WORKFLOWS
from services.contracts.assessment_reports import ReportKind
from services.contracts.case_classes import HOTSPOT_SCAN_TYPE, ScanInput
from services.contracts.rectifications import (
    RECTIFICATION_CLOSE_UPDATE,
    RECTIFICATION_OPENED_UPDATE,
    RECTIFICATION_PROGRESS_UPDATE,
    RECTIFICATION_TYPE,
    RectificationClosing,
    RectificationProgress,
    RectificationRequest,
    RectificationStart,
    RectificationView,
    rectification_workflow_id,
)
from services.contracts.report_workflow import REPORT_WORKFLOW_TYPE, ReportOutcome, ReportRequest
from tests.workflows.assessment.memory_records import MemoryClasses, MemoryRectifications
from tests.workflows.assessment.memory_reports import MemoryReports
from tests.workflows.harness import PublishedEvents, start_time_skipping

HISTORIES = Path(__file__).resolve().parents[1] / "tests" / "workflows" / "histories" / "assessment"
CLASS_ID = "5f0c7c1e-3d2a-5b7e-9a51-0c2f4e6d8b10"
Scenario = Callable[[WorkflowEnvironment, str], Awaitable[str]]


async def report(env: WorkflowEnvironment, task_queue: str) -> str:
    """A monthly report asked for: planned, made, stored, delivered."""
    workflow_id = "report-replay-monthly"
    request = ReportRequest(kind=ReportKind.MONTHLY, at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    await env.client.execute_workflow(
        REPORT_WORKFLOW_TYPE, request, id=workflow_id, task_queue=task_queue, result_type=ReportOutcome
    )
    return workflow_id


async def hotspot_scan(env: WorkflowEnvironment, task_queue: str) -> str:
    """A scan that finds one class and tells the coordination centre."""
    workflow_id = "hotspot-scan-replay"
    await env.client.execute_workflow(
        HOTSPOT_SCAN_TYPE, ScanInput(), id=workflow_id, task_queue=task_queue, result_type=dict
    )
    return workflow_id


async def rectification(env: WorkflowEnvironment, task_queue: str) -> str:
    """Opened, a week without progress (the reminder), a progress report, closed."""
    now = await env.get_current_time()
    rectification_id = str(uuid.UUID(int=1))
    request = RectificationRequest(
        class_id=CLASS_ID,
        title="河口镇供水管网集中整治",
        lead_unit="water",
        participants=["housing-construction", "hekou-town"],
        deadline=now + timedelta(days=30),
        goal="停水投诉清零",
    )
    handle = await env.client.start_workflow(
        RECTIFICATION_TYPE,
        RectificationStart(rectification_id=rectification_id, request=request, opened_by="coordination-centre"),
        id=rectification_workflow_id(rectification_id),
        task_queue=task_queue,
        result_type=RectificationView,
    )
    await handle.execute_update(RECTIFICATION_OPENED_UPDATE, result_type=RectificationView)
    await env.sleep(timedelta(days=8))
    progress = RectificationProgress(unit="water", text="已完成片区管网排查", measures=["每周二联合巡查"])
    await handle.execute_update(RECTIFICATION_PROGRESS_UPDATE, progress, result_type=RectificationView)
    closing = RectificationClosing(unit="coordination-centre", result="管网改造完成")
    await handle.execute_update(RECTIFICATION_CLOSE_UPDATE, closing, result_type=RectificationView)
    await handle.result()
    return handle.id


SCENARIOS: dict[str, Scenario] = {"report": report, "hotspot-scan": hotspot_scan, "rectification": rectification}


async def record(scenario: Scenario) -> tuple[str, str]:
    """Run one scenario on its own test server: the workflow's history file name and JSON."""
    env = await start_time_skipping()
    try:
        published, reports = PublishedEvents(), MemoryReports()
        classes = MemoryClasses(
            found=[
                ClassNotice(
                    class_id=CLASS_ID,
                    kind="item_township",
                    kind_name="同一事项同一镇街",
                    label="河口镇·城镇供水（同一事项同一镇街）",
                    catalog_item="LS-06",
                    township="hekou-town",
                    case_count=6,
                )
            ]
        )
        rectifications = MemoryRectifications(classes={CLASS_ID: {"c1": False, "c2": False}})
        task_queue = f"assessment-{uuid.uuid4()}"
        activities = [
            published.publish_notification,
            classes.scan_hotspots,
            classes.mark_classes_notified,
            rectifications.open_rectification,
            rectifications.check_class_cases,
            rectifications.record_rectification,
            *reports.all(),
        ]
        async with Worker(env.client, task_queue=task_queue, workflows=WORKFLOWS, activities=activities):
            workflow_id = await scenario(env, task_queue)
            history = await env.client.get_workflow_handle(workflow_id).fetch_history()
        return f"{workflow_id}.json", history.to_json() + "\n"
    finally:
        await env.shutdown()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.json"):
        stale.unlink()
    for name, scenario in SCENARIOS.items():
        file_name, text = asyncio.run(record(scenario))
        (out / file_name).write_text(text, encoding="utf-8")
        print(f"{name}: {out / file_name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HISTORIES, help="directory of the history files")
    main(parser.parse_args().out)
