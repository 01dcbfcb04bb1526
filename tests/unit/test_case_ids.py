"""Identifiers derived from a ticket: the same ticket always gets the same ids."""

from __future__ import annotations

import uuid

import pytest

from services.contracts.case_ids import case_id_for, intake_msg_id, routed_msg_id, ticket_key, workflow_id_for
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


# --- calls from units: the calling unit is part of the identity --------------------------------------------------

PINNED = uuid.UUID("6f1c7c52-3b8e-4c8e-9d57-3c1f0b8a2e11")


@pytest.mark.parametrize(
    ("channel", "external_id"),
    [
        pytest.param("12345", "12345-20261122-000187", id="12345"),
        pytest.param("89000", "89000-7", id="89000"),
        pytest.param("grid", "g-1", id="grid"),
        pytest.param("assigned", "jb-2026-01", id="assigned"),
        pytest.param("township_call", "TC-0001", id="township-call-from-its-platform"),
        pytest.param("key_work_call", "KW-0001", id="key-work-call-from-its-platform"),
    ],
)
def test_tickets_without_a_calling_unit_keep_todays_ids(channel: str, external_id: str) -> None:
    # Pinned: existing cases (and their workflows, index records and msg ids) keep their ids.
    assert case_id_for(channel, external_id) == str(uuid.uuid5(PINNED, f"{channel}:{external_id}"))
    assert intake_msg_id(channel, external_id) == f"{channel}:{external_id}"


@pytest.mark.parametrize(
    ("channel", "calling_unit", "external_id", "key"),
    [
        ("township_call", "hekou-town", "TC-0001", "township_call@hekou-town:TC-0001"),
        ("township_call", "shiqiao-town", "TC-0001", "township_call@shiqiao-town:TC-0001"),
        ("key_work_call", "water", "KW-0001", "key_work_call@water:KW-0001"),
        ("key_work_call", "coordination-centre", "KW-0001", "key_work_call@coordination-centre:KW-0001"),
    ],
)
def test_a_units_call_is_keyed_by_its_calling_unit(channel: str, calling_unit: str, external_id: str, key: str) -> None:
    assert ticket_key(channel, external_id, calling_unit=calling_unit) == key
    assert intake_msg_id(channel, external_id, calling_unit=calling_unit) == key
    assert case_id_for(channel, external_id, calling_unit=calling_unit) == str(uuid.uuid5(PINNED, key))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            ("township_call", "TC-0001", "hekou-town"),
            ("township_call", "TC-0001", "shiqiao-town"),
            id="two-townships-numbering-alike",
        ),
        pytest.param(
            ("key_work_call", "KW-1", "water"), ("key_work_call", "KW-1", "hekou-town"), id="two-units-key-work"
        ),
        pytest.param(
            ("township_call", "TC-0001", "hekou-town"), ("key_work_call", "TC-0001", "hekou-town"), id="two-channels"
        ),
        pytest.param(
            ("township_call", "TC-0001", "hekou-town"), ("township_call", "TC-0001", None), id="unit-and-platform"
        ),
        pytest.param(
            # A platform's external id shaped like a unit's key still makes another case.
            ("township_call", "TC-0001", "hekou-town"),
            ("township_call", "@hekou-town:TC-0001", None),
            id="no-key-forgery",
        ),
        pytest.param(
            ("township_call", "x:TC-1", "hekou-town"),
            ("township_call", "TC-1", "hekou-town"),
            id="colon-in-external-id",
        ),
    ],
)
def test_different_callers_get_different_cases(
    first: tuple[str, str, str | None], second: tuple[str, str, str | None]
) -> None:
    (channel_a, id_a, unit_a), (channel_b, id_b, unit_b) = first, second

    assert case_id_for(channel_a, id_a, calling_unit=unit_a) != case_id_for(channel_b, id_b, calling_unit=unit_b)
    assert intake_msg_id(channel_a, id_a, calling_unit=unit_a) != intake_msg_id(channel_b, id_b, calling_unit=unit_b)


@pytest.mark.parametrize(
    ("channel", "calling_unit", "message"),
    [
        pytest.param("12345", "hekou-town", "takes no calling unit", id="platform-channel"),
        pytest.param("grid", "hekou-town", "takes no calling unit", id="grid"),
        pytest.param("assigned", "coordination-centre", "takes no calling unit", id="assigned"),
        pytest.param("township_call", "Hekou Town", "not a unit code", id="not-a-code"),
        pytest.param("township_call", "hekou:town", "not a unit code", id="colon"),
        pytest.param("township_call", "hekou-town\n", "not a unit code", id="trailing-newline"),
        pytest.param("township_call", "", "not a unit code", id="empty"),
    ],
)
def test_a_calling_unit_is_refused_where_it_cannot_be(channel: str, calling_unit: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        case_id_for(channel, "x-1", calling_unit=calling_unit)
