"""Replays recorded histories against the current workflow code, so a change that breaks determinism fails here
instead of in the cases still running. Regenerate with `python -m scripts.record_workflow_histories` only on purpose."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.api.history.v1 import MarkerRecordedEventAttributes
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from services.contracts.case_workflow import JOINT_TASK_TYPE, TOP_LEVEL_TYPE, TRIAGE_CASE_TYPE, WORKFLOW_TYPE
from services.contracts.cases import RoutedCase
from services.workflows.case_patches import CONSOLIDATED_PATCH, CONSOLIDATIONS, FIRST_CONSOLIDATED_PATCH
from services.workflows.worker import WORKFLOWS

HISTORIES = Path(__file__).parent / "histories"
# Cases started before the case's activities became local activities (patch `local-activities`) are still open
# in production for weeks: their histories must keep replaying beside the current ones.
BEFORE_LOCAL_ACTIVITIES = HISTORIES / "before-local-activities"
# Cases that breached before the chase-up and next step counted from the due time (patch `escalation-from-due`).
# Only a case that breaches reaches the patch, so this generation is the escalation case alone.
BEFORE_ESCALATION_FROM_DUE = HISTORIES / "before-escalation-from-due"
# Cases that upserted all their search attributes on every change (patch `changed-search-attributes`): every case
# reaches it, its joint tasks, top-level coordination and triage do not.
BEFORE_CHANGED_SEARCH_ATTRIBUTES = HISTORIES / "before-changed-search-attributes"
# Cases that counted their first deadlines in one activity each (patch `batched-deadlines`): every case.
BEFORE_BATCHED_DEADLINES = HISTORIES / "before-batched-deadlines"
# Cases that asked each of those four patches on its own, before one marker stood for them all (patch
# `case-engine-2026-12`): every case.
BEFORE_CONSOLIDATED_PATCHES = HISTORIES / "before-consolidated-patches"
# Cases that resolved their policy and counted their first deadlines in two activities (patch
# `policy-with-first-deadlines`, folded into the second consolidation): every case, under the first consolidation.
BEFORE_POLICY_WITH_FIRST_DEADLINES = HISTORIES / "before-policy-with-first-deadlines"
CASE_SCENARIOS = ("on-time", "transfer", "joint", "rework", "escalation", "requested-escalation")
GENERATIONS = (HISTORIES, BEFORE_LOCAL_ACTIVITIES)
PARTIAL_GENERATIONS = (
    BEFORE_ESCALATION_FROM_DUE,
    BEFORE_CHANGED_SEARCH_ATTRIBUTES,
    BEFORE_BATCHED_DEADLINES,
    BEFORE_CONSOLIDATED_PATCHES,
    BEFORE_POLICY_WITH_FIRST_DEADLINES,
)
RECORDED = sorted(path for generation in (*GENERATIONS, *PARTIAL_GENERATIONS) for path in generation.glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    """File names are `<workflow id>.json`, or `<workflow id>.run<N>.json` for one run of a continued workflow."""
    return WorkflowHistory.from_json(path.name.split(".")[0], path.read_text(encoding="utf-8"))


def workflow_type(history: WorkflowHistory) -> str:
    return history.events[0].workflow_execution_started_event_attributes.workflow_type.name


@pytest.mark.parametrize("generation", GENERATIONS, ids=lambda path: path.name)
def test_histories_cover_the_representative_runs_of_every_workflow(generation: Path) -> None:
    recorded = sorted(generation.glob("*.json"))
    cases = {path.name for path in recorded if path.name.startswith("case-replay-") and "-joint-" not in path.name}
    assert cases == {f"case-replay-{name}.json" for name in CASE_SCENARIOS}
    assert {workflow_type(load(path)) for path in recorded} == {
        WORKFLOW_TYPE,
        JOINT_TASK_TYPE,
        TOP_LEVEL_TYPE,
        TRIAGE_CASE_TYPE,
    }
    assert any(path.name.endswith(".run2.json") for path in recorded), "a run after continue-as-new"


def test_current_cases_run_their_activities_locally_and_older_ones_as_scheduled() -> None:
    """The two generations really differ, so both code paths of the patch are replayed."""

    def scheduled(path: Path) -> set[str]:
        history = load(path)
        return {
            e.activity_task_scheduled_event_attributes.activity_type.name
            for e in history.events
            if e.HasField("activity_task_scheduled_event_attributes")
        }

    assert scheduled(HISTORIES / "case-replay-on-time.json") == set()
    assert scheduled(BEFORE_LOCAL_ACTIVITIES / "case-replay-on-time.json") == {
        "resolve_case_policy",
        "compute_deadline",
        "publish_notification",
    }


def patch_data(marker: MarkerRecordedEventAttributes) -> bytes:
    return marker.details["patch-data"].payloads[0].data


def patches(path: Path) -> set[str]:
    """The patch ids the run recorded (`workflow.patched` calls that took the new path)."""
    return {
        json.loads(patch_data(event.marker_recorded_event_attributes))["id"]
        for event in load(path).events
        if event.HasField("marker_recorded_event_attributes")
        and event.marker_recorded_event_attributes.marker_name == "core_patch"
    }


def takes(path: Path, patch_id: str) -> bool:
    """Whether the run took the path of this patch: its own marker, or a consolidated one that stands for it."""
    recorded = patches(path)
    return patch_id in recorded or any(
        marker in recorded and patch_id in stands_for for marker, stands_for in CONSOLIDATIONS.items()
    )


def case_pairs(before: Path) -> list[tuple[str, Path, Path]]:
    """Each case scenario's current history and its recording in `before`, which must hold every scenario."""
    assert sorted(path.name for path in before.glob("*.json")) == sorted(
        f"case-replay-{name}.json" for name in CASE_SCENARIOS
    )
    return [
        (name, HISTORIES / f"case-replay-{name}.json", before / f"case-replay-{name}.json") for name in CASE_SCENARIOS
    ]


