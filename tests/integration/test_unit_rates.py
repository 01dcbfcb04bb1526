"""The rates computed from the units' facts on a real PostgreSQL, proven on a week of hand-built case histories: every
measure of the shipped definitions, the units with no calls, the score and rank, the change against the week
before, the groupings, and the figures as of a cutoff (docs/assessment.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.assessment import AssessmentDefinitions, Condition, FactRole, Measure, shipped_definitions
from services.contracts.assessment import CountColumn as Count
from services.contracts.assessment import FlagColumn as Flag
from services.contracts.assessment import TimeColumn as Time
from services.contracts.assessment_periods import PeriodKind, period_containing
from services.contracts.assessment_reports import GroupBy, RateLine, RatesTable, TownshipRating
from services.contracts.case_event_log import CaseEvent
from services.contracts.case_timeline import TimelineAction
from services.contracts.case_view import DeadlineKind, JointRole, RatingLevel
from services.contracts.catalog import UnitKind, load_catalog
from services.engines.records_db.township_rating_store import replace_township_ratings
from services.engines.records_db.unit_rates import rates_table
from services.records.store import RecordStore
from tests.support.case_events import KEYRING
from tests.support.case_histories import CaseHistory, hours
from tests.support.recorded_cases import records_database

SATISFIED, BASIC, UNSATISFIED = RatingLevel.SATISFIED, RatingLevel.BASICALLY_SATISFIED, RatingLevel.UNSATISFIED
WEEK = period_containing(PeriodKind.WEEK, hours(0))  # Monday 7 to Sunday 13 December 2026, in the city's time
WEEK_END = WEEK.end  # hour 159
CATALOG = load_catalog()
UNITS = sorted(code for code, unit in CATALOG.units.items() if unit.kind is not UnitKind.COORDINATION)
DOMAINS = {code: item.domain for code, item in CATALOG.items.items()}
NAMES = {code: unit.name_zh for code, unit in CATALOG.units.items()}


def cases() -> list[CaseHistory]:
    """The week's cases (and one of the week before), hours after Monday 09:00."""
    before = CaseHistory(at=-48).accept(-47).resolve(-20).rate(SATISFIED, -10)
    plain = CaseHistory().accept(1).feedback(5).resolve(30).rate(SATISFIED, 40)
    transferred = CaseHistory("industry-it", item="KW-03").transfer("agriculture", 2, item="MS-06").accept(3)
    transferred.resolve(20).rate(BASIC, 30)
    reworked = CaseHistory().accept(1)
    for n in range(3):  # unsatisfied three times: closed after the last allowed rework
        reworked.resolve(20 + 25 * n).rate(UNSATISFIED, 30 + 25 * n)
    not_rated = CaseHistory().accept(1).resolve(20).not_rated(140)
    unreasonable = CaseHistory().accept(1).resolve(10).rate(UNSATISFIED, 12).judge_unreasonable(14)
    late_feedback = CaseHistory("health", item="HE-01", township="qingshan-town").accept(2)
    late_feedback.breach(DeadlineKind.FEEDBACK, 74, due=74).escalate(1, 74)
    never_signed = CaseHistory("health", item="HE-01", township=None).breach(DeadlineKind.SIGN_FOR, 3, due=3)
    joint = CaseHistory().accept(1)
    joint.start_joint(5, ("housing-construction", JointRole.CO_MANAGING), ("hekou-town", JointRole.TOWNSHIP), due=100)
    joint.joint_task("housing-construction", TimelineAction.ACCEPTED, 6)
    joint.joint_task("housing-construction", TimelineAction.COMPLETED, 20)
    joint.joint_task("hekou-town", TimelineAction.DEADLINE_BREACHED, 100)
    joint.joint_task("hekou-town", TimelineAction.COMPLETED, 110).resolve(120).rate(SATISFIED, 130)
    # Received on Sunday afternoon, resolved and rated the next week.
    spanning = CaseHistory(at=150).accept(151).resolve(170).rate(SATISFIED, 175)
    arbitrated = CaseHistory().transfer("housing-construction", 1, item="UC-01").ask_arbitration(2)
    arbitrated.arbitrate("housing-construction", 10).accept(11)
    extended = CaseHistory().accept(1).ask_extension(3, 100).breach(DeadlineKind.RESOLUTION, 120, due=120)
    extended.approve_extension(122, old_due=120, new_due=200).resolve(130).rate(SATISFIED, 135)
    return [
        before,
        plain,
        transferred,
        reworked,
        not_rated,
        unreasonable,
        late_feedback,
        never_signed,
        joint,
        spanning,
        arbitrated,
        extended,
    ]


