"""The simulated month's vocabulary: the profiles units follow, what callers do, the stated mix, and the plan of
each case (its actions, and what the workflows should make of them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from services.contracts.case_view import DeadlineKind
from services.contracts.cases import RoutedCase

# Cases arrive on the hour; units and callers act 7 minutes past it. The workflows' own timers fall on the hour
# (windows of hours), at 09:00, at 23:59:59 or at a quarter-minute's 59 s: an action never lands on one of its
# case's timers, which the time-skipping server does not survive (see `MonthDriver`).
ACTION_MINUTE = 7


class Profile(StrEnum):
    """How the units handle a case."""

    ON_TIME = "on_time"  # signed for, answered and resolved in time
    URGENT = "urgent"  # an urgent ticket, handled within its hour windows
    TRANSFER = "transfer"  # routed to the wrong unit, transferred with notice within the window, then on time
    JOINT = "joint"  # lead and co-managing units (and the township) each finish their joint task in time
    JOINT_LATE_TASK = "joint_late_task"  # joint handling where one participant misses its task deadline
    EXTENSION = "extension"  # an extension asked and approved; resolved after the first deadline, in time
    LATE_SIGN_FOR = "late_sign_for"  # signed for the morning after the chase-up
    LATE_FEEDBACK = "late_feedback"  # the caller answered a working day late
    LATE_RESOLUTION = "late_resolution"  # resolved one or three working days late (level 1; the second step held)
    NEGLECTED = "neglected"  # a major matter untouched for four working days: climbs to top-level coordination


class Rating(StrEnum):
    """What the caller does once the case is resolved."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    SLOW_BUT_SOLVED = "slow_but_solved"  # unsatisfied with the speed only: recorded, no rework
    UNSATISFIED = "unsatisfied"  # unsatisfied with the outcome: rework, then rated again (or not)
    NONE = "none"  # never rates: the case closes itself after the rating wait


PROFILE_MIX: dict[Profile, float] = {
    Profile.ON_TIME: 0.66,
    Profile.URGENT: 0.05,
    Profile.TRANSFER: 0.08,
    Profile.JOINT: 0.06,
    Profile.JOINT_LATE_TASK: 0.01,
    Profile.EXTENSION: 0.02,
    Profile.LATE_SIGN_FOR: 0.04,
    Profile.LATE_FEEDBACK: 0.04,
    Profile.LATE_RESOLUTION: 0.03,
    Profile.NEGLECTED: 0.01,
}
RATING_MIX: dict[Rating, float] = {
    Rating.SATISFIED: 0.55,
    Rating.BASICALLY_SATISFIED: 0.12,
    Rating.SLOW_BUT_SOLVED: 0.04,
    Rating.UNSATISFIED: 0.07,
    Rating.NONE: 0.22,
}
# After a rework the caller rates again (satisfied) or lets the case close unrated.
RERATED_AFTER_REWORK = 0.6


class Target(StrEnum):
    CASE = "case"
    JOINT_TASK = "joint_task"


@dataclass(frozen=True)
class Action:
    """One update, sent at `at` (7 minutes past an hour) by name, as intake sends it."""

    at: datetime
    update: str
    body: BaseModel
    target: Target = Target.CASE
    joint_unit: str | None = None  # the participant whose `JointTask` (phase 1) receives it


@dataclass
class CasePlan:
    """One case: its ticket as routed, its actions in order, and what the workflows should make of it."""

    case: RoutedCase
    profile: Profile
    rating: Rating
    actions: list[Action] = field(default_factory=list)
    expected_breaches: frozenset[DeadlineKind] = frozenset()
    expected_level: int = 0
    expected_overdue_joint_tasks: int = 0
    expected_closed_reason: str = "rated"

    @property
    def arrives_at(self) -> datetime:
        return self.case.received_at


@dataclass(frozen=True)
class MonthPlan:
    start: datetime
    cases: list[CasePlan]
    seed: int
    mix: Mapping[Profile, float]

    def driven(self) -> dict[str, dict[str, int]]:
        """How many cases of each profile and rating were actually drawn."""
        profiles = {p.value: sum(c.profile is p for c in self.cases) for p in Profile}
        ratings = {r.value: sum(c.rating is r for c in self.cases) for r in Rating}
        return {"profiles": profiles, "ratings": ratings}