def test_current_cases_record_one_patch_for_all_the_earlier_ones() -> None:
    before = BEFORE_CONSOLIDATED_PATCHES
    for name, consolidated, older in case_pairs(before):
        # Recorded under the first consolidation (the generation after `before`).
        consolidated = BEFORE_POLICY_WITH_FIRST_DEADLINES / consolidated.name
        assert patches(consolidated) == {FIRST_CONSOLIDATED_PATCH}, name
        assert patches(older) >= {"local-activities", "changed-search-attributes", "batched-deadlines"}, name
        # One marker and one `TemporalChangeVersion` upsert (the SDK's, with each patch) where there were three or
        # four; the case itself did the same.
        assert (versions_upserted(consolidated), versions_upserted(older)) == (1, len(patches(older))), name
        assert local_activities(consolidated) == local_activities(older), name
        # The second consolidation: still one marker and one upsert.
        current = HISTORIES / consolidated.name
        assert (patches(current), versions_upserted(current)) == ({CONSOLIDATED_PATCH}, 1), name
    assert patches(before / "case-replay-escalation.json") == CONSOLIDATIONS[FIRST_CONSOLIDATED_PATCH]
    # Each consolidation stands for the one before it and the patches added since.
    newer, older_marker = list(CONSOLIDATIONS)
    assert CONSOLIDATIONS[newer] > CONSOLIDATIONS[older_marker]
    # Asked once, at the start: no `patched` call after a local activity, where a replay might not see the marker.
    for name in CASE_SCENARIOS:
        assert patch_position(HISTORIES / f"case-replay-{name}.json", CONSOLIDATED_PATCH) < first_local_activity(
            HISTORIES / f"case-replay-{name}.json"
        ), name


def versions_upserted(path: Path) -> int:
    return sum(
        "TemporalChangeVersion"
        in event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
        for event in load(path).events
        if event.HasField("upsert_workflow_search_attributes_event_attributes")
    )


def markers(path: Path) -> list[MarkerRecordedEventAttributes]:
    return [
        event.marker_recorded_event_attributes
        for event in load(path).events
        if event.HasField("marker_recorded_event_attributes")
    ]


def patch_position(path: Path, patch_id: str) -> int:
    """Where the patch's marker is among the run's markers."""
    return next(
        i
        for i, marker in enumerate(markers(path))
        if marker.marker_name == "core_patch" and json.loads(patch_data(marker))["id"] == patch_id
    )


def first_local_activity(path: Path) -> int:
    return [marker.marker_name for marker in markers(path)].index("core_local_activity")


def test_current_breaches_count_from_the_due_time_and_older_ones_from_when_they_were_handled() -> None:
    assert [path.name for path in BEFORE_ESCALATION_FROM_DUE.glob("*.json")] == ["case-replay-escalation.json"]
    assert takes(HISTORIES / "case-replay-escalation.json", "escalation-from-due")
    assert patches(BEFORE_CHANGED_SEARCH_ATTRIBUTES / "case-replay-escalation.json") == {
        "local-activities",
        "escalation-from-due",
    }
    assert patches(BEFORE_ESCALATION_FROM_DUE / "case-replay-escalation.json") == {"local-activities"}
    assert patches(BEFORE_LOCAL_ACTIVITIES / "case-replay-escalation.json") == set()


