"""The words of a case's timeline are part of API v1: platforms match on them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from services.contracts.case_policy import EscalationLevel, load_policy
from services.contracts.case_timeline import JOINT_TASK_ACTIONS, SYSTEM, TimelineAction
from services.contracts.case_view import TimelineEntry

# Pinned: renaming one would change what `GET /v1/cases/{id}` answers for every case.
PUBLISHED_ACTIONS = {
    "received", "sent_to_triage", "triaged", "routed", "assigned", "urgency_not_allowed", "deadline_recomputed",
    "deadline_paused", "deadline_resumed",
    "accepted", "transferred", "transfer_window_closed", "arbitration_requested", "arbitrated", "feedback",
    "progress", "joint_handling_started", "joint_task_accepted", "joint_task_reported", "joint_task_completed",
    "joint_task_deadline_breached", "joint_handling_closed", "reported", "completed", "deadline_breached",
    "chase_up", "escalation_requested", "escalated", "escalation_held", "top_level_coordination",
    "extension_requested", "extension_approved", "extension_refused", "resolved", "rated", "rework",
    "demand_judged_unreasonable", "closed", "submitted", "approved",
    "refused", "applied", "failed", "expired", "attachment_added", "attachment_fetch_failed",
}  # fmt: skip


def test_timeline_actions_keep_their_published_words() -> None:
    assert {action.value for action in TimelineAction} == PUBLISHED_ACTIONS


def test_a_timeline_entry_shows_the_word_itself() -> None:
    entry = TimelineEntry(at=datetime(2026, 11, 22, 1, 15, tzinfo=UTC), actor=SYSTEM, action=TimelineAction.CHASE_UP)
    dumped = json.loads(entry.model_dump_json())

    assert (dumped["actor"], dumped["action"]) == ("system", "chase_up")


def test_a_joint_task_report_reaches_the_case_timeline_with_its_prefix() -> None:
    for report, on_case in JOINT_TASK_ACTIONS.items():
        assert on_case == f"joint_task_{report}"


def test_the_named_escalation_levels_are_the_policy_ladders_rungs() -> None:
    ladder = load_policy().escalation_ladder

    assert [(step.level, step.name) for step in ladder] == [
        (level.value, level.name.lower()) for level in EscalationLevel
    ]
