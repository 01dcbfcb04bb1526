"""A rates table's arithmetic (pure): rates from measures, the weighted score with missing rates scaled or zero,
ranks with ties, and which groups are listed apart."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.contracts.assessment import MissingRate, shipped_definitions
from services.contracts.assessment_periods import PeriodKind, period_containing, previous_period
from services.contracts.assessment_reports import GroupBy, RateValue
from services.engines.records_db.rate_lines import PeriodFigures, ranks, rate_values, rates_table, score

DEFINITIONS = shipped_definitions()  # acceptance 15, completion 15, satisfaction 20 points


def valued(**values: float | None) -> dict[str, RateValue]:
    return {code: RateValue(numerator=0, denominator=1, value=value) for code, value in values.items()}


@pytest.mark.parametrize(
    ("rates", "township_rating", "missing", "expected"),
    [
        pytest.param(valued(acceptance=1, completion=1, satisfaction=1), None, MissingRate.SCALE, 50, id="all full"),
        pytest.param(
            valued(acceptance=0.875, completion=6 / 7, satisfaction=0.75), None, MissingRate.SCALE, 40.9821, id="all"
        ),
        pytest.param(
            valued(acceptance=1, completion=1, satisfaction=None), None, MissingRate.SCALE, 50, id="no ratings: scaled"
        ),
        pytest.param(
            valued(acceptance=1, completion=1, satisfaction=None), None, MissingRate.ZERO, 30, id="no ratings: zero"
        ),
        pytest.param(valued(acceptance=None, completion=None, satisfaction=None), None, MissingRate.SCALE, None),
        pytest.param(valued(acceptance=0, completion=None, satisfaction=None), None, MissingRate.SCALE, 0),
    ],
)
def test_the_weighted_score(
    rates: dict[str, RateValue], township_rating: float | None, missing: MissingRate, expected: float | None
) -> None:
    definitions = DEFINITIONS.model_copy(
        update={"score": DEFINITIONS.score.model_copy(update={"missing_rates": missing})}
    )
    assert score(definitions, rates, township_rating) == expected


def test_the_townships_rating_is_a_part_of_the_score_when_it_has_points() -> None:
    definitions = DEFINITIONS.model_copy(
        update={"score": DEFINITIONS.score.model_copy(update={"township_rating_points": 50})}
    )
    full = valued(acceptance=1, completion=1, satisfaction=1)

    assert score(definitions, full, 60) == 80  # 50 + 0.6 × 50
    assert score(definitions, full, None) == 100  # no rating imported: scaled
    assert score(DEFINITIONS, full, 60) == 50  # no points for it: not counted


def test_ranks_share_a_place_on_equal_scores_and_skip_the_next() -> None:
    assert ranks({"a": 40.0, "b": 50.0, "c": 40.0, "d": 10.0, "e": None}) == {"a": 2, "b": 1, "c": 2, "d": 4}


def test_rates_with_no_denominator_have_no_value() -> None:
    rates = rate_values(DEFINITIONS, {"received": 4, "accepted": 0, "completed": 0, "rated": 0, "satisfied": 0})

    assert (rates["acceptance"].value, rates["completion"].value, rates["satisfaction"].value) == (0.0, None, None)


def test_groups_with_no_calls_are_listed_apart_and_every_known_unit_is_somewhere() -> None:
    period = period_containing(PeriodKind.MONTH, datetime(2026, 12, 7, tzinfo=UTC))
    measures: dict[str, float | None] = {code: 0.0 for code in DEFINITIONS.measures}
    now = PeriodFigures(
        groups={"water": measures | {"received": 2, "accepted": 2}, "hekou-town": measures | {"joint_tasks": 1}},
        city=measures | {"received": 2, "accepted": 2},
    )
    table = rates_table(
        DEFINITIONS,
        period=period,
        previous=previous_period(period),
        group_by=GroupBy.UNIT,
        cutoff=period.end,
        now=now,
        before=PeriodFigures(),
        names={"water": "水务局"},
        known_units=["water", "health", "hekou-town"],
        township_ratings={},
    )

    assert [(line.group, line.name, line.rank) for line in table.lines] == [("water", "水务局", 1)]
    assert [line.group for line in table.no_calls] == ["health", "hekou-town"]
    assert table.no_calls[1].measures["joint_tasks"] == 1
    assert table.city.rates["acceptance"].value == 1.0 and table.city.previous_rates["acceptance"] is None
