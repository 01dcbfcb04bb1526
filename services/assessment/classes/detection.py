"""Finding classes of cases (类案) among the cases of a window: pure, so each rule is tested on its own.

A **group** is the cases of one kind that share its `group_by` values (one catalog item in one township; one
address; ...). Within a group, read in the order the cases were received:

- a case already in a known class is left where it is;
- a case received within the kind's window of the group's latest class (after its last case, or before its first)
  joins that class: a class that continues keeps its id, and no threshold applies to the cases that join it;
- any other case waits with the others of the last window; once `min_cases` of them are within `window_days` of
  each other they become a new class, whose id comes from the kind, the group and the day its first case came in
  (the window it started in), so a scan run twice makes the same class.

A class is **active** until its last case is a window old: after that, cases of its group start a new class.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.contracts.assessment_periods import CITY_TZ
from services.contracts.case_classes import KindRule

# uuid5 namespace of class ids (a fixed random uuid: ids are stable across releases).
CLASS_NAMESPACE = uuid.UUID("6f1d3c52-8e0a-4b7f-9d21-5a4c3e2b1f90")
GroupValue = str | int
Group = tuple[GroupValue, ...]


@dataclass(frozen=True)
class GroupedCase:
    """A case of the window, with the values of its kind's group (`key_id` first for place kinds)."""

    case_id: str
    received_at: datetime
    group: Group
    catalog_item: str | None = None
    township: str | None = None


@dataclass(frozen=True)
class KnownClass:
    """A class already stored, whose window reaches into this scan's."""

    class_id: str
    group: Group
    case_ids: frozenset[str]
    first_received_at: datetime
    last_received_at: datetime


@dataclass
class FoundClass:
    """A class as this scan leaves it: new, or known with cases that joined."""

    class_id: str
    kind: str
    group: Group
    case_ids: list[str]
    first_received_at: datetime
    last_received_at: datetime
    active_until: datetime
    new: bool
    joined: list[str] = field(default_factory=list)  # the cases this scan added
    items: Counter[str] = field(default_factory=Counter)
    townships: Counter[str] = field(default_factory=Counter)

    def take(self, case: GroupedCase, window: timedelta) -> None:
        self.case_ids.append(case.case_id)
        self.joined.append(case.case_id)
        self.first_received_at = min(self.first_received_at, case.received_at)
        self.last_received_at = max(self.last_received_at, case.received_at)
        self.active_until = self.last_received_at + window
        if case.catalog_item:
            self.items[case.catalog_item] += 1
        if case.township:
            self.townships[case.township] += 1

    def common_item(self) -> str | None:
        """The catalog item most of the cases this scan saw share (ties: the smallest code)."""
        return _most_common(self.items)

    def common_township(self) -> str | None:
        return _most_common(self.townships)


def class_id_for(kind: str, group: Group, started: datetime) -> str:
    """A class's id: its kind, its group's values and the day (city time) its first case came in."""
    values = "|".join(str(value) for value in group)
    day = started.astimezone(CITY_TZ).date().isoformat()
    return str(uuid.uuid5(CLASS_NAMESPACE, f"{kind}|{values}|{day}"))


def detect(
    kind: str, rule: KindRule, cases: Iterable[GroupedCase], known: Iterable[KnownClass] = ()
) -> list[FoundClass]:
    """The classes of one kind that are new, or that cases joined, given the window's cases and the known classes
    of the kind (ordered by class id; the cases of each in the order they were received)."""
    cases_by_group: dict[Group, list[GroupedCase]] = defaultdict(list)
    for case in cases:
        cases_by_group[case.group].append(case)
    known_by_group: dict[Group, list[KnownClass]] = defaultdict(list)
    for known_class in known:
        known_by_group[known_class.group].append(known_class)
    found: list[FoundClass] = []
    for group in sorted(cases_by_group, key=_sortable):
        found += _in_group(kind, rule, group, cases_by_group[group], known_by_group.get(group, []))
    return sorted(found, key=lambda c: c.class_id)


def _in_group(
    kind: str, rule: KindRule, group: Group, cases: Sequence[GroupedCase], known: Sequence[KnownClass]
) -> list[FoundClass]:
    window = timedelta(days=rule.window_days)
    members = {case_id for known_class in known for case_id in known_class.case_ids}
    latest = max(known, key=lambda c: (c.last_received_at, c.class_id), default=None)
    continued = None
    if latest is not None:
        continued = FoundClass(
            class_id=latest.class_id,
            kind=kind,
            group=group,
            case_ids=sorted(latest.case_ids),
            first_received_at=latest.first_received_at,
            last_received_at=latest.last_received_at,
            active_until=latest.last_received_at + window,
            new=False,
        )
    current = continued
    made: list[FoundClass] = []
    waiting: deque[GroupedCase] = deque()
    seen: set[str] = set()
    for case in sorted(cases, key=lambda c: (c.received_at, c.case_id)):
        if case.case_id in members or case.case_id in seen:
            continue
        seen.add(case.case_id)
        if current is not None and current.first_received_at - window <= case.received_at <= current.active_until:
            current.take(case, window)
            continue
        waiting.append(case)
        while waiting[0].received_at < case.received_at - window:
            waiting.popleft()
        if len(waiting) >= rule.min_cases:
            first = waiting[0]
            current = FoundClass(
                class_id=class_id_for(kind, group, first.received_at),
                kind=kind,
                group=group,
                case_ids=[],
                first_received_at=first.received_at,
                last_received_at=first.received_at,
                active_until=first.received_at + window,
                new=True,
            )
            for waiting_case in waiting:
                current.take(waiting_case, window)
            waiting.clear()
            made.append(current)
    if continued is not None:
        made.insert(0, continued)
    return [found for found in made if found.new or found.joined]


def _most_common(counts: Counter[str]) -> str | None:
    if not counts:
        return None
    top = max(counts.values())
    return min(code for code, count in counts.items() if count == top)


def _sortable(group: Group) -> tuple[str, ...]:
    return tuple(str(value) for value in group)
