"""A rates table from the measures of two periods (pure): each group's rates, the units' scores and ranks, the change
against the previous period, the units with no calls listed apart, and the city's line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from services.contracts.assessment import AssessmentDefinitions, MissingRate
from services.contracts.assessment_periods import Period
from services.contracts.assessment_reports import GroupBy, RateLine, RatesTable, RateValue

CITY_GROUP = "city"
CITY_NAME = "全市"
NO_GROUP_NAME = "未归属"  # facts with no township, or of an item the catalog puts in no domain
SCORE_DIGITS = 4  # scores are compared (ranked) as rounded, so that float noise makes no tie-breaker

Measures = dict[str, float | None]


@dataclass(frozen=True)
class PeriodFigures:
    """Every measure of each group, and of the city, in one period."""

    groups: dict[str, Measures] = field(default_factory=dict)
    city: Measures = field(default_factory=dict)


def rate_values(definitions: AssessmentDefinitions, measures: Measures) -> dict[str, RateValue]:
    """Each rate of the definitions from a group's measures (no value where the denominator is 0)."""
    rates: dict[str, RateValue] = {}
    for code, rate in definitions.rates.items():
        numerator = measures.get(rate.numerator) or 0.0
        denominator = measures.get(rate.denominator) or 0.0
        rates[code] = RateValue(
            numerator=numerator,
            denominator=denominator,
            value=numerator / denominator if denominator else None,
        )
    return rates


def score(
    definitions: AssessmentDefinitions, rates: Mapping[str, RateValue], township_rating: float | None
) -> float | None:
    """The weighted score: each weighted rate's value times its points (and the townships' rating, 0–100, times its
    points when the definitions give it any). A part with no value counts as the definitions say (`missing_rates`:
    left out with the others scaled up to the whole, or 0); None when no part has a value."""
    weights = definitions.score
    parts = [(points, rates[code].value if code in rates else None) for code, points in weights.points.items()]
    if weights.township_rating_points > 0:
        parts.append((weights.township_rating_points, None if township_rating is None else township_rating / 100))
    valued = [(points, value) for points, value in parts if value is not None]
    if not valued:
        return None
    earned = sum(points * value for points, value in valued)
    if weights.missing_rates is MissingRate.SCALE:
        counted = sum(points for points, _ in valued)
        earned = earned * sum(points for points, _ in parts) / counted if counted else 0.0
    return round(earned, SCORE_DIGITS)


def ranks(scores: Mapping[str, float | None]) -> dict[str, int]:
    """1 for the best score; equal scores share a rank and the next rank skips (1, 1, 3); no score, no rank."""
    ordered = sorted((value for value in scores.values() if value is not None), reverse=True)
    first_place: dict[float, int] = {}
    for place, value in enumerate(ordered, start=1):
        first_place.setdefault(value, place)
    return {group: first_place[value] for group, value in scores.items() if value is not None}


def rates_table(
    definitions: AssessmentDefinitions,
    *,
    period: Period,
    previous: Period,
    group_by: GroupBy,
    cutoff: datetime,
    now: PeriodFigures,
    before: PeriodFigures,
    names: Mapping[str, str],
    known_units: Sequence[str],
    township_ratings: Mapping[str, float],
) -> RatesTable:
    """The table: groups that received calls in the period (ranked by score, for units), those that did not apart
    (for units: every unit the catalog knows), and the city."""
    received = definitions.received_measure
    groups = set(now.groups) | (set(known_units) if group_by is GroupBy.UNIT else set())
    empty: Measures = {code: 0.0 for code in definitions.measures}

    def line(group: str, measures: Measures, previous: Measures, *, named: str | None = None) -> RateLine:
        rates = rate_values(definitions, measures)
        before_rates = {code: rate.value for code, rate in rate_values(definitions, previous).items()}
        rating = township_ratings.get(group) if group_by is GroupBy.UNIT else None
        return RateLine(
            group=group,
            name=named or names.get(group) or (group if group else NO_GROUP_NAME),
            measures=measures,
            rates=rates,
            score=score(definitions, rates, rating) if group_by is GroupBy.UNIT else None,
            previous_rates=before_rates,
            change={code: _change(rate.value, before_rates.get(code)) for code, rate in rates.items()},
            township_rating=rating,
        )

    lines: list[RateLine] = []
    no_calls: list[RateLine] = []
    for group in sorted(groups):
        measured = line(group, now.groups.get(group, empty), before.groups.get(group, empty))
        (lines if (measured.measures.get(received) or 0) > 0 else no_calls).append(measured)
    ranked = ranks({line.group: line.score for line in lines})
    for ranked_line in lines:
        ranked_line.rank = ranked.get(ranked_line.group)
    if group_by is GroupBy.UNIT:
        lines.sort(key=lambda line: (line.rank is None, line.rank or 0, line.group))
        for quiet in no_calls:  # rated from below only (以下看上): their score is the townships' rating alone
            quiet.score = score(definitions, {}, quiet.township_rating)
    ordered_rates = [*definitions.headline, *(code for code in definitions.rates if code not in definitions.headline)]
    return RatesTable(
        definitions_version=definitions.version,
        period=period,
        previous_period=previous,
        group_by=group_by,
        cutoff=cutoff,
        rates={code: definitions.rates[code].name for code in ordered_rates},
        measures={code: measure.name for code, measure in definitions.measures.items()},
        headline=definitions.headline,
        lines=lines,
        no_calls=no_calls,
        city=line(CITY_GROUP, now.city or empty, before.city or empty, named=CITY_NAME).model_copy(
            update={"score": None}
        ),
    )


def _change(value: float | None, previous: float | None) -> float | None:
    return None if value is None or previous is None else value - previous
