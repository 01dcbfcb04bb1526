"""Which recorded events a case's timeline shows once the workflow engine has let the case go."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.contracts.case_event_log import EventSource
from services.intake.case_records import shown_in_timeline

T, C = EventSource.TRIAGE, EventSource.CASE


@pytest.mark.parametrize(
    ("sources", "shown"),
    [
        ([C, C, C], [1, 2, 3]),  # routed straight to a unit: every event
        ([T, T, T, C, C], [1, 4, 5]),  # triaged: the receipt and the case's own events, as the case showed them
        ([T, T], [1, 2]),  # still in triage: the triage's timeline
    ],
)
def test_the_timeline_shows_what_the_live_case_showed(sources: list[EventSource], shown: list[int]) -> None:
    events = [SimpleNamespace(sequence=n, source=source) for n, source in enumerate(sources, start=1)]
    assert [event.sequence for event in shown_in_timeline(events)] == shown
