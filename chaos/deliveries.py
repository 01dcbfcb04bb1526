"""What the units' receivers got, read from the webhook receiver's log, de-duplicated on the event id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from services.contracts.events import EventKind
from tests.support.receiver import WebhookReceiver

HOOK_PREFIX = "/hook/"


def hook_path(unit: str) -> str:
    """Where the suite points a unit's webhook: one path per unit, so a delivery's receiver is known."""
    return f"{HOOK_PREFIX}{unit}"


@dataclass(frozen=True)
class Delivered:
    """One POST the receiver took: which unit's receiver, and the event's id, kind, case and details."""

    receiver_unit: str
    event_id: str
    kind: str
    case_id: str
    audience: str
    deadline_kind: str | None


class DeliveryLog:
    """An index over the receiver's requests, brought up to date by `refresh` (only new requests are read)."""

    def __init__(self, receiver: WebhookReceiver) -> None:
        self._receiver = receiver
        self._read = 0
        self.posts_by_event: dict[str, list[Delivered]] = defaultdict(list)
        self._events_by_case: dict[str, set[str]] = defaultdict(set)

    def refresh(self) -> None:
        received = self._receiver.received
        for request in received[self._read :]:
            self.add(request.path, request.json())
        self._read = len(received)

    def add(self, path: str, event: dict[str, object]) -> None:
        """Record one delivered POST (its path and JSON body)."""
        delivered = Delivered(
            receiver_unit=path.removeprefix(HOOK_PREFIX),
            event_id=str(event["event_id"]),
            kind=str(event["kind"]),
            case_id=str(event["case_id"]),
            audience=str(event.get("audience", "unit")),
            deadline_kind=str(event["deadline_kind"]) if event.get("deadline_kind") else None,
        )
        self.posts_by_event[delivered.event_id].append(delivered)
        self._events_by_case[delivered.case_id].add(delivered.event_id)

    def events(self, case_id: str, kind: EventKind) -> list[Delivered]:
        """The case's distinct events of this kind (first delivery of each event id)."""
        firsts = (self.posts_by_event[event_id][0] for event_id in sorted(self._events_by_case.get(case_id, ())))
        return [event for event in firsts if event.kind == kind.value]

    def redeliveries(self, event_id: str) -> int:
        """Deliveries of this event id beyond the first (allowed: the receiver de-duplicates on the id)."""
        return max(0, len(self.posts_by_event.get(event_id, ())) - 1)

    def assigned_to(self, case_id: str, unit: str) -> bool:
        """The case's `case_assigned` reached this unit's receiver."""
        return any(e.receiver_unit == unit for e in self.events(case_id, EventKind.CASE_ASSIGNED))