@dataclass
class City:
    engine: AsyncEngine
    computed_at_the_cutoff: RatesTable  # before the events after the cutoff reached the records


async def apply(store: RecordStore, history: CaseHistory, *, before: datetime | None, after: datetime | None) -> None:
    """The case's events of the time span, a workflow step's events at a time."""
    steps: dict[datetime, list[CaseEvent]] = {}
    for event in history.events:
        if (before is None or event.at < before) and (after is None or event.at >= after):
            steps.setdefault(event.at, []).append(event)
    for batch in steps.values():
        await store.apply_events(batch)


async def table(
    engine: AsyncEngine,
    *,
    group_by: GroupBy = GroupBy.UNIT,
    cutoff: datetime = WEEK_END,
    definitions: AssessmentDefinitions | None = None,
) -> RatesTable:
    async with engine.connect() as connection:
        return await rates_table(
            connection,
            definitions or shipped_definitions(),
            period=WEEK,
            group_by=group_by,
            cutoff=cutoff,
            names=NAMES,
            domains=DOMAINS,
            known_units=UNITS,
        )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def city(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[City]:
    async with records_database(Path(tmp_path_factory.mktemp("rates"))) as engine:
        store = RecordStore(engine, KEYRING)
        histories = cases()
        for history in histories:
            await apply(store, history, before=WEEK_END, after=None)
        at_the_cutoff = await table(engine)
        for history in histories:
            await apply(store, history, before=None, after=WEEK_END)
        yield City(engine, at_the_cutoff)


def line(table: RatesTable, group: str) -> RateLine:
    return next(line for line in [*table.lines, *table.no_calls] if line.group == group)


def rates(line: RateLine) -> dict[str, float | None]:
    return {code: None if rate.value is None else round(rate.value, 4) for code, rate in line.rates.items()}


async def test_the_handling_unit_s_measures(city: City) -> None:
    water = line(await table(city.engine), "water")

    # Received: 8 stints (one transferred on, not accepted); the case resolved next week is not completed yet.
    assert {code: water.measures[code] for code in ("received", "accepted", "completed")} == {
        "received": 8,
        "accepted": 7,
        "completed": 6,
    }
    # Rated this week: satisfied ×3, unsatisfied after the last rework ×1; not rated and unreasonable not counted,
    # the Sunday case's rating (next week) not yet.
    assert (water.measures["rated"], water.measures["satisfied"]) == (4, 3)
    assert rates(water) == {
        "acceptance": 0.875,
        "completion": 0.8571,
        "satisfaction": 0.75,
        "sign_for_on_time": 1.0,
        "feedback_on_time": 1.0,  # six known: the Sunday case's feedback came next week
        "resolution_on_time": 1.0,  # the breach an approved extension covered is on time
        "joint_completion": None,
    }
    assert (water.measures["feedback_counted"], water.measures["resolution_counted"]) == (6, 6)
    assert (water.measures["transfers_out"], water.measures["arbitrations_lost"]) == (1, 0)
    # Two reworks before the last unsatisfied rating, one before the demand was judged unreasonable.
    assert (water.measures["reworks"], water.measures["breaches"], water.measures["escalations"]) == (3, 1, 0)
    # Resolved this week: 30, 70, 20, 10, 120 and 130 hours after reaching the water bureau.
    assert water.measures["handling_hours_average"] == pytest.approx(380 / 6)
    assert water.measures["handling_hours_p90"] == pytest.approx(125)
    assert water.name == "水务局"


async def test_late_and_missing_replies_count_against_the_unit_that_had_the_case(city: City) -> None:
    table_ = await table(city.engine)
    health, industry, agriculture = (line(table_, unit) for unit in ("health", "industry-it", "agriculture"))

    assert rates(health) | {"joint_completion": None} == {
        "acceptance": 0.5,
        "completion": 0.0,
        "satisfaction": None,
        "sign_for_on_time": 0.5,
        "feedback_on_time": 0.0,
        "resolution_on_time": None,
        "joint_completion": None,
    }
    assert (health.measures["breaches"], health.measures["escalations"]) == (2, 1)
    # Handed over in time: answered, not accepted.
    assert (industry.measures["received"], industry.measures["accepted"], industry.measures["transfers_out"]) == (
        1,
        0,
        1,
    )
    assert rates(industry)["sign_for_on_time"] == 1.0 and rates(industry)["completion"] is None
    assert rates(agriculture)["satisfaction"] == 1.0 and agriculture.measures["handling_hours_average"] == 18


async def test_arbitration_and_joint_tasks(city: City) -> None:
    table_ = await table(city.engine)
    housing, township = line(table_, "housing-construction"), line(table_, "hekou-town")

    assert (housing.measures["received"], housing.measures["accepted"], housing.measures["arbitrations_lost"]) == (
        2,
        1,
        1,
    )
    assert (housing.measures["joint_tasks"], housing.measures["joint_completed"]) == (1, 1)
    # A township with a joint task but no case of its own received no calls: listed apart, its task counted.
    assert township in table_.no_calls and township.rank is None
    assert (township.measures["joint_tasks"], township.measures["joint_completed"], township.measures["breaches"]) == (
        1,
        1,
        1,
    )


async def test_units_are_ranked_by_score_and_those_without_calls_listed_apart(city: City) -> None:
    table_ = await table(city.engine)

    # Satisfaction has no ratings for health and housing: the other two rates' points are scaled to the 50.
    assert [(line.group, line.score, line.rank) for line in table_.lines] == [
        ("agriculture", 50.0, 1),
        ("water", 40.9821, 2),
        ("health", 12.5, 3),
        ("housing-construction", 12.5, 3),
        ("industry-it", 0.0, 5),
    ]
    assert {line.group for line in table_.no_calls} == set(UNITS) - {line.group for line in table_.lines}
    assert all(line.score is None and line.rank is None for line in table_.no_calls)
    assert (table_.definitions_version, table_.group_by, table_.headline) == (
        "2026.1",
        GroupBy.UNIT,
        ["acceptance", "completion", "satisfaction"],
    )
    assert list(table_.rates)[:3] == ["acceptance", "completion", "satisfaction"]


async def test_the_city_line_and_the_change_against_the_week_before(city: City) -> None:
    table_ = await table(city.engine)
    water = line(table_, "water")

    assert (table_.city.group, table_.city.name, table_.city.score) == ("city", "全市", None)
    assert (table_.city.measures["received"], table_.city.measures["accepted"]) == (14, 10)
    assert table_.previous_period.start == period_containing(PeriodKind.WEEK, hours(-48)).start
    # The week before: one case, accepted and rated satisfied.
    assert (water.previous_rates["acceptance"], water.previous_rates["satisfaction"]) == (1.0, 1.0)
    assert water.change["acceptance"] == pytest.approx(-0.125)
    assert water.change["joint_completion"] is None


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        (GroupBy.TOWNSHIP, {"hekou-town": 12, "qingshan-town": 1, "": 1}),
        (
            GroupBy.DOMAIN,
            {
                "livelihood": 8,
                "health": 2,
                "key-work": 1,
                "market-supervision": 1,
                "urban-rural-construction": 2,
            },
        ),
    ],
)
async def test_grouped_by_township_or_domain(city: City, group_by: GroupBy, expected: dict[str, int]) -> None:
    table_ = await table(city.engine, group_by=group_by)

    assert {line.group: line.measures["received"] for line in table_.lines} == expected
    assert all(line.score is None and line.rank is None for line in table_.lines)
    assert table_.city.measures["received"] == 14
    names = {line.group: line.name for line in table_.lines}
    assert names.get("", "未归属") == "未归属"


