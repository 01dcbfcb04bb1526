"""`GET /v1/reports/rates`, `GET /v1/reports/scores` and `PUT /v1/reports/township-ratings/{period_key}`: the units'
rates and scores for a period, computed from the records' unit facts (docs/assessment.md), and the townships'
ratings of departments (以下看上) the coordination centre imports.

The coordination centre and leaders read every line; a unit reads its own line and the city's; other clients none.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from services.contracts.assessment_reports import (
    GroupBy,
    RateLine,
    RatesTable,
    ScoreBoard,
    ScoreLine,
    TownshipRating,
    TownshipRatings,
)
from services.contracts.catalog import ResponsibilityCatalog, UnitKind
from services.contracts.credentials import ClientKind, Principal
from services.contracts.problem_codes import ProblemCode
from services.engines.records_db.township_rating_store import replace_township_ratings
from services.engines.records_db.unit_rates import rates_table
from services.intake.auth import Caller, require_kind
from services.intake.authorization import require_coordination
from services.intake.dependencies import IntakeServices, Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import UnprocessableInput
from services.intake.report_query import PeriodQuery, RatesQuery, period_of_key

router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=ERROR_RESPONSES)

READERS = (ClientKind.COORDINATION, ClientKind.LEADER, ClientKind.UNIT)
TOWNSHIP_RATING = "township_rating"


@router.get("/rates")
async def rates(query: Annotated[RatesQuery, Query()], services: Services, caller: Caller) -> RatesTable:
    """The rates of every unit (or township, or catalog domain) for a period, as of `cutoff` (default now): cases
    received, acceptance, completion and satisfaction rates and the other measures the definitions name, each unit's
    score and rank and the change against the period before; units that received no calls are listed apart
    (`no_calls`). A unit sees its own line (a township: its area's) and the city's."""
    require_kind(caller, *READERS, action="read the assessment's rates")
    table = await _table(services, query, query.group)
    if caller.kind is ClientKind.UNIT and query.group is GroupBy.DOMAIN:
        # A domain is no unit's line, even one that shares its code (the health domain, the health bureau).
        return table.model_copy(update={"lines": [], "no_calls": []})
    if caller.kind is ClientKind.UNIT:
        return table.model_copy(update={"lines": _own(table.lines, caller), "no_calls": _own(table.no_calls, caller)})
    return table


@router.get("/scores")
async def scores(query: Annotated[PeriodQuery, Query()], services: Services, caller: Caller) -> ScoreBoard:
    """The units' weighted assessment scores for a period (the definitions' points for each rate), best first; units
    with no calls apart. A unit sees its own line."""
    require_kind(caller, *READERS, action="read the assessment's scores")
    table = await _table(services, query, GroupBy.UNIT)
    weights = services.definitions.score
    points = dict(weights.points)
    if weights.township_rating_points > 0:
        points[TOWNSHIP_RATING] = weights.township_rating_points
    lines, no_calls = table.lines, table.no_calls
    if caller.kind is ClientKind.UNIT:
        lines, no_calls = _own(lines, caller), _own(no_calls, caller)
    return ScoreBoard(
        definitions_version=table.definitions_version,
        name=weights.name,
        period=table.period,
        cutoff=table.cutoff,
        points=points,
        of_total=weights.of_total,
        lines=[_score_line(line, weights.points) for line in lines],
        no_calls=[_score_line(line, weights.points) for line in no_calls],
    )


@router.put("/township-ratings/{period_key}")
async def import_township_ratings(
    period_key: Annotated[str, Path(max_length=64, description="The period's key, as `Period.key`: week-2026-12-07.")],
    ratings: Annotated[list[TownshipRating], Body(max_length=10_000)],
    services: Services,
    caller: Caller,
) -> TownshipRatings:
    """The townships' ratings of departments for a period (以下看上), 0–100 each, in place of the period's earlier
    import: the coordination centre's. They weigh in the units' scores when the definitions give them points."""
    require_coordination(caller, action="import the townships' ratings")
    if period_of_key(period_key) is None:
        raise UnprocessableInput(
            f"period_key: {period_key!r} names no period (such as week-2026-12-07)", code=ProblemCode.PERIOD_UNKNOWN
        )
    _check_ratings(ratings, services.catalog)
    async with services.records.writing() as connection:
        await replace_township_ratings(connection, period_key=period_key, ratings=ratings, imported_by=caller.client_id)
    return TownshipRatings(period_key=period_key, ratings=ratings)


async def _table(services: IntakeServices, query: PeriodQuery, group_by: GroupBy) -> RatesTable:
    now = datetime.now(UTC)
    catalog = services.catalog
    units = {code: unit for code, unit in catalog.units.items() if unit.kind is not UnitKind.COORDINATION}
    if group_by is GroupBy.DOMAIN:
        names = {item.domain: item.domain_zh for item in catalog.items.values()}
    else:
        names = {code: unit.name_zh for code, unit in units.items()}
    async with services.records.reading() as connection:
        return await rates_table(
            connection,
            services.definitions,
            period=query.resolve(now),
            group_by=group_by,
            cutoff=query.cutoff or now,
            names=names,
            domains={code: item.domain for code, item in catalog.items.items()},
            known_units=sorted(units),
        )


def _own(lines: list[RateLine], caller: Principal) -> list[RateLine]:
    return [line for line in lines if line.group == caller.subject]


def _score_line(line: RateLine, points: dict[str, float]) -> ScoreLine:
    return ScoreLine(
        unit=line.group,
        name=line.name,
        score=line.score,
        rank=line.rank,
        rates={code: line.rates[code].value for code in points},
        township_rating=line.township_rating,
    )


def _check_ratings(ratings: list[TownshipRating], catalog: ResponsibilityCatalog) -> None:
    """Townships rate departments, each pair once (422 naming the rating otherwise)."""
    seen: set[tuple[str, str]] = set()
    for n, rating in enumerate(ratings):
        township, unit = catalog.unit(rating.township), catalog.unit(rating.unit)
        if township is None or township.kind is not UnitKind.TOWNSHIP:
            raise UnprocessableInput(
                f"body[{n}].township: {rating.township!r} is no township of the catalog", code=ProblemCode.UNKNOWN_UNIT
            )
        if unit is None or unit.kind is not UnitKind.DEPARTMENT:
            raise UnprocessableInput(
                f"body[{n}].unit: {rating.unit!r} is no department of the catalog", code=ProblemCode.UNKNOWN_UNIT
            )
        if (rating.township, rating.unit) in seen:
            raise UnprocessableInput(
                f"body[{n}]: {rating.township!r} rates {rating.unit!r} twice", code=ProblemCode.RATED_TWICE
            )
        seen.add((rating.township, rating.unit))
