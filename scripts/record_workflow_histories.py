"""Record the event histories `tests/workflows/test_replay.py` replays against the current workflow code.

Each scenario runs a representative case to its end on a time-skipping test server (the same harness as the
workflow tests: real deadline activities, a fake publisher) and saves `(await handle.fetch_history()).to_json()`
for the case and its children (`JointTask`, `TopLevelCoordination`), one file per run:
`tests/workflows/histories/<workflow id>.json`, or `<workflow id>.run<N>.json` for a workflow that continued as new.

Replaying these in CI is how a change that breaks determinism is caught before it reaches cases that are still
running (they live for months). Until the first production release nothing is versioned: a change that no longer
replays these is made outright and the histories are recorded again, once, with it. From the first release on, such
a change is made behind `workflow.patched(...)` instead, and before recording, the current histories are moved to
`histories/before-<patch id>/`, where they stand for the cases still open from before the patch and are replayed
too, until the patch is removed (docs/workflow-versioning.md: the steps and the date each can be taken). Review the
diff of the histories like code.

    .venv/bin/python -m scripts.record_workflow_histories            # from the repository root
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from temporalio.client import Client, WorkflowHistory

from services.contracts.case_actions import (
    ArbitrationDecision,
    EscalationRequest,
    EscalationTarget,
    FeedbackReport,
    JointHandlingRequest,
    JointParticipant,
    RatingSubmission,
    TransferRequest,
    UnitAction,
)
from services.contracts.case_ids import triage_workflow_id
from services.contracts.case_policy import load_policy
from services.contracts.case_view import CaseView, JointRole, JointTaskView, RatingLevel
from services.contracts.case_workflow import (
    STATE_QUERY,
    TRIAGE_CASE_TYPE,
    TRIAGE_DECIDE_UPDATE,
    CaseUpdate,
    JointTaskUpdate,
    top_level_workflow_id,
)
from services.workflows.top_level.top_level_models import TopLevelView
from tests.workflows.harness import (
    CaseHandle,
    Cases,
    PublishedEvents,
    Sources,
    case_for_triage,
    case_worker,
    eventually,
    lift_decision,
    start_time_skipping,
)

HISTORIES = Path(__file__).resolve().parents[1] / "tests" / "workflows" / "histories"
SATISFIED = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED)
UNSATISFIED = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.UNSATISFIED, comment="水压不够")

Scenario = Callable[[Cases], Awaitable[list[str]]]


async def answered(cases: Cases, case_id: str, *, unit: str = "water", **fields: object) -> CaseHandle:
    case = await cases.start(cases.new_case(await cases.now(), case_id=case_id, unit=unit, **fields))
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit=unit))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit=unit, message="已联系您"))
    return case


async def resolve_and_close(case: CaseHandle, unit: str) -> CaseView:
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit=unit, note="已办结"))
    await case.act(CaseUpdate.RATE, SATISFIED)
    return await case.result()


async def on_time(cases: Cases) -> list[str]:
    case = await answered(cases, "replay-on-time", callback=True)
    await resolve_and_close(case, "water")
    return [case.handle.id]


async def transfer_and_arbitration(cases: Cases) -> list[str]:
    case = await cases.start(cases.new_case(await cases.now(), case_id="replay-transfer", unit="housing-construction"))
    for unit, to_unit in (("housing-construction", "water"), ("water", "law-enforcement")):
        await case.act(
            CaseUpdate.TRANSFER,
            TransferRequest(unit=unit, to_unit=to_unit, reason="不属本单位职责", catalog_item="LS-06"),
        )
    third = TransferRequest(
        unit="law-enforcement", to_unit="natural-resources", reason="应由自然资源局办理", catalog_item="NR-01"
    )
    await case.refused(CaseUpdate.TRANSFER, third)
    decision = ArbitrationDecision(unit="coordination-centre", handling_unit="water", reason="供水管网属水务局职责")
    await case.act(CaseUpdate.ARBITRATE, decision)
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    await resolve_and_close(case, "water")
    return [case.handle.id]


async def joint_handling(cases: Cases) -> list[str]:
    lead, participants = "law-enforcement", ("law-enforcement", "natural-resources", "hekou-town")
    case = await answered(cases, "replay-joint", unit=lead, item="UC-06")
    roles = (JointRole.LEAD, JointRole.CO_MANAGING, JointRole.TOWNSHIP)
    request = JointHandlingRequest(
        unit=lead,
        reason="违建需联合处置",
        participants=[
            JointParticipant(
                unit=unit, role=role, task="分工任务", working_days=3 if role is JointRole.TOWNSHIP else None
            )
            for unit, role in zip(participants, roles, strict=True)
        ],
    )
    view = await case.act(CaseUpdate.REQUEST_JOINT_HANDLING, request)
    tasks = {task.unit: task for task in view.joint_phases[0].tasks}
    for unit in participants[:2]:
        await do_share(cases, tasks[unit].workflow_id, unit)
    await cases.sleep_until(tasks["hekou-town"].due + timedelta(minutes=1))  # the township is late
    await do_share(cases, tasks["hekou-town"].workflow_id, "hekou-town")
    for task in tasks.values():
        await cases.child(task.workflow_id, JointTaskView).result()
    await resolve_and_close(case, lead)
    return [case.handle.id, *(task.workflow_id for task in tasks.values())]


async def do_share(cases: Cases, workflow_id: str, unit: str) -> None:
    task = cases.child(workflow_id, JointTaskView)
    for update in (JointTaskUpdate.ACCEPT, JointTaskUpdate.COMPLETE):
        await task.execute_update(update.value, UnitAction(unit=unit), result_type=JointTaskView)


async def rework(cases: Cases) -> list[str]:
    case = await answered(cases, "replay-rework", callback=True)
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已修复"))
    await case.act(CaseUpdate.RATE, UNSATISFIED)
    await resolve_and_close(case, "water")
    return [case.handle.id]


async def escalation(cases: Cases) -> list[str]:
    """Missed sign-for on a major item up the ladder to top-level coordination (a routine item stops at the unit
    leader), weekly reviews across continue-as-new."""
    cases.sources.policy = load_policy().model_copy(update={"top_level_reviews_per_run": 2})
    unit = "emergency-management"
    major = cases.new_case(
        await cases.now(), case_id="replay-escalation", unit=unit, item="EM-05", complexity="complex", major=True
    )
    case = await cases.start(major)
    calendar = cases.sources.calendar
    sign_for_due = calendar.add_working_days(case.case.received_at, 1).at
    level_2 = calendar.add_working_days(calendar.start_of_next_working_day(sign_for_due).at, 1).at
    await cases.sleep_until(calendar.add_working_days(level_2, 1).at + timedelta(minutes=1))
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit=unit))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit=unit, message="已联系您"))
    await cases.env.sleep(timedelta(days=15))  # three weekly reviews: two in the first run, one in the second
    await resolve_and_close(case, unit)
    await cases.child(top_level_workflow_id(case.case_id), TopLevelView).result()
    return [case.handle.id, top_level_workflow_id(case.case_id)]


async def requested_escalation(cases: Cases) -> list[str]:
    case = await answered(cases, "replay-requested-escalation")
    for unit, target in (("water", EscalationTarget.CITY_LEADER), ("city-leader", EscalationTarget.TOP_LEVEL)):
        await case.act(CaseUpdate.ESCALATE, EscalationRequest(unit=unit, to=target, reason="需协调", plan="方案"))
    await resolve_and_close(case, "water")
    await cases.child(top_level_workflow_id(case.case_id), TopLevelView).result()
    return [case.handle.id, top_level_workflow_id(case.case_id)]


async def triage(cases: Cases) -> list[str]:
    """A case waiting for triage: reminded, breached, then decided and handed on as routed."""
    case = case_for_triage(await cases.now(), case_id="replay-triage")
    handle = await cases.env.client.start_workflow(
        TRIAGE_CASE_TYPE, case, id=triage_workflow_id(case.case_id), task_queue=cases.task_queue, result_type=CaseView
    )

    async def deadline_counted() -> datetime:
        view: CaseView = await handle.query(STATE_QUERY, result_type=CaseView)
        assert view.deadlines.triage is not None
        return view.deadlines.triage

    due = await eventually(deadline_counted, "the triage deadline is counted")
    await cases.sleep_until(due + timedelta(hours=1))
    await handle.execute_update(TRIAGE_DECIDE_UPDATE, lift_decision(), result_type=CaseView)
    await handle.result()
    return [handle.id]


SCENARIOS: dict[str, Scenario] = {
    "on-time": on_time,
    "transfer-and-arbitration": transfer_and_arbitration,
    "joint-handling": joint_handling,
    "rework": rework,
    "escalation": escalation,
    "requested-escalation": requested_escalation,
    "triage": triage,
}


async def run_histories(client: Client, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of the workflow, first to last (following continue-as-new backwards from the latest)."""
    runs = [await client.get_workflow_handle(workflow_id).fetch_history()]
    while previous := runs[0].events[0].workflow_execution_started_event_attributes.continued_execution_run_id:
        runs.insert(0, await client.get_workflow_handle(workflow_id, run_id=previous).fetch_history())
    return runs


async def record(scenario: Scenario) -> dict[str, str]:
    """Run one scenario on its own test server; the history JSON of each run, by file name."""
    env = await start_time_skipping()
    try:
        published, sources = PublishedEvents(), Sources()
        async with case_worker(env, published, sources) as task_queue:
            workflow_ids = await scenario(Cases(env, task_queue, published, sources))
            files: dict[str, str] = {}
            for workflow_id in workflow_ids:
                runs = await run_histories(env.client, workflow_id)
                for number, history in enumerate(runs, start=1):
                    suffix = f".run{number}" if len(runs) > 1 else ""
                    files[f"{workflow_id}{suffix}.json"] = history.to_json() + "\n"
            return files
    finally:
        await env.shutdown()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.json"):
        stale.unlink()
    for name, scenario in SCENARIOS.items():
        for file_name, text in asyncio.run(record(scenario)).items():
            (out / file_name).write_text(text, encoding="utf-8")
            print(f"{name}: {out / file_name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HISTORIES, help="directory of the history files")
    main(parser.parse_args().out)
