"""Identifiers derived from a ticket: the same ticket always gets the same ids."""

from __future__ import annotations

import uuid

import pytest

from services.contracts.case_ids import case_id_for, intake_msg_id, routed_msg_id, workflow_id_for
from services.contracts.tickets import Channel


def test_case_id_is_deterministic_and_a_uuid() -> None:
    first = case_id_for(Channel.HOTLINE_12345, "12345-20261122-000187")

    assert first == case_id_for(Channel.HOTLINE_12345, "12345-20261122-000187")
    assert uuid.UUID(first).version == 5


def test_case_id_of_a_known_ticket_never_changes() -> None:
    # Pinned: a changed namespace or key format would give every stored case a new id.
    assert case_id_for("12345", "12345-20261122-000187") == str(
        uuid.uuid5(uuid.UUID("6f1c7c52-3b8e-4c8e-9d57-3c1f0b8a2e11"), "12345:12345-20261122-000187")
    )


def test_same_external_id_on_another_channel_is_another_case() -> None:
    assert case_id_for(Channel.HOTLINE_12345, "000187") != case_id_for(Channel.LIVELIHOOD_89000, "000187")


def test_another_external_id_on_the_same_channel_is_another_case() -> None:
    assert case_id_for(Channel.GRID, "000187") != case_id_for(Channel.GRID, "000188")


@pytest.mark.parametrize("channel", list(Channel))
def test_channel_may_be_given_as_its_string_value(channel: Channel) -> None:
    assert case_id_for(channel.value, "x-1") == case_id_for(channel, "x-1")
    assert intake_msg_id(channel.value, "x-1") == intake_msg_id(channel, "x-1")


def test_unknown_channel_string_is_refused() -> None:
    with pytest.raises(ValueError, match="wechat"):
        case_id_for("wechat", "x-1")


def test_intake_msg_id_is_channel_and_external_id() -> None:
    assert intake_msg_id(Channel.LIVELIHOOD_89000, "89000-7") == "89000:89000-7"
    assert intake_msg_id("township_call", "tc-1") == "township_call:tc-1"


def test_routed_msg_id_and_workflow_id_are_prefixed_case_ids() -> None:
    case_id = case_id_for(Channel.GRID, "g-1")

    assert routed_msg_id(case_id) == f"routed:{case_id}"
    assert workflow_id_for(case_id) == f"case-{case_id}"
