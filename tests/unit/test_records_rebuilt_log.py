"""A case's log rebuilt from its workflows' timelines and what the stream kept (pure): which event each timeline
entry was, the triage's events before the case's, the stream's events taking precedence, and what cannot be done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.contracts.case_event_log import CaseEvent, EventFields, EventSource, case_event_id
from services.contracts.case_view import CaseView, TimelineEntry
from services.contracts.cases import CaseStatus
from services.records.rebuilt_log import IncompleteLog, WorkflowLog, rebuilt_log, timeline_events
from services.records.workflow_reader import case_id_of

CASE_ID = "0b6f3c1e-0000-4000-8000-000000000024"
AT = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
TRIAGE = EventSource.TRIAGE
CASE = EventSource.CASE


def workflow(source: EventSource, actions: list[str], *, event_sequence: int, events_before: int = 0) -> WorkflowLog:
    """A workflow whose timeline holds these actions, one minute apart."""
    timeline = [
        TimelineEntry(at=AT + timedelta(minutes=n), actor="water", action=action, detail=f"{action} {n}")
        for n, action in enumerate(actions)
    ]
    view = CaseView(case_id=CASE_ID, status=CaseStatus.ACCEPTED, channel="12345", external_id="T-1", timeline=timeline)
    return WorkflowLog(source, view, timeline, event_sequence, events_before)


def streamed(sequence: int, kind: str) -> CaseEvent:
    """An event as the stream kept it: with the fields the timeline does not keep."""
    return CaseEvent(
        event_id=case_event_id(CASE_ID, sequence),
        case_id=CASE_ID,
        sequence=sequence,
        source=CASE,
        kind=kind,
        at=AT,
        actor="water",
        fields=EventFields(unit="water"),
    )


ROUTED_CASE = workflow(CASE, ["received", "routed", "assigned", "accepted"], event_sequence=4)
# Triage published received, sent_to_triage, triaged, routed (1-4); the case repeats `received` and goes on at 5.
TRIAGE_LOG = workflow(TRIAGE, ["received", "sent_to_triage", "triaged", "routed"], event_sequence=4)
TRIAGED_CASE = workflow(CASE, ["received", "routed", "assigned", "accepted"], event_sequence=7, events_before=4)


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        pytest.param(
            ROUTED_CASE,
            [(1, CASE, "received"), (2, CASE, "routed"), (3, CASE, "assigned"), (4, CASE, "accepted")],
            id="a routed case: entry n is event n",
        ),
        pytest.param(
            TRIAGE_LOG,
            [(1, TRIAGE, "received"), (2, TRIAGE, "sent_to_triage"), (3, TRIAGE, "triaged"), (4, TRIAGE, "routed")],
            id="a triage: entry n is event n",
        ),
        pytest.param(
            TRIAGED_CASE,
            [(1, TRIAGE, "received"), (5, CASE, "routed"), (6, CASE, "assigned"), (7, CASE, "accepted")],
            id="a case after triage: received is the triage's, the rest follow its events",
        ),
        pytest.param(workflow(CASE, [], event_sequence=0), [], id="a workflow that recorded nothing yet"),
    ],
)
def test_each_timeline_entry_is_the_event_it_was_published_as(
    log: WorkflowLog, expected: list[tuple[int, EventSource, str]]
) -> None:
    events = timeline_events(CASE_ID, log)

    assert [(n, event.source, event.kind) for n, event in events.items()] == expected
    for n, event in events.items():
        entry = next(e for e in log.timeline if e.action == event.kind)
        assert (event.event_id, event.at, event.actor, event.detail) == (
            case_event_id(CASE_ID, n),
            entry.at,
            entry.actor,
            entry.detail,
        )


@pytest.mark.parametrize(
    "log",
    [
        pytest.param(workflow(CASE, ["received", "routed"], event_sequence=3), id="counter ahead of the timeline"),
        pytest.param(workflow(CASE, ["received", "routed", "assigned"], event_sequence=2), id="timeline ahead"),
        pytest.param(
            workflow(CASE, ["received", "routed"], event_sequence=2, events_before=4), id="after triage, off by one"
        ),
    ],
)
def test_a_timeline_that_disagrees_with_the_event_counter_is_refused(log: WorkflowLog) -> None:
    with pytest.raises(IncompleteLog, match="counter"):
        timeline_events(CASE_ID, log)


@pytest.mark.parametrize(
    ("case", "triage", "stream", "expected"),
    [
        pytest.param(ROUTED_CASE, None, {}, ["received", "routed", "assigned", "accepted"], id="from the case alone"),
        pytest.param(
            TRIAGED_CASE,
            TRIAGE_LOG,
            {},
            ["received", "sent_to_triage", "triaged", "routed", "routed", "assigned", "accepted"],
            id="triage, then the case",
        ),
        pytest.param(
            TRIAGED_CASE,
            None,
            {n: streamed(n, kind) for n, kind in [(2, "sent_to_triage"), (3, "triaged"), (4, "routed")]},
            ["received", "sent_to_triage", "triaged", "routed", "routed", "assigned", "accepted"],
            id="the triage gone, its events still on the stream",
        ),
        pytest.param(None, TRIAGE_LOG, {}, ["received", "sent_to_triage", "triaged", "routed"], id="still in triage"),
    ],
)
def test_a_log_is_rebuilt_whole_from_the_workflows_and_the_stream(
    case: WorkflowLog | None, triage: WorkflowLog | None, stream: dict[int, CaseEvent], expected: list[str]
) -> None:
    events = rebuilt_log(CASE_ID, case=case, triage=triage, stream=stream)

    assert [event.sequence for event in events] == list(range(1, len(expected) + 1))
    assert [event.kind for event in events] == expected


def test_the_stream_s_events_are_taken_over_the_timeline_s_for_their_fields() -> None:
    kept = {3: streamed(3, "assigned"), 4: streamed(4, "accepted"), 9: streamed(9, "feedback")}

    events = rebuilt_log(CASE_ID, case=ROUTED_CASE, triage=None, stream=kept)

    assert [event.fields.unit for event in events] == [None, None, "water", "water"]
    # An event the stream holds beyond the workflow's counter is not the workflow's yet: the live records apply it.
    assert len(events) == 4


def test_the_records_own_events_fill_only_what_the_stream_and_the_workflows_no_longer_hold() -> None:
    # The triage long gone and its events off the stream: the records still hold them (and every other event).
    recorded = {n: streamed(n, f"recorded {n}") for n in range(1, 8)}

    events = rebuilt_log(
        CASE_ID, case=TRIAGED_CASE, triage=None, stream={6: streamed(6, "assigned")}, recorded=recorded
    )

    assert [event.kind for event in events] == [
        "received",  # the case workflow's timeline (the triage's event, repeated)
        "recorded 2",
        "recorded 3",
        "recorded 4",
        "routed",  # the timeline's
        "assigned",  # the stream's
        "accepted",
    ]
    assert [event.fields.unit for event in events][4:6] == [None, "water"]


@pytest.mark.parametrize(
    ("case", "stream", "recorded", "message"),
    [
        pytest.param(None, {}, {}, "no workflow of it is left", id="no workflow"),
        pytest.param(TRIAGED_CASE, {}, {}, "events 2-4 are in neither", id="the triage gone and off the stream"),
        pytest.param(
            TRIAGED_CASE, {3: streamed(3, "triaged")}, {}, "events 2, 4 are in neither", id="partly on the stream"
        ),
        pytest.param(
            TRIAGED_CASE, {}, {2: streamed(2, "sent_to_triage")}, "events 3-4", id="the records hold only part of it"
        ),
    ],
)
def test_a_log_that_cannot_be_completed_is_refused_naming_what_is_missing(
    case: WorkflowLog | None, stream: dict[int, CaseEvent], recorded: dict[int, CaseEvent], message: str
) -> None:
    with pytest.raises(IncompleteLog, match=message):
        rebuilt_log(CASE_ID, case=case, triage=None, stream=stream, recorded=recorded)


@pytest.mark.parametrize(
    ("workflow_id", "case_id"),
    [
        pytest.param(f"case-{CASE_ID}", CASE_ID, id="a case"),
        pytest.param(f"triage-{CASE_ID}", CASE_ID, id="a triage"),
        pytest.param(f"case-{CASE_ID}-joint-1-water", None, id="a joint task"),
        pytest.param(f"toplevel-{CASE_ID}", None, id="a top-level coordination"),
        pytest.param("catalog-change-42", None, id="another workflow"),
    ],
)
def test_the_case_id_of_a_workflow(workflow_id: str, case_id: str | None) -> None:
    assert case_id_of(workflow_id) == case_id
