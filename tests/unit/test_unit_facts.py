"""Each unit's part in a case, derived from hand-built case histories (pure): who held the case when, what it did in
time, and how the case's closing counts for it (docs/assessment.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from services.contracts.assessment import FactRating, FactRole
from services.contracts.case_timeline import TimelineAction
from services.contracts.case_view import DeadlineKind, JointRole, RatingLevel
from services.records.unit_fact import UnitFact
from services.records.unit_facts import FACT_KINDS, unit_facts
from tests.support.case_histories import CaseHistory, hours

HANDLING, JOINT = FactRole.HANDLING, FactRole.JOINT
SATISFIED, UNSATISFIED = RatingLevel.SATISFIED, RatingLevel.UNSATISFIED
ACCEPTED, COMPLETED, BREACHED = TimelineAction.ACCEPTED, TimelineAction.COMPLETED, TimelineAction.DEADLINE_BREACHED


@dataclass(frozen=True)
class Scenario:
    history: Callable[[], CaseHistory]
    # Each fact in order: its (unit, role, stint) and the columns the scenario is about.
    facts: list[tuple[str, FactRole, int, dict[str, Any]]]


def plain() -> CaseHistory:
    return CaseHistory("water").accept(1).feedback(5).resolve(30).rate(SATISFIED, 40)


def transferred() -> CaseHistory:
    history = CaseHistory("industry-it", item="IN-01").transfer("agriculture", 2, item="AG-03")
    return history.accept(3).resolve(20).rate(SATISFIED, 30)


def rework_then_satisfied() -> CaseHistory:
    return CaseHistory().accept(1).resolve(20).rate(UNSATISFIED, 30).resolve(50).rate(SATISFIED, 60)


def last_rework_unsatisfied() -> CaseHistory:
    history = CaseHistory().accept(1)
    for n in range(3):
        history.resolve(20 + 20 * n).rate(UNSATISFIED, 30 + 20 * n)
    return history


def joint_handling() -> CaseHistory:
    history = CaseHistory("water").accept(1)
    history.start_joint(5, ("housing-construction", JointRole.CO_MANAGING), ("hekou-town", JointRole.TOWNSHIP), due=100)
    history.joint_task("housing-construction", ACCEPTED, 6).joint_task("housing-construction", COMPLETED, 20)
    history.joint_task("hekou-town", ACCEPTED, 7).joint_task("hekou-town", BREACHED, 100)
    return history.joint_task("hekou-town", COMPLETED, 110).resolve(120).rate(SATISFIED, 130)


def breaches_and_escalation() -> CaseHistory:
    history = CaseHistory("water").breach(DeadlineKind.SIGN_FOR, 2, due=2).escalate(1, 2).accept(5)
    history.breach(DeadlineKind.FEEDBACK, 72, due=72).chase_up(80).escalate(2, 81, requested_by="water")
    return history.progress(85).feedback(90).resolve(100).rate(SATISFIED, 110)


SCENARIOS = {
    "a plain case": Scenario(
        plain,
        [
            (
                "water",
                HANDLING,
                1,
                {
                    "received_at": hours(0),
                    "accepted_at": hours(1),
                    "feedback_at": hours(5),
                    "resolved_at": hours(30),
                    "left_at": hours(40),
                    "closed_at": hours(40),
                    "rated_at": hours(40),
                    "rating": FactRating.SATISFIED,
                    "sign_for_on_time": True,
                    "sign_for_known_at": hours(1),
                    "feedback_on_time": True,
                    "feedback_known_at": hours(5),
                    "resolution_on_time": True,
                    "resolution_known_at": hours(30),
                    "still_open": False,
                    "transferred_out": False,
                    "handling_hours": 30.0,
                    "catalog_item": "LS-06",
                    "township": "hekou-town",
                    "channel": "12345",
                },
            )
        ],
    ),
    "transferred within the window: handed over in time, not accepted": Scenario(
        transferred,
        [
            (
                "industry-it",
                HANDLING,
                1,
                {
                    "left_at": hours(2),
                    "transferred_out": True,
                    "accepted_at": None,
                    "sign_for_on_time": True,
                    "sign_for_known_at": hours(2),
                    "feedback_on_time": None,
                    "resolution_on_time": None,
                    "rating": None,
                    "still_open": False,
                    "closed_at": hours(30),
                    "catalog_item": "IN-01",
                },
            ),
            (
                "agriculture",
                HANDLING,
                1,
                {
                    "received_at": hours(2),
                    "accepted_at": hours(3),
                    "resolved_at": hours(20),
                    "handling_hours": 18.0,
                    "rating": FactRating.SATISFIED,
                    "catalog_item": "AG-03",
                },
            ),
        ],
    ),
    "transferred back: the first unit's second stint": Scenario(
        lambda: CaseHistory("industry-it").transfer("agriculture", 1).transfer("industry-it", 2).accept(3),
        [
            ("industry-it", HANDLING, 1, {"left_at": hours(1), "transferred_out": True, "still_open": False}),
            ("agriculture", HANDLING, 1, {"received_at": hours(1), "left_at": hours(2), "transferred_out": True}),
            ("industry-it", HANDLING, 2, {"received_at": hours(2), "accepted_at": hours(3), "still_open": True}),
        ],
    ),
    "arbitration lost: the unit that asked to give it away gets it back": Scenario(
        lambda: (
            CaseHistory("water")
            .transfer("housing-construction", 1)
            .ask_arbitration(2)
            .arbitrate("housing-construction", 10)
            .accept(11)
        ),
        [
            ("water", HANDLING, 1, {"transferred_out": True, "arbitration_lost": False}),
            (
                "housing-construction",
                HANDLING,
                1,
                {"left_at": hours(2), "transferred_out": False, "sign_for_on_time": True, "accepted_at": None},
            ),
            (
                "housing-construction",
                HANDLING,
                2,
                {"received_at": hours(10), "arbitration_lost": True, "accepted_at": hours(11), "still_open": True},
            ),
        ],
    ),
    "arbitration names the unit that transferred it first: lost too": Scenario(
        lambda: CaseHistory("water").transfer("housing-construction", 1).ask_arbitration(2).arbitrate("water", 10),
        [
            ("water", HANDLING, 1, {"transferred_out": True}),
            ("housing-construction", HANDLING, 1, {"left_at": hours(2)}),
            ("water", HANDLING, 2, {"arbitration_lost": True, "accepted_at": None, "sign_for_on_time": None}),
        ],
    ),
    "arbitration names a third unit: not lost": Scenario(
        lambda: CaseHistory("water").transfer("housing-construction", 1).ask_arbitration(2).arbitrate("health", 10),
        [
            ("water", HANDLING, 1, {}),
            ("housing-construction", HANDLING, 1, {}),
            ("health", HANDLING, 1, {"arbitration_lost": False, "received_at": hours(10)}),
        ],
    ),
    "joint handling: each participant's task": Scenario(
        joint_handling,
        [
            ("water", HANDLING, 1, {"resolved_at": hours(120), "resolution_on_time": True, "breach_times": []}),
            (
                "housing-construction",
                JOINT,
                1,
                {
                    "received_at": hours(5),
                    "accepted_at": hours(6),
                    "resolved_at": hours(20),
                    "left_at": hours(20),
                    "resolution_on_time": True,
                    "handling_hours": 15.0,
                    "still_open": False,
                    "rating": None,
                    "closed_at": hours(130),
                },
            ),
            (
                "hekou-town",
                JOINT,
                1,
                {
                    "resolved_at": hours(110),
                    "breach_times": [hours(100)],
                    "resolution_on_time": False,
                    "resolution_known_at": hours(100),
                },
            ),
        ],
    ),
    "joint handling closed by the lead: the open task is not completed": Scenario(
        lambda: (
            CaseHistory("water")
            .accept(1)
            .start_joint(5, ("health", JointRole.CO_MANAGING), due=100)
            .joint_task("health", ACCEPTED, 6)
            .close_joint(30)
        ),
        [
            ("water", HANDLING, 1, {"still_open": True}),
            (
                "health",
                JOINT,
                1,
                {"resolved_at": None, "left_at": hours(30), "still_open": False, "resolution_on_time": None},
            ),
        ],
    ),
    "a joint task still open": Scenario(
        lambda: CaseHistory("water").accept(1).start_joint(5, ("health", JointRole.ENFORCEMENT), due=100),
        [("water", HANDLING, 1, {}), ("health", JOINT, 1, {"accepted_at": None, "left_at": None, "still_open": True})],
    ),
    "rework, then satisfied: the last resolution counts": Scenario(
        rework_then_satisfied,
        [
            (
                "water",
                HANDLING,
                1,
                {
                    "rework_times": [hours(30)],
                    "resolved_at": hours(50),
                    "resolution_known_at": hours(50),
                    "handling_hours": 50.0,
                    "rating": FactRating.SATISFIED,
                    "rated_at": hours(60),
                },
            )
        ],
    ),
    "in rework: not resolved until the unit resolves it again": Scenario(
        lambda: CaseHistory().accept(1).resolve(20).rate(UNSATISFIED, 30),
        [
            (
                "water",
                HANDLING,
                1,
                {
                    "resolved_at": None,
                    "resolution_on_time": None,
                    "feedback_on_time": True,
                    "rating": None,
                    "still_open": True,
                    "rework_times": [hours(30)],
                },
            )
        ],
    ),
    "an extension approved after the due was missed: resolved before the new due is on time": Scenario(
        lambda: (
            CaseHistory()
            .accept(1)
            .ask_extension(3, 100)
            .breach(DeadlineKind.RESOLUTION, 168, due=168)
            .approve_extension(170, old_due=168, new_due=240)
            .resolve(200)
            .rate(SATISFIED, 210)
        ),
        [
            (
                "water",
                HANDLING,
                1,
                {
                    "extended": True,
                    "extended_at": hours(170),
                    "resolution_on_time": True,
                    "resolution_known_at": hours(200),
                    "breach_times": [hours(168)],  # the breach stays on record and is counted
                },
            )
        ],
    ),
    "an extension approved, and the new due missed too": Scenario(
        lambda: (
            CaseHistory()
            .accept(1)
            .ask_extension(3, 100)
            .approve_extension(110, old_due=168, new_due=240)
            .breach(DeadlineKind.RESOLUTION, 240, due=240)
            .resolve(250)
        ),
        [("water", HANDLING, 1, {"extended": True, "resolution_on_time": False, "resolution_known_at": hours(240)})],
    ),
    "not rated": Scenario(
        lambda: CaseHistory().accept(1).resolve(20).not_rated(200),
        [("water", HANDLING, 1, {"rating": FactRating.NOT_RATED, "rated_at": hours(200), "closed_at": hours(200)})],
    ),
    "unsatisfied after the last allowed rework": Scenario(
        last_rework_unsatisfied,
        [
            (
                "water",
                HANDLING,
                1,
                {
                    "rating": FactRating.UNSATISFIED,
                    "rework_times": [hours(30), hours(50)],
                    "resolved_at": hours(60),
                    "closed_at": hours(70),
                },
            )
        ],
    ),
    "a demand judged unreasonable: the resolution stands": Scenario(
        lambda: CaseHistory().accept(1).resolve(20).rate(UNSATISFIED, 30).judge_unreasonable(40),
        [
            (
                "water",
                HANDLING,
                1,
                {
                    "rating": FactRating.UNREASONABLE,
                    "rated_at": hours(40),
                    "resolved_at": hours(20),
                    "resolution_on_time": True,
                    "still_open": False,
                },
            )
        ],
    ),
    "a case spanning two periods keeps each event's own time": Scenario(
        # Received on Friday evening (hour 105: 18:00 in the city), resolved the next Tuesday.
        lambda: CaseHistory(at=105).accept(106).resolve(175).rate(SATISFIED, 180),
        [("water", HANDLING, 1, {"received_at": hours(105), "resolved_at": hours(175), "handling_hours": 70.0})],
    ),
    "still open, its deadlines running": Scenario(
        lambda: CaseHistory().accept(1).progress(20),
        [
            (
                "water",
                HANDLING,
                1,
                {
                    "sign_for_on_time": True,
                    "feedback_on_time": None,
                    "feedback_known_at": None,
                    "resolution_on_time": None,
                    "left_at": None,
                    "closed_at": None,
                    "still_open": True,
                    "handling_hours": None,
                },
            )
        ],
    ),
    "not yet signed for": Scenario(
        lambda: CaseHistory(),
        [("water", HANDLING, 1, {"accepted_at": None, "sign_for_on_time": None, "still_open": True})],
    ),
    "breaches and escalations, each where it happened": Scenario(
        breaches_and_escalation,
        [
            (
                "water",
                HANDLING,
                1,
                {
                    "sign_for_on_time": False,
                    "sign_for_known_at": hours(2),
                    "feedback_on_time": False,
                    "feedback_known_at": hours(72),
                    "resolution_on_time": True,
                    "breach_times": [hours(2), hours(72)],
                    "escalation_times": [hours(2), hours(81)],
                },
            )
        ],
    ),
    "a breach counts against the unit that had the case": Scenario(
        lambda: CaseHistory("industry-it").breach(DeadlineKind.SIGN_FOR, 2, due=2).transfer("agriculture", 3).accept(4),
        [
            ("industry-it", HANDLING, 1, {"breach_times": [hours(2)], "sign_for_on_time": False}),
            ("agriculture", HANDLING, 1, {"breach_times": [], "sign_for_on_time": True}),
        ],
    ),
}


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_a_case_s_facts(scenario: Scenario) -> None:
    history = scenario.history()
    facts = unit_facts(history.events, history.view)

    assert [(f.unit, f.role, f.stint) for f in facts] == [(unit, role, n) for unit, role, n, _ in scenario.facts]
    for fact, (_, _, _, expected) in zip(facts, scenario.facts, strict=True):
        assert {column: getattr(fact, column) for column in expected} == expected, (fact.unit, fact.stint)
        assert fact.case_id == history.view.case_id


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_events_of_other_kinds_change_nothing(scenario: Scenario) -> None:
    history = scenario.history()
    kept = [event for event in history.events if event.kind in FACT_KINDS]

    assert unit_facts(kept, history.view) == unit_facts(history.events, history.view)


def test_a_case_waiting_for_triage_is_in_no_unit_s_hands() -> None:
    history = CaseHistory()
    received = history.events[:1]  # the ticket only: no unit assigned yet

    assert unit_facts(received, history.view) == []


def test_a_row_counts_what_it_lists() -> None:
    history = breaches_and_escalation()
    [fact] = unit_facts(history.events, history.view)

    row = fact.row()
    assert (row["role"], row["rating"], row["breaches"], row["escalations"], row["reworks"]) == (
        "handling",
        "satisfied",
        2,
        2,
        0,
    )
    assert set(row) == {name for name in UnitFact.__dataclass_fields__} | {"reworks", "breaches", "escalations"}
