"""The centre's desk: its lists and their links to the search."""

from __future__ import annotations

from services.console.centre_desk import DESK


def test_each_list_links_to_the_whole_of_it_on_the_search_page() -> None:
    links = {d.key: d.search_link for d in DESK}
    assert links["triage"] == "/search?status=triage&sort=received_at"
    assert links["extensions"] == "/search?extension_pending=true&sort=received_at"
    assert links["escalations"].startswith("/search?escalation_level_min=1&status=received&status=triage")
