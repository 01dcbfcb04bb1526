"""Identifiers that cross service boundaries, all derived deterministically so retries are harmless."""

from __future__ import annotations

import uuid

from services.contracts.tickets import Channel

# Fixed namespace: changing it would give every existing ticket a new case id.
_CASE_NAMESPACE = uuid.UUID("6f1c7c52-3b8e-4c8e-9d57-3c1f0b8a2e11")


def case_id_for(channel: Channel | str, external_id: str) -> str:
    """The case id of a platform ticket: the same (channel, external_id) always gives the same id."""
    return str(uuid.uuid5(_CASE_NAMESPACE, f"{Channel(channel).value}:{external_id}"))


def intake_msg_id(channel: Channel | str, external_id: str) -> str:
    """JetStream `Nats-Msg-Id` of a ticket, so a resubmission inside the duplicate window is dropped."""
    return f"{Channel(channel).value}:{external_id}"


def routed_msg_id(case_id: str) -> str:
    """`Nats-Msg-Id` of a routed case: a redelivered intake message is routed once."""
    return f"routed:{case_id}"


def triage_msg_id(case_id: str) -> str:
    """`Nats-Msg-Id` of a case sent to triage (distinct from the routed publish that follows the decision)."""
    return f"triage:{case_id}"


def workflow_id_for(case_id: str) -> str:
    """Temporal workflow id of a first-contact case."""
    return f"case-{case_id}"


def triage_workflow_id(case_id: str) -> str:
    """Temporal workflow id of a case's wait for the coordination centre's triage decision."""
    return f"triage-{case_id}"
