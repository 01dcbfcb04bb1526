"""A case's event log rebuilt from its workflows' timelines, for cases the stream no longer holds whole (pure).

Every event a case workflow publishes is a timeline entry it keeps (`CaseLog.record`), so the n-th entry of a
workflow's timeline is the n-th event it published, but for one: a case that waited for triage repeats its
`received` entry, which its triage published as sequence 1, and continues the log after the triage's events
(`events_before`). The timeline keeps what the entry says (time, actor, kind, words), not the event's `fields`:
an event the stream still holds is taken from the stream instead. Last come the events the records already hold,
for what neither has any more (a triage long gone whose case is still open): a rebuild never loses an event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.contracts.case_event_log import CaseEvent, EventSource, case_event_id
from services.contracts.case_view import CaseView, TimelineEntry


class IncompleteLog(ValueError):
    """The workflows and the stream together do not give the case's whole log: it cannot be rebuilt."""


@dataclass(frozen=True)
class WorkflowLog:
    """What one of a case's workflows keeps of its log: its view, its timeline and the last event it published."""

    source: EventSource
    view: CaseView
    timeline: Sequence[TimelineEntry]
    event_sequence: int
    # A case workflow after triage: the events its triage published before it started (`RoutedCase`).
    events_before: int = 0


def timeline_events(case_id: str, log: WorkflowLog) -> dict[int, CaseEvent]:
    """Each timeline entry as the event it was published as, by sequence; raises IncompleteLog when the timeline
    and the event counter disagree."""
    numbered = [(_sequence(index, log.events_before), entry) for index, entry in enumerate(log.timeline)]
    last = numbered[-1][0] if numbered else 0
    if last != log.event_sequence:
        raise IncompleteLog(
            f"the {log.source.value} workflow's timeline ends at event {last}, its counter at {log.event_sequence}"
        )
    # A triaged case's `received` is its triage's event, whichever timeline it is read from.
    triage_received = 1 if log.events_before else None
    return {
        sequence: _event(case_id, sequence, EventSource.TRIAGE if sequence == triage_received else log.source, entry)
        for sequence, entry in numbered
    }


def _sequence(index: int, events_before: int) -> int:
    """The event a timeline's entry was published as: after triage, the first entry (`received`) is the triage's
    sequence 1 and the next ones follow the triage's events."""
    if not events_before:
        return index + 1
    return 1 if index == 0 else events_before + index


def rebuilt_log(
    case_id: str,
    *,
    case: WorkflowLog | None,
    triage: WorkflowLog | None,
    stream: Mapping[int, CaseEvent],
    recorded: Mapping[int, CaseEvent] | None = None,
) -> list[CaseEvent]:
    """Events 1..n of the case (n: the last its newest workflow published): from the stream where it still holds
    them, else from the workflows' timelines, else as the records hold them. Raises IncompleteLog naming what is
    missing."""
    newest = case or triage
    if newest is None:
        raise IncompleteLog("no workflow of it is left")
    last = newest.event_sequence
    found = {sequence: event for sequence, event in (recorded or {}).items() if sequence <= last}
    for log in (triage, case):
        if log is not None:
            found |= timeline_events(case_id, log)
    found |= {sequence: event for sequence, event in stream.items() if sequence <= last}
    missing = [n for n in range(1, last + 1) if n not in found]
    if missing:
        raise IncompleteLog(f"events {_ranges(missing)} are in neither the stream, a workflow nor the records")
    return [found[n] for n in range(1, last + 1)]


def _event(case_id: str, sequence: int, source: EventSource, entry: TimelineEntry) -> CaseEvent:
    return CaseEvent(
        event_id=case_event_id(case_id, sequence),
        case_id=case_id,
        sequence=sequence,
        source=source,
        kind=entry.action,
        at=entry.at,
        actor=entry.actor,
        detail=entry.detail,
    )


def _ranges(numbers: list[int]) -> str:
    """`[2, 3, 4, 7]` as `2-4, 7`."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and spans[-1][1] == n - 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
