"""How the console writes times, countdowns and labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.console.formats import STATUS_LABELS, count_shown, countdown, label, local_time, percent

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "words", "urgency"),
    [
        (NOW + timedelta(days=3, hours=2), "剩余3天2小时", "ok"),
        (NOW + timedelta(days=1), "剩余1天0小时", "ok"),
        (NOW + timedelta(hours=23, minutes=59), "剩余23小时59分", "soon"),
        (NOW + timedelta(minutes=5), "剩余5分钟", "soon"),
        (NOW - timedelta(minutes=1), "已超时1分钟", "overdue"),
        (NOW - timedelta(days=2, hours=5), "已超时2天5小时", "overdue"),
        ((NOW + timedelta(hours=2)).isoformat(), "剩余2小时0分", "soon"),
        (None, "—", "none"),
    ],
)
def test_countdown_says_what_is_left(due: datetime | str | None, words: str, urgency: str) -> None:
    assert countdown(due, NOW) == (words, urgency)


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (NOW, "2026-12-07 14:00"),  # the city's time, UTC+8
        ("2026-12-31T16:30:00+00:00", "2027-01-01 00:30"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_local_time_is_the_citys(moment: datetime | str | None, shown: str) -> None:
    assert local_time(moment) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [("assigned", "待签收"), ("closed", "已归档"), ("a-new-status", "a-new-status"), (None, "—")]
)
def test_labels_fall_back_to_the_value(value: str | None, shown: str) -> None:
    assert label(STATUS_LABELS, value) == shown


@pytest.mark.parametrize(("rate", "shown"), [(0.9234, "92.3%"), (1.0, "100.0%"), (0.0, "0.0%"), (None, "—")])
def test_percent(rate: float | None, shown: str) -> None:
    assert percent(rate) == shown


@pytest.mark.parametrize(("value", "shown"), [(0.4612, "46%"), (1, "100%"), (0.0, "0%"), (None, "—"), ("0.5", "—")])
def test_a_confidence_as_a_whole_percent(value: object, shown: str) -> None:
    assert percent(value, 0) == shown


@pytest.mark.parametrize(
    ("count", "more", "shown"),
    [(0, False, "0"), (7, False, "7"), (12, False, "12"), (20, True, "20+"), (200, True, "200+")],
)
def test_a_count_says_when_the_list_shows_only_part(count: int, more: bool, shown: str) -> None:
    assert count_shown(count, more) == shown
