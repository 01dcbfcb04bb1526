"""A case's policy: resolved per item, urgency and complexity; equal policies shared by the cases of a process."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.contracts.case_policy import (
    AfterPause,
    CasePolicy,
    DeadlinePolicy,
    LadderStep,
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
    normal = decoded(policy_for_case(policy, item="LS-06", complexity="normal", urgent=False))
    urgent = decoded(policy_for_case(policy, item="LS-06", complexity="normal", urgent=True))
    complex_ = decoded(policy_for_case(policy, item="LS-06", complexity="complex", urgent=False))
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
