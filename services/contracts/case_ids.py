"""Identifiers that cross service boundaries, all derived deterministically so retries are harmless."""

from __future__ import annotations

import re
import uuid

from services.contracts.tickets import CODE_PATTERN, UNIT_CALL_CHANNELS, Channel

# Fixed namespace: changing it would give every existing ticket a new case id.
_CASE_NAMESPACE = uuid.UUID("6f1c7c52-3b8e-4c8e-9d57-3c1f0b8a2e11")
_UNIT_CODE = re.compile(CODE_PATTERN)


def ticket_key(channel: Channel | str, external_id: str, *, calling_unit: str | None = None) -> str:
    """A ticket's identity: `<channel>:<external_id>`, or `<channel>@<calling_unit>:<external_id>` for a unit's call.

    The `@` keeps the two forms apart (no channel name has one, no unit code has a `:`), so a platform's ticket
    never shares a key with a unit's call; a platform's key is exactly what it was before units were in it.
    """
    channel = Channel(channel)
    if calling_unit is None:
        return f"{channel.value}:{external_id}"
    if channel not in UNIT_CALL_CHANNELS:
        raise ValueError(f"channel {channel.value!r} takes no calling unit: its tickets are a platform's own")
    if not _UNIT_CODE.fullmatch(calling_unit):
        raise ValueError(f"calling unit {calling_unit!r} is not a unit code")
    return f"{channel.value}@{calling_unit}:{external_id}"


def case_id_for(channel: Channel | str, external_id: str, *, calling_unit: str | None = None) -> str:
    """The case id of a ticket: the same (channel, calling unit if any, external_id) always gives the same id."""
    return str(uuid.uuid5(_CASE_NAMESPACE, ticket_key(channel, external_id, calling_unit=calling_unit)))


def intake_msg_id(channel: Channel | str, external_id: str, *, calling_unit: str | None = None) -> str:
    """JetStream `Nats-Msg-Id` of a ticket, so a resubmission inside the duplicate window is dropped."""
    return ticket_key(channel, external_id, calling_unit=calling_unit)


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
