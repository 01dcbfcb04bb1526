"""Links in deliveries to the attachments an event names (and to the thumbnails of those it says have one): made for
the recipient, readable by intake, and none where the notifier has no public API address or the recipient is not
the unit or the platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.contracts.attachment_links import LinkVariant, read_link_token
from services.contracts.credentials import ClientKind
from services.contracts.events import Audience, EventKind, NotificationEvent
from services.contracts.payload_keys import build_keyring
from services.notifier.media_links import MediaLinks

KEYRING = build_keyring("", "", development=True)
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def event(
    audience: Audience, *, unit: str, attachment_ids: list[str], thumbnail_ids: list[str] | None = None
) -> NotificationEvent:
    return NotificationEvent(
        event_id="c1:9",
        kind=EventKind.CASE_RESOLVED,
        case_id="c1",
        unit=unit,
        audience=audience,
        sequence=9,
        occurred_at=NOW,
        title="小区停水",
        channel="12345",
        attachment_ids=attachment_ids,
        thumbnail_ids=thumbnail_ids or [],
    )


@pytest.mark.parametrize(
    ("audience", "unit", "kind", "subject"),
    [
        (Audience.PLATFORM, "platform-12345", ClientKind.PLATFORM, "12345"),
        (Audience.UNIT, "water", ClientKind.UNIT, "water"),
    ],
)
def test_a_link_per_attachment_made_for_the_recipient(
    audience: Audience, unit: str, kind: ClientKind, subject: str
) -> None:
    links = MediaLinks(api_url="https://hotline.example.gov.cn/", keyring=KEYRING, lifetime=timedelta(hours=72))
    made = links.for_event(event(audience, unit=unit, attachment_ids=["a1", "a2"]), now=NOW)

    assert [link.attachment_id for link in made] == ["a1", "a2"]
    assert all(link.url.startswith("https://hotline.example.gov.cn/v1/attachment-downloads/") for link in made)
    grant = read_link_token(made[0].url.rsplit("/", 1)[1], KEYRING, now=NOW)
    assert (grant.case_id, grant.attachment_id, grant.variant) == ("c1", "a1", LinkVariant.FILE)
    assert (grant.kind, grant.subject, grant.client_id) == (kind, subject, f"notifier:{unit}")
    assert grant.expires_at == made[0].expires_at == NOW + timedelta(hours=72)


@pytest.mark.parametrize(
    ("api_url", "audience", "attachment_ids"),
    [
        (None, Audience.PLATFORM, ["a1"]),  # no address a receiver could reach
        ("https://hotline.example.gov.cn", Audience.PLATFORM, []),  # nothing shown
        ("https://hotline.example.gov.cn", Audience.UNIT_LEADER, ["a1"]),  # a leader's copy
        ("https://hotline.example.gov.cn", Audience.COORDINATION, ["a1"]),
    ],
)
def test_no_links(api_url: str | None, audience: Audience, attachment_ids: list[str]) -> None:
    links = MediaLinks(api_url=api_url, keyring=KEYRING, lifetime=timedelta(hours=1))
    assert links.for_event(event(audience, unit="x", attachment_ids=attachment_ids), now=NOW) == []


@pytest.mark.parametrize(
    ("thumbnail_ids", "with_thumbnail"),
    [
        ([], {"a1": False, "a2": False}),  # a PDF and a recording: the file only
        (["a2"], {"a1": False, "a2": True}),
        (["a1", "a2"], {"a1": True, "a2": True}),
    ],
)
def test_a_thumbnail_link_for_each_attachment_the_event_says_has_one(
    thumbnail_ids: list[str], with_thumbnail: dict[str, bool]
) -> None:
    links = MediaLinks(api_url="https://hotline.example.gov.cn", keyring=KEYRING, lifetime=timedelta(hours=72))
    shown = event(Audience.UNIT, unit="hekou-town", attachment_ids=["a1", "a2"], thumbnail_ids=thumbnail_ids)

    made = links.for_event(shown, now=NOW)

    assert {link.attachment_id: link.thumbnail_url is not None for link in made} == with_thumbnail
    for link in made:
        if link.thumbnail_url is None:
            continue
        grant = read_link_token(link.thumbnail_url.rsplit("/", 1)[1], KEYRING, now=NOW)
        assert (grant.attachment_id, grant.variant) == (link.attachment_id, LinkVariant.THUMBNAIL)
        assert (grant.kind, grant.subject, grant.expires_at) == (ClientKind.UNIT, "hekou-town", link.expires_at)
