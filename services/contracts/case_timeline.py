"""The words of a case's timeline (`timeline[].actor`, `timeline[].action` in API v1): part of the public API."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

# Actors that are neither units nor people signed in: they appear on timelines only.
SYSTEM = "system"  # the workflow itself: deadlines, escalation, closing
ROUTER = "router"  # the router, placing a case by its rules
CALLER = "caller"  # the person who called, rating through their platform


class TimelineAction(StrEnum):
    """What happened, in every workflow's timeline (the case's, its triage's, a joint task's, a catalog change's)."""

    # Receiving and placing a case
    RECEIVED = "received"
    SENT_TO_TRIAGE = "sent_to_triage"
    TRIAGED = "triaged"
    ROUTED = "routed"
    ASSIGNED = "assigned"
    URGENCY_NOT_ALLOWED = "urgency_not_allowed"
    DEADLINE_RECOMPUTED = "deadline_recomputed"
    DEADLINE_PAUSED = "deadline_paused"
    DEADLINE_RESUMED = "deadline_resumed"
    # Signing for, handing over, replying
    ACCEPTED = "accepted"
    TRANSFERRED = "transferred"
    TRANSFER_WINDOW_CLOSED = "transfer_window_closed"
    ARBITRATION_REQUESTED = "arbitration_requested"
    ARBITRATED = "arbitrated"
    FEEDBACK = "feedback"
    PROGRESS = "progress"
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_FETCH_FAILED = "attachment_fetch_failed"  # a ticket's `attachment_urls[i]` could not be had
    # Joint handling: the case's records, and a joint task's own reports
    JOINT_HANDLING_STARTED = "joint_handling_started"
    JOINT_TASK_ACCEPTED = "joint_task_accepted"
    JOINT_TASK_REPORTED = "joint_task_reported"
    JOINT_TASK_COMPLETED = "joint_task_completed"
    JOINT_TASK_DEADLINE_BREACHED = "joint_task_deadline_breached"
    JOINT_HANDLING_CLOSED = "joint_handling_closed"
    REPORTED = "reported"
    COMPLETED = "completed"
    # Deadlines and the escalation ladder
    DEADLINE_BREACHED = "deadline_breached"
    CHASE_UP = "chase_up"
    ESCALATION_REQUESTED = "escalation_requested"
    ESCALATED = "escalated"
    ESCALATION_HELD = "escalation_held"
    TOP_LEVEL_COORDINATION = "top_level_coordination"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REFUSED = "extension_refused"
    # Resolution, rating, rework, closing
    RESOLVED = "resolved"
    RATED = "rated"
    REWORK = "rework"
    DEMAND_JUDGED_UNREASONABLE = "demand_judged_unreasonable"
    CLOSED = "closed"
    # A catalog change
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REFUSED = "refused"
    APPLIED = "applied"
    FAILED = "failed"
    EXPIRED = "expired"


# A joint task's report (its own timeline's action) as the case's timeline records it.
JOINT_TASK_ACTIONS: Mapping[str, TimelineAction] = {
    TimelineAction.ACCEPTED: TimelineAction.JOINT_TASK_ACCEPTED,
    TimelineAction.REPORTED: TimelineAction.JOINT_TASK_REPORTED,
    TimelineAction.COMPLETED: TimelineAction.JOINT_TASK_COMPLETED,
    TimelineAction.DEADLINE_BREACHED: TimelineAction.JOINT_TASK_DEADLINE_BREACHED,
}