async def test_as_of_a_cutoff_what_happened_after_it_has_not_happened(city: City) -> None:
    # Wednesday 21:00: the feedback deadline missed on Thursday is still running.
    table_ = await table(city.engine, cutoff=hours(60))
    water, health = line(table_, "water"), line(table_, "health")

    assert (health.measures["feedback_counted"], health.measures["breaches"], health.measures["escalations"]) == (
        0,
        1,
        0,
    )
    assert (water.measures["received"], water.measures["accepted"], water.measures["completed"]) == (7, 6, 3)
    assert (water.measures["rated"], water.measures["satisfied"]) == (1, 1)
    assert table_.cutoff == hours(60)


async def test_computed_again_later_the_week_reads_the_same(city: City) -> None:
    assert await table(city.engine) == city.computed_at_the_cutoff


async def test_a_city_s_own_conditions(city: City) -> None:
    shipped = shipped_definitions()
    handling = [FactRole.HANDLING]
    own = {
        "open_with_a_breach": Condition(role=handling, true=[Flag.STILL_OPEN], positive=[Count.BREACHES]),
        "not_signed_for": Condition(role=handling, absent=[Time.ACCEPTED_AT]),
        "feedback_late": Condition(role=handling, false=[Flag.FEEDBACK_ON_TIME]),
        "sign_for_not_on_time": Condition(role=handling, not_true=[Flag.SIGN_FOR_ON_TIME]),
        "closed": Condition(role=handling, present=[Time.CLOSED_AT]),
        "extended": Condition(role=handling, true=[Flag.EXTENDED]),
    }
    definitions = shipped.model_copy(
        update={
            "measures": shipped.measures
            | {code: Measure(name=code, where=where, period_by=Time.RECEIVED_AT) for code, where in own.items()}
        }
    )
    table_ = await table(city.engine, definitions=definitions)

    counts = {
        unit: {code: line(table_, unit).measures[code] for code in own}
        for unit in ("water", "health", "housing-construction", "industry-it")
    }
    assert counts == {
        "water": {
            "open_with_a_breach": 0,
            "not_signed_for": 1,  # transferred on
            "feedback_late": 0,
            "sign_for_not_on_time": 0,
            "closed": 6,  # the Sunday case closed next week
            "extended": 1,
        },
        "health": {
            "open_with_a_breach": 2,
            "not_signed_for": 1,
            "feedback_late": 1,
            "sign_for_not_on_time": 1,
            "closed": 0,
            "extended": 0,
        },
        "housing-construction": {
            "open_with_a_breach": 0,
            "not_signed_for": 1,
            "feedback_late": 0,
            "sign_for_not_on_time": 0,
            "closed": 0,
            "extended": 0,
        },
        "industry-it": {
            "open_with_a_breach": 0,
            "not_signed_for": 1,
            "feedback_late": 0,
            "sign_for_not_on_time": 0,
            "closed": 1,  # closed in the agriculture bureau's hands
            "extended": 0,
        },
    }


