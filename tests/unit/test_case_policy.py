"""A case's policy: resolved per item, urgency and complexity; equal policies shared by the cases of a process."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.contracts.case_policy import (
    AfterPause,
    CasePolicy,
    DeadlinePolicy,
    ItemPolicy,
    LadderStep,
    PolicyError,
    Window,
    WindowOverrides,
    default_policy_path,
    load_policy,
    policy_for_case,
    shared_policy,
)


def decoded(policy: CasePolicy) -> CasePolicy:
    """The policy as a case gets it: decoded from its history's JSON, a new instance each time."""
    return CasePolicy.model_validate_json(policy.model_dump_json())


def test_equal_policies_decoded_apart_are_one_shared_instance() -> None:
    resolved = policy_for_case(load_policy(), item="LS-06", complexity="normal", urgent=False)
    first, second = decoded(resolved), decoded(resolved)
    assert first is not second

    assert shared_policy(first) is shared_policy(second)
    assert shared_policy(second) == resolved


def test_policies_that_differ_are_not_shared() -> None:
    policy = load_policy()
    normal = decoded(policy_for_case(policy, item="LS-07", complexity="normal", urgent=False))
    urgent = decoded(policy_for_case(policy, item="LS-07", complexity="normal", urgent=True))
    complex_ = decoded(policy_for_case(policy, item="LS-07", complexity="complex", urgent=False))
    renamed = decoded(normal.model_copy(update={"version": f"{normal.version}-next"}))

    shared = [shared_policy(p) for p in (normal, urgent, complex_, renamed)]

    assert len({id(p) for p in shared}) == 4
    assert shared == [normal, urgent, complex_, renamed]
    assert shared[0].windows.resolution != shared[2].windows.resolution


def test_a_case_policy_cannot_be_changed_in_place() -> None:
    """Shared between cases, it must be immutable all through: the ladder too."""
    policy = decoded(policy_for_case(load_policy(), item=None, complexity="normal", urgent=False))

    with pytest.raises(ValidationError, match="frozen"):
        policy.max_transfers = 5  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        policy.windows.feedback.working_days = 9  # type: ignore[misc]
    assert isinstance(policy.escalation_ladder, tuple)
    assert not hasattr(policy.escalation_ladder, "append")
    hash(policy)  # what sharing it by value needs


def test_the_ladder_reads_from_a_json_array_as_recorded_in_older_histories() -> None:
    policy = policy_for_case(load_policy(), item=None, complexity="normal", urgent=False)
    recorded = policy.model_dump(mode="json")
    assert isinstance(recorded["escalation_ladder"], list)

    reread = CasePolicy.model_validate(recorded)

    assert reread == policy
    assert reread.step(0) == LadderStep.model_validate(recorded["escalation_ladder"][0])
    assert reread.step(99) == reread.escalation_ladder[-1]


def test_an_item_window_in_hours_replaces_a_normal_working_day_window_as_a_window() -> None:
    """Per-item overrides in hours for a non-urgent case: resolved into windows, without serializer warnings (an
    activity's log would show one for every new case of the item)."""
    policy = load_policy().model_copy(
        update={"items": {"XX-01": ItemPolicy(normal=WindowOverrides(resolution=Window(hours=24)))}}
    )

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        case = policy_for_case(policy, item="XX-01", complexity="normal", urgent=False)

    assert case.urgency == "normal"
    assert case.windows.resolution == Window(hours=24)
    assert isinstance(case.windows.resolution, Window)
    assert case.windows.feedback == policy.normal.feedback
    assert policy_for_case(policy, item="XX-02", complexity="normal", urgent=False).windows == policy.normal


UTILITY_OUTAGE_ITEMS = ("LS-06", "UC-07", "EM-02")  # water supply, heating, gas


