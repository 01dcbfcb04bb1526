"""Ticket validation: what a platform may and may not send to `POST /v1/cases`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.contracts.tickets import Channel, Ticket, Urgency

from .builders import make_ticket, ticket_fields


def refused_fields(**overrides: Any) -> set[str]:
    """Validate a ticket expected to be refused; the top-level fields the errors name."""
    with pytest.raises(ValidationError) as refused:
        Ticket.model_validate(ticket_fields(**overrides))
    return {str(error["loc"][0]) for error in refused.value.errors()}


def test_documented_example_is_a_valid_ticket() -> None:
    example = Ticket.model_json_schema()["examples"][0]

    ticket = Ticket.model_validate({**example, "reported_at": datetime.now(UTC).isoformat()})

    assert ticket.channel is Channel.HOTLINE_12345
    assert ticket.caller is not None
    assert ticket.caller.phone == "13800000000"


def test_minimal_ticket_gets_defaults() -> None:
    ticket = make_ticket()

    assert ticket.urgency is Urgency.NORMAL
    assert ticket.category_code is None
    assert ticket.township is None
    assert ticket.callback_url is None


@pytest.mark.parametrize("field", ["channel", "external_id", "title", "description", "reported_at"])
def test_required_field_missing_is_refused(field: str) -> None:
    fields = ticket_fields()
    del fields[field]

    with pytest.raises(ValidationError) as refused:
        Ticket.model_validate(fields)

    assert [(error["loc"], error["type"]) for error in refused.value.errors()] == [((field,), "missing")]


@pytest.mark.parametrize("channel", [c.value for c in Channel])
def test_every_known_channel_is_accepted(channel: str) -> None:
    assert make_ticket(channel=channel).channel.value == channel


@pytest.mark.parametrize("channel", ["wechat", "", "12346"])
def test_unknown_channel_is_refused(channel: str) -> None:
    assert refused_fields(channel=channel) == {"channel"}


@pytest.mark.parametrize(("field", "limit"), [("title", 200), ("description", 10000), ("external_id", 128)])
def test_text_at_its_length_limit_is_accepted_and_one_more_is_refused(field: str, limit: int) -> None:
    assert len(getattr(make_ticket(**{field: "x" * limit}), field)) == limit
    assert refused_fields(**{field: "x" * (limit + 1)}) == {field}


@pytest.mark.parametrize("field", ["title", "description", "external_id"])
def test_blank_text_is_refused(field: str) -> None:
    assert refused_fields(**{field: "   "}) == {field}


def test_surrounding_whitespace_is_stripped() -> None:
    assert make_ticket(title="  小区停水  ").title == "小区停水"


def test_external_id_with_control_characters_is_refused() -> None:
    assert refused_fields(external_id="12345-\x00-1") == {"external_id"}


def test_reported_at_without_time_zone_is_refused() -> None:
    assert refused_fields(reported_at="2026-11-22T09:15:00") == {"reported_at"}


def test_reported_at_in_another_time_zone_keeps_its_offset() -> None:
    reported = datetime.now(UTC).astimezone().replace(microsecond=0) - timedelta(hours=2)

    assert make_ticket(reported_at=reported.isoformat()).reported_at == reported


def test_reported_at_slightly_ahead_of_our_clock_is_accepted() -> None:
    ahead = datetime.now(UTC) + timedelta(minutes=4)

    assert make_ticket(reported_at=ahead.isoformat()).reported_at == ahead


def test_reported_at_more_than_5_minutes_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationError, match="reported_at lies in the future"):
        Ticket.model_validate(ticket_fields(reported_at=(datetime.now(UTC) + timedelta(minutes=6)).isoformat()))


def test_reported_at_long_ago_is_accepted() -> None:
    assert make_ticket(reported_at="2020-01-01T00:00:00+08:00").reported_at.year == 2020


@pytest.mark.parametrize(
    "extra",
    [{"priority": "high"}, {"caller": {"name": "王女士", "id_card": "110101199003070000"}}],
    ids=["ticket", "caller"],
)
def test_unknown_fields_are_refused(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        Ticket.model_validate(ticket_fields(**extra))

    assert {error["type"] for error in refused.value.errors()} == {"extra_forbidden"}


@pytest.mark.parametrize("phone", ["13800000000", "+86 138-0000-0000", "0571-12345"])
def test_plausible_phone_is_accepted(phone: str) -> None:
    ticket = make_ticket(caller={"phone": phone})

    assert ticket.caller is not None
    assert ticket.caller.phone == phone


@pytest.mark.parametrize("phone", ["call me", "12", "138<script>", "1" * 33])
def test_bad_phone_is_refused(phone: str) -> None:
    assert refused_fields(caller={"phone": phone}) == {"caller"}


def test_callback_url_is_accepted_as_an_http_url() -> None:
    ticket = make_ticket(callback_url="https://12345.example.gov.cn/callbacks/cases")

    assert ticket.callback_url is not None
    assert ticket.callback_url.host == "12345.example.gov.cn"


@pytest.mark.parametrize("url", ["not a url", "ftp://files.example.gov.cn/x", "javascript:alert(1)"])
def test_callback_url_that_is_not_an_http_url_is_refused(url: str) -> None:
    assert refused_fields(callback_url=url) == {"callback_url"}


@pytest.mark.parametrize(("field", "value"), [("category_code", "LS 06"), ("township", "Hekou Town")])
def test_codes_that_are_not_subject_tokens_are_refused(field: str, value: str) -> None:
    assert refused_fields(**{field: value}) == {field}


def test_ticket_survives_a_json_round_trip() -> None:
    ticket = make_ticket(category_code="LS-06", township="hekou-town", callback_url="https://example.gov.cn/cb")

    assert Ticket.model_validate_json(ticket.model_dump_json()) == ticket


@pytest.mark.parametrize(
    ("location", "where"),
    [
        ({"latitude": 36.2}, "location.longitude"),
        ({"longitude": 117.5}, "location.longitude"),
        ({"latitude": -90.5, "longitude": 117.5}, "location.latitude"),
        ({"latitude": 36.2, "longitude": -180.5}, "location.longitude"),
        ({"latitude": 91, "longitude": 117.5}, "location.latitude"),
        ({"latitude": 36.2, "longitude": 117.5, "coordinate_system": "cgcs2000"}, "location.coordinate_system"),
        ({"grid_code": "sample-district..g01"}, "location.grid_code"),
        ({"grid_code": "a.b.c.d.e"}, "location.grid_code"),
        ({}, "location"),
        ({"coordinate_system": "bd09"}, "location"),
    ],
)
def test_a_bad_location_is_refused_naming_the_field(location: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Ticket.model_validate(ticket_fields(location=location))

    assert where in [".".join(str(part) for part in error["loc"]) for error in refused.value.errors()]


@pytest.mark.parametrize(
    "location",
    [
        {"latitude": 36.2, "longitude": 117.5},
        {"latitude": 36.2, "longitude": 117.5, "coordinate_system": "gcj02"},
        {"latitude": 0, "longitude": 0, "coordinate_system": "bd09"},
        {"grid_code": "sample-district.hekou-town.wangjia.g01"},
        {"grid_code": "sample-district"},
        {"latitude": -90, "longitude": 180, "grid_code": "x.y"},
    ],
)
def test_a_location_is_a_point_a_grid_code_or_both(location: dict[str, Any]) -> None:
    assert make_ticket(location=location).location is not None
