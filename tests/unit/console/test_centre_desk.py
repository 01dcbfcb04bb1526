"""The centre's desk: its lists, their counts and links, a confidence as a percent."""

from __future__ import annotations

import pytest

from services.console.centre_desk import DESK, count_label, percent


@pytest.mark.parametrize(("value", "shown"), [(0.4612, "46%"), (1, "100%"), (0.0, "0%"), (None, "—"), ("0.5", "—")])
def test_a_confidence_as_percent(value: object, shown: str) -> None:
    assert percent(value) == shown


@pytest.mark.parametrize(("rows", "more", "shown"), [(0, False, "0"), (7, False, "7"), (20, True, "20+")])
def test_a_lists_count(rows: int, more: bool, shown: str) -> None:
    assert count_label(rows, more) == shown


def test_each_list_links_to_the_whole_of_it_on_the_search_page() -> None:
    links = {d.key: d.search_link for d in DESK}
    assert links["triage"] == "/search?status=triage&sort=received_at"
    assert links["extensions"] == "/search?extension_pending=true&sort=received_at"
    assert links["escalations"].startswith("/search?escalation_level_min=1&status=received&status=triage")