def upserted(path: Path) -> list[set[str]]:
    """The search attributes each upsert of the run set, in order (leaving out the SDK's own upserts of the patch
    versions, `TemporalChangeVersion`)."""
    upserts = [
        set(event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
        - {"TemporalChangeVersion"}
        for event in load(path).events
        if event.HasField("upsert_workflow_search_attributes_event_attributes")
    ]
    return [fields for fields in upserts if fields]


def test_current_cases_upsert_only_the_search_attributes_that_changed() -> None:
    before = BEFORE_CHANGED_SEARCH_ATTRIBUTES
    case_pairs(before)  # holds every scenario
    for name in ("on-time", "escalation"):
        current, older = HISTORIES / f"case-replay-{name}.json", before / f"case-replay-{name}.json"
        assert takes(current, "changed-search-attributes")
        assert not takes(older, "changed-search-attributes")
        assert all(len(fields) == 11 for fields in upserted(older)), "every upsert set them all"
        # The case starter gave the workflow the search attributes it knew: the first upsert sets the deadline's
        # two; later ones only what moved (the status, the overdue flag, the level).
        first, *later = upserted(current)
        assert first == {"ProvisionalDeadline", "ResolutionDeadline"}
        assert later and all(len(fields) <= 2 for fields in later), later
        # Before the consolidation (cases started without them in these recordings) the first upsert set them all.
        assert len(upserted(BEFORE_CONSOLIDATED_PATCHES / f"case-replay-{name}.json")[0]) == 11
    # A change that moved no search attribute (a joint task's answer, a chase-up) upserts nothing now.
    for name in ("joint", "escalation"):
        assert len(upserted(HISTORIES / f"case-replay-{name}.json")) < len(
            upserted(before / f"case-replay-{name}.json")
        )


def local_activities(path: Path) -> list[str]:
    """The activity types of the run's local activities, in order."""
    return [
        json.loads(event.marker_recorded_event_attributes.details["data"].payloads[0].data)["activity_type"]
        for event in load(path).events
        if event.HasField("marker_recorded_event_attributes")
        and event.marker_recorded_event_attributes.marker_name == "core_local_activity"
    ]


def test_current_cases_count_deadlines_started_together_in_one_activity() -> None:
    before = BEFORE_BATCHED_DEADLINES
    for _, current, older in case_pairs(before):
        assert takes(current, "batched-deadlines")
        assert not takes(older, "batched-deadlines")
        # The first four deadlines: one batch since (then the case-assigned event), four single ones before.
        current = BEFORE_POLICY_WITH_FIRST_DEADLINES / current.name
        assert local_activities(current)[:3] == ["resolve_case_policy", "compute_deadlines", "publish_notification"]
        assert local_activities(older)[:6] == ["resolve_case_policy", *["compute_deadline"] * 4, "publish_notification"]
    # Decided before the first local activity: a workflow task completed early (a query arriving while local
    # activities run) must not put the marker after a local activity, where a replay would not see it yet.
    for name in CASE_SCENARIOS:
        path = BEFORE_CONSOLIDATED_PATCHES / f"case-replay-{name}.json"
        assert patch_position(path, "batched-deadlines") < first_local_activity(path), name
    # Each of the two transfers restarts the new unit's sign-for and transfer deadlines together; a deadline
    # started alone (the arbitration's, the sign-for after it) is still counted by the single activity.
    current = local_activities(BEFORE_POLICY_WITH_FIRST_DEADLINES / "case-replay-transfer.json")
    older = local_activities(before / "case-replay-transfer.json")
    assert (current.count("compute_deadlines"), current.count("compute_deadline")) == (3, 2)
    assert (older.count("compute_deadlines"), older.count("compute_deadline")) == (0, 4 + 2 * 2 + 2)


def test_current_cases_resolve_their_policy_and_first_deadlines_in_one_activity() -> None:
    for name, current, older in case_pairs(BEFORE_POLICY_WITH_FIRST_DEADLINES):
        assert takes(current, "policy-with-first-deadlines"), name
        assert not takes(older, "policy-with-first-deadlines"), name
        # One local activity (a marker, an activation) where there were two; every later one as it was.
        now, before = local_activities(current), local_activities(older)
        assert now[:2] == ["start_case", "publish_notification"], name
        assert before[:3] == ["resolve_case_policy", "compute_deadlines", "publish_notification"], name
        assert now[1:] == before[2:], name
        assert len(markers(current)) == len(markers(older)) - 1, name


@pytest.mark.parametrize("path", RECORDED, ids=[f"{path.parent.name}/{path.stem}" for path in RECORDED])
async def test_recorded_history_replays_on_the_current_code(path: Path) -> None:
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)

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
        await replayer.replay_workflow(load(HISTORIES / "case-replay-on-time.json"))
