"""An Open311 client's form as a ticket: the spec's fields in our ticket's words, the client's token as its identity,
a refusal naming the form's field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.contracts.catalog import load_catalog
from services.contracts.credential_subjects import subject_fits
from services.contracts.credentials import ClientKind
from services.contracts.tickets import Channel, CoordinateSystem
from services.intake.open311_forms import (
    RequestForm,
    content_token,
    external_id_for,
    full_name,
    ticket_from_form,
    token_of,
)
from services.intake.open311_mapping import Open311InputError

CATALOG = load_catalog()
APP = "citizen-app"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
FORM = {
    "service_code": "LS-06",
    "lat": "36.7",
    "long": "120.5",
    "address_string": "河口镇幸福家园小区3号楼",
    "description": "小区停水两天",
    "first_name": "丽",
    "last_name": "王",
    "phone": "13800000000",
    "email": "wang@example.cn",
    "api_key": "hk_x_y",
}


def test_a_request_becomes_an_open311_ticket_with_a_wgs84_point() -> None:
    ticket = ticket_from_form(RequestForm(FORM), CATALOG, client_id=APP, now=NOW)
    assert ticket.channel is Channel.OPEN311
    assert ticket.category_code == "LS-06"
    assert ticket.address == "河口镇幸福家园小区3号楼"
    assert ticket.caller is not None and (ticket.caller.name, ticket.caller.phone) == ("王丽", "13800000000")
    assert ticket.location is not None
    assert (ticket.location.latitude, ticket.location.longitude) == (36.7, 120.5)
    assert ticket.location.coordinate_system is CoordinateSystem.WGS84
    assert ticket.title.endswith("小区停水两天") and ticket.reported_at == NOW


def test_names_and_numbers_are_kept_as_people_write_them() -> None:
    assert (full_name("秀英", "王"), full_name("Ada", "Lovelace"), full_name(None, "王"), full_name(None, None)) == (
        "王秀英",
        "Ada Lovelace",
        "王",
        None,
    )
    ticket = ticket_from_form(RequestForm({**FORM, "phone": "(0532) 8888-1234"}), CATALOG, client_id=APP, now=NOW)
    assert ticket.caller is not None and ticket.caller.phone == "0532 8888-1234"


def test_the_same_request_twice_has_one_token_and_the_clients_own_token_wins() -> None:
    again = {**FORM, "api_key": "another key, same request"}
    assert content_token(RequestForm(FORM)) == content_token(RequestForm(again))
    assert content_token(RequestForm(FORM)) != content_token(RequestForm({**FORM, "description": "停电"}))
    own = ticket_from_form(RequestForm({**FORM, "token": "app-000042"}), CATALOG, client_id=APP, now=NOW)
    assert own.external_id == "citizen-app/app-000042" and token_of(own.external_id) == "app-000042"


def test_each_open311_client_numbers_its_own_requests() -> None:
    """Two apps share the channel, not their tokens: the same token from each is two tickets."""
    form = RequestForm({**FORM, "token": "1"})
    other = ticket_from_form(form, CATALOG, client_id="another-app", now=NOW)
    assert other.external_id != ticket_from_form(form, CATALOG, client_id=APP, now=NOW).external_id
    assert external_id_for("another-app", "1") == other.external_id


def test_open311_keys_are_platform_keys_of_the_open311_channel() -> None:
    assert subject_fits(ClientKind.PLATFORM, "open311", CATALOG)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_code": ""}, "service_code"),
        ({"service_code": "NO-SUCH"}, "service_code"),
        ({"lat": "north"}, "lat"),
        ({"long": "200"}, "long"),
        ({"long": ""}, "long"),
        ({"lat": "", "long": "", "address_string": ""}, "lat"),
        ({"description": "长" * 4001}, "description"),
        ({"phone": "call me"}, "phone"),
        ({"token": "a/b"}, "token"),
        ({"token": "t" * 64}, "token"),
        ({"media_url": "ftp://photos.example.com/1.jpg"}, "media_url"),
        ({"media_url": "not a url"}, "media_url"),
    ],
)
def test_a_bad_request_names_its_field(change: dict[str, str], field: str) -> None:
    with pytest.raises(Open311InputError) as refused:
        ticket_from_form(RequestForm({**FORM, **change}), CATALOG, client_id=APP, now=NOW)
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")


def test_a_requests_media_url_is_the_photo_to_fetch() -> None:
    with_photo = ticket_from_form(
        RequestForm({**FORM, "media_url": "https://photos.example.com/r/1.jpg"}), CATALOG, client_id=APP, now=NOW
    )
    without = ticket_from_form(RequestForm(FORM), CATALOG, client_id=APP, now=NOW)
    assert [str(url) for url in with_photo.attachment_urls or []] == ["https://photos.example.com/r/1.jpg"]
    assert without.attachment_urls is None