@pytest.mark.parametrize("item", UTILITY_OUTAGE_ITEMS)
def test_the_sample_policy_gives_utility_outages_24_hours_around_the_clock(item: str) -> None:
    policy = load_policy()

    normal = policy_for_case(policy, item=item, complexity="normal", urgent=False)
    urgent = policy_for_case(policy, item=item, complexity="normal", urgent=True)

    assert normal.urgency == "normal"
    assert normal.windows.resolution == Window(hours=24)
    windows = (normal.windows.sign_for, normal.windows.transfer, normal.windows.feedback)
    # Shorter steps, in hours too: a working day would end after the 24 hours on a Friday evening.
    assert all(w.hours is not None and w.hours < 24 for w in windows), windows
    assert normal.windows.sign_for.hours <= normal.windows.feedback.hours  # type: ignore[operator]
    # An urgent ticket on these items keeps the urgent windows, which are no longer.
    assert urgent.windows == policy.urgent


def test_other_items_keep_the_working_day_windows_and_the_policy_version_moved_on() -> None:
    policy = load_policy()

    assert set(policy.items) == set(UTILITY_OUTAGE_ITEMS)
    assert policy_for_case(policy, item="LS-07", complexity="normal", urgent=False).windows == policy.normal
    assert policy.version != "2026.1", "cases started under 2026.1 keep it; the new windows are a new version"


def test_missed_deadlines_climb_by_themselves_to_the_unit_leader_and_for_major_items_to_the_top() -> None:
    policy = load_policy()

    routine = policy_for_case(policy, item="LS-07", complexity="normal", urgent=False)
    major = policy_for_case(policy, item="EM-05", complexity="complex", urgent=False, major=True)

    assert policy.automatic_escalation_max_level == 1
    assert (routine.automatic_top, routine.top_level) == (1, 3)
    assert (major.automatic_top, major.top_level) == (3, 3)
    # The coordination centre is told when a case reaches the unit leader, as the leader is.
    assert routine.step(1).also_notify == ("coordination-centre",)
    assert [step.also_notify for step in routine.escalation_ladder] == [(), ("coordination-centre",), (), ()]
    hash(major)  # still shareable by value


def test_a_policy_recorded_before_the_automatic_end_climbs_to_the_top() -> None:
    """Cases started before the field keep climbing as they did (their policy is read back from their history)."""
    recorded = policy_for_case(load_policy(), item=None, complexity="normal", urgent=False).model_dump(mode="json")
    del recorded["automatic_escalation_max_level"]
    for step in recorded["escalation_ladder"]:
        del step["also_notify"]

    reread = CasePolicy.model_validate(recorded)

    assert reread.automatic_top == reread.top_level == 3
    assert all(step.also_notify == () for step in reread.escalation_ladder)


def test_an_automatic_end_above_the_ladder_is_refused(tmp_path: Path) -> None:
    document = json.loads(default_policy_path().read_text(encoding="utf-8"))
    document["automatic_escalation_max_level"] = 4
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(PolicyError, match="automatic_escalation_max_level: must not be above the ladder's top"):
        load_policy(path)


def test_deadlines_paused_for_arbitration_resume_unless_the_policy_says_restart() -> None:
    policy = load_policy()
    assert policy.after_arbitration is AfterPause.RESUME
    restart = DeadlinePolicy.model_validate({**policy.model_dump(), "after_arbitration": "restart"})
    case = policy_for_case(restart, item=None, complexity="normal", urgent=False)
    assert case.after_arbitration is AfterPause.RESTART
    with pytest.raises(ValidationError, match="after_arbitration"):
        DeadlinePolicy.model_validate({**policy.model_dump(), "after_arbitration": "forget"})
    # A policy recorded in a case's history before the field existed reads as resume.
    recorded = policy_for_case(policy, item=None, complexity="normal", urgent=False).model_dump(mode="json")
    del recorded["after_arbitration"]
    assert CasePolicy.model_validate(recorded).after_arbitration is AfterPause.RESUME


def test_a_ladder_of_another_height_than_the_rules_name_is_refused(tmp_path: Path) -> None:
    document = json.loads(default_policy_path().read_text(encoding="utf-8"))
    document["escalation_ladder"] = document["escalation_ladder"][:3]
    document["automatic_escalation_max_level"] = 1
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(PolicyError, match="escalation_ladder: must have the 4 levels the rules name"):
        load_policy(path)
