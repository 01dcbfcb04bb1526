"""What a simulated month costs, measured from outside the workflows: CPU by thread and process, memory, and the
workflow tasks behind each case (from a sample of histories)."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from bench.cpu_time import stat_ticks
from bench.month_plan import MonthPlan
from bench.processes import children
from services.contracts.case_ids import workflow_id_for
from services.contracts.case_view import CaseView
from services.contracts.case_workflow import top_level_workflow_id

HISTORY_SAMPLE = 100
TOP_LEVEL = 3  # the default ladder's top, where a case starts top-level coordination


async def history_sample(
    env: WorkflowEnvironment, plan: MonthPlan, views: Mapping[str, CaseView | None], size: int = HISTORY_SAMPLE
) -> dict[str, float]:
    """Workflow tasks and history events per case (its joint tasks and top-level coordination included), from the
    histories of every n-th case: what the CPU per case is spent on."""
    sample = plan.cases[:: max(1, len(plan.cases) // size)]
    tasks = events = failed = 0
    for case in sample:
        view = views.get(case.case.case_id)
        ids = [workflow_id_for(case.case.case_id)]
        if view is not None:
            ids += [task.workflow_id for phase in view.joint_phases for task in phase.tasks]
            if view.escalation_level >= TOP_LEVEL:
                ids.append(top_level_workflow_id(case.case.case_id))
        for workflow_id in ids:
            async for event in env.client.get_workflow_handle(workflow_id).fetch_history_events():
                events += 1
                tasks += event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
                failed += event.event_type in (
                    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
                    EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
                )
    return {
        "cases": len(sample),
        "workflow_tasks_per_case": round(tasks / len(sample), 1) if sample else 0.0,
        "history_events_per_case": round(events / len(sample), 1) if sample else 0.0,
        "workflow_tasks_failed_or_timed_out": failed,
    }


def merge_history_samples(samples: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """One sample from the shards' samples: per-case figures weighted by the cases each sampled."""
    cases = sum(sample["cases"] for sample in samples)

    def per_case(name: str) -> float:
        return round(sum(s[name] * s["cases"] for s in samples) / cases, 1) if cases else 0.0

    return {
        "cases": cases,
        "workflow_tasks_per_case": per_case("workflow_tasks_per_case"),
        "history_events_per_case": per_case("history_events_per_case"),
        "workflow_tasks_failed_or_timed_out": sum(s["workflow_tasks_failed_or_timed_out"] for s in samples),
    }


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far (Linux): by this process's event loop thread (client, driver, activities, SDK glue),
    its workflow threads (workflow code and the sandbox), the rest of it (the SDK core's Rust threads), and by
    the test server it started."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = os.times()
    spent = {"python_process": times.user + times.system, "event_loop_thread": 0.0, "workflow_threads": 0.0}
    for thread in threading.enumerate():
        if thread.native_id is None:
            continue
        used = _ticks(Path(f"/proc/self/task/{thread.native_id}/stat")) / ticks
        if thread is threading.main_thread():
            spent["event_loop_thread"] += used
        elif thread.name.startswith("temporal_workflow"):
            spent["workflow_threads"] += used
    spent["sdk_core_and_other_threads"] = (
        spent["python_process"] - spent["event_loop_thread"] - spent["workflow_threads"]
    )
    for pid, name in children().items():  # the test server
        spent[name] = spent.get(name, 0.0) + _ticks(Path(f"/proc/{pid}/stat")) / ticks
    return spent


def _ticks(stat: Path) -> int:
    """utime + stime from a /proc stat file (0 if it is gone)."""
    return stat_ticks(stat) or 0
