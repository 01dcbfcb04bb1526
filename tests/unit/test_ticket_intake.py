"""When the case records do not answer: which tickets may be resubmissions whose index key has expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.intake.ticket_intake import could_be_expired

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LIFETIME = timedelta(days=30)


@pytest.mark.parametrize(
    ("reported_before_now", "may_have_expired"),
    [
        (timedelta(minutes=3), False),  # the usual ticket: a key written for it would still be there
        (timedelta(days=29, hours=23), False),
        (timedelta(days=30), True),  # received no earlier than reported: its key may just have gone
        (timedelta(days=40), True),
        (-timedelta(seconds=30), False),  # a platform clock a little ahead (intake allows some skew)
    ],
)
def test_only_a_ticket_reported_a_key_lifetime_ago_or_more_may_have_lost_its_key(
    reported_before_now: timedelta, may_have_expired: bool
) -> None:
    reported_at = NOW - reported_before_now

    assert could_be_expired(reported_at, now=NOW, key_lifetime=LIFETIME) is may_have_expired