async def test_the_townships_rating_of_departments_weighs_in_when_the_definitions_give_it_points(city: City) -> None:
    shipped = shipped_definitions()
    definitions = shipped.model_copy(update={"score": shipped.score.model_copy(update={"township_rating_points": 50})})
    ratings = [
        TownshipRating(township="hekou-town", unit="housing-construction", score=80),
        TownshipRating(township="qingshan-town", unit="housing-construction", score=60),
        TownshipRating(township="hekou-town", unit="civil-affairs", score=90),
    ]
    async with city.engine.begin() as connection:
        await replace_township_ratings(connection, period_key=WEEK.key, ratings=ratings, imported_by="centre")
    try:
        table_ = await table(city.engine, definitions=definitions)
    finally:
        async with city.engine.begin() as connection:
            await replace_township_ratings(connection, period_key=WEEK.key, ratings=[], imported_by="centre")

    housing, civil = line(table_, "housing-construction"), line(table_, "civil-affairs")
    # 0.5 × 15 + 0 × 15 + 0.70 × 50 = 42.5 of the 80 points that have a value, scaled to 100.
    assert (housing.township_rating, housing.score) == (70, 53.125)
    # No calls: rated from below only.
    assert civil in table_.no_calls and (civil.township_rating, civil.score, civil.rank) == (90, 90.0, None)
    assert line(table_, "water").township_rating is None
