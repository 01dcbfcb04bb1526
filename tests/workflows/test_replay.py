"""Replays recorded histories against the current workflow code, so a change that breaks determinism fails here
instead of in the cases still running. Regenerate with `python -m scripts.record_workflow_histories` only on purpose
(docs/workflow-versioning.md says when, and what to keep)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from services.assessment.worker import WORKFLOWS as ASSESSMENT_WORKFLOWS
from services.contracts.case_classes import HOTSPOT_SCAN_TYPE
from services.contracts.case_workflow import JOINT_TASK_TYPE, TOP_LEVEL_TYPE, TRIAGE_CASE_TYPE, WORKFLOW_TYPE
from services.contracts.cases import RoutedCase
from services.contracts.rectifications import RECTIFICATION_TYPE
from services.contracts.report_workflow import REPORT_WORKFLOW_TYPE
from services.workflows.worker import WORKFLOWS

# The current generation. From the first release on, the histories of cases still open from before a patch are
# kept beside it, in a subdirectory named for the patch, until the patch is removed: every file below is replayed.
HISTORIES = Path(__file__).parent / "histories"
CASE_SCENARIOS = ("on-time", "transfer", "joint", "rework", "escalation", "requested-escalation")
CURRENT = sorted(HISTORIES.glob("*.json"))
RECORDED = sorted(HISTORIES.rglob("*.json"))


def load(path: Path) -> WorkflowHistory:
    """File names are `<workflow id>.json`, or `<workflow id>.run<N>.json` for one run of a continued workflow."""
    return WorkflowHistory.from_json(path.name.split(".")[0], path.read_text(encoding="utf-8"))


def workflow_type(history: WorkflowHistory) -> str:
    return history.events[0].workflow_execution_started_event_attributes.workflow_type.name


def case_history(name: str) -> Path:
    return HISTORIES / f"case-replay-{name}.json"


def test_histories_cover_the_representative_runs_of_every_workflow() -> None:
    cases = {path.name for path in CURRENT if path.name.startswith("case-replay-") and "-joint-" not in path.name}
    assert cases == {case_history(name).name for name in CASE_SCENARIOS}
    assert {workflow_type(load(path)) for path in CURRENT} == {
        WORKFLOW_TYPE,
        JOINT_TASK_TYPE,
        TOP_LEVEL_TYPE,
        TRIAGE_CASE_TYPE,
    }
    assert any(path.name.endswith(".run2.json") for path in CURRENT), "a run after continue-as-new"


def test_histories_cover_the_assessment_workflows() -> None:
    """Recorded by `python -m scripts.record_assessment_histories`."""
    recorded = {workflow_type(load(path)) for path in sorted((HISTORIES / "assessment").glob("*.json"))}
    assert recorded == {REPORT_WORKFLOW_TYPE, HOTSPOT_SCAN_TYPE, RECTIFICATION_TYPE}


def test_the_current_generation_was_recorded_without_patches() -> None:
    """Nothing is deployed yet, so nothing is versioned: no patch marker and no `TemporalChangeVersion` upsert."""
    for path in CURRENT:
        events = load(path).events
        assert not any(e.marker_recorded_event_attributes.marker_name == "core_patch" for e in events), path.name
        assert versions_upserted(path) == 0, path.name


def versions_upserted(path: Path) -> int:
    return sum(
        "TemporalChangeVersion"
        in event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
        for event in load(path).events
        if event.HasField("upsert_workflow_search_attributes_event_attributes")
    )


def scheduled(path: Path) -> set[str]:
    """The activity types the run scheduled through the server's task queues."""
    return {
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in load(path).events
        if e.HasField("activity_task_scheduled_event_attributes")
    }


def local_activities(path: Path) -> list[str]:
    """The activity types of the run's local activities, in order."""
    return [
        json.loads(event.marker_recorded_event_attributes.details["data"].payloads[0].data)["activity_type"]
        for event in load(path).events
        if event.HasField("marker_recorded_event_attributes")
        and event.marker_recorded_event_attributes.marker_name == "core_local_activity"
    ]


def test_cases_run_their_activities_locally() -> None:
    for name in CASE_SCENARIOS:
        assert scheduled(case_history(name)) == set(), name


def test_cases_resolve_their_policy_and_first_deadlines_in_one_activity() -> None:
    for name in CASE_SCENARIOS:
        # One local activity (a marker, an activation) for the policy and the four first deadlines.
        assert local_activities(case_history(name))[:2] == ["start_case", "publish_case_changes"], name


def test_cases_count_deadlines_started_together_in_one_activity() -> None:
    # Each of the two transfers restarts the new unit's sign-for and transfer deadlines together; a deadline
    # started alone (the arbitration's, the sign-for after it) is counted by the single activity, and so is each
    # deadline that resumes after the arbitration (feedback, resolution: each from its own record of pauses).
    transfer = local_activities(case_history("transfer"))
    assert (transfer.count("compute_deadlines"), transfer.count("compute_deadline")) == (2, 4)


def upserted(path: Path) -> list[set[str]]:
    """The search attributes each upsert of the run set, in order."""
    return [
        set(event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
        for event in load(path).events
        if event.HasField("upsert_workflow_search_attributes_event_attributes")
    ]


def test_cases_upsert_only_the_search_attributes_that_changed() -> None:
    for name in ("on-time", "escalation"):
        # The case starter gave the workflow the search attributes it knew: the first upsert sets the deadline's
        # two; later ones only what moved (the status, the overdue flag, the level).
        first, *later = upserted(case_history(name))
        assert first == {"ProvisionalDeadline", "ResolutionDeadline"}, name
        assert later and all(len(fields) <= 2 for fields in later), later


@pytest.mark.parametrize("path", RECORDED, ids=[str(path.relative_to(HISTORIES).with_suffix("")) for path in RECORDED])
async def test_recorded_history_replays_on_the_current_code(path: Path) -> None:
    replayer = Replayer(workflows=[*WORKFLOWS, *ASSESSMENT_WORKFLOWS], data_converter=pydantic_data_converter)

    result = await replayer.replay_workflow(load(path))

    assert result.replay_failure is None


@workflow.defn(name=WORKFLOW_TYPE, sandboxed=False)
class CaseThatWaitsFirst:
    """A `FirstContactCase` whose first step no longer matches the recorded one."""

    @workflow.run
    async def run(self, case: RoutedCase) -> None:
        await workflow.sleep(timedelta(hours=1))


async def test_code_that_no_longer_matches_a_history_fails_its_replay() -> None:
    replayer = Replayer(workflows=[CaseThatWaitsFirst], data_converter=pydantic_data_converter)

    with pytest.raises(NondeterminismError):
        await replayer.replay_workflow(load(case_history("on-time")))
