"""The rates of units, townships or domains for a period, computed from the units' facts (PostgreSQL): one statement
a period (services/engines/records_db/fact_measures.py), the previous period's for the change, and the townships'
ratings of the departments (以下看上); assembled by `rate_lines`. docs/assessment.md explains every figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.assessment import AssessmentDefinitions
from services.contracts.assessment_periods import Period, previous_period
from services.contracts.assessment_reports import GroupBy, RatesTable
from services.engines.records_db.fact_measures import PeriodMeasures, Window
from services.engines.records_db.rate_lines import rates_table as assemble
from services.engines.records_db.tables import township_ratings

_NONE: Mapping[str, str] = MappingProxyType({})


async def rates_table(
    connection: AsyncConnection,
    definitions: AssessmentDefinitions,
    *,
    period: Period,
    group_by: GroupBy,
    cutoff: datetime,
    names: Mapping[str, str] = _NONE,
    domains: Mapping[str, str] = _NONE,
    known_units: Sequence[str] = (),
) -> RatesTable:
    """The rates table of the period as of `cutoff` (facts known before it), grouped by unit, township or domain.

    `names`: code → Chinese name; `domains`: catalog item → domain code (for `group_by=domain`); `known_units`: the
    catalog's units, so that those with no calls in the period are listed apart (`no_calls`)."""
    mapping = {"items": list(domains), "domains": list(domains.values())} if group_by is GroupBy.DOMAIN else {}
    previous = previous_period(period)
    measured = PeriodMeasures(definitions, group_by)
    now = measured.figures(await connection.execute(measured.statement, Window(period, cutoff).parameters() | mapping))
    # The period before gives only its rates (their numerators and denominators), for the change.
    rated = PeriodMeasures(definitions, group_by, only=rate_measures(definitions))
    before = rated.figures(await connection.execute(rated.statement, Window(previous, cutoff).parameters() | mapping))
    ratings = await unit_ratings(connection, period.key) if group_by is GroupBy.UNIT else {}
    return assemble(
        definitions,
        period=period,
        previous=previous,
        group_by=group_by,
        cutoff=cutoff,
        now=now,
        before=before,
        names=names,
        known_units=known_units,
        township_ratings=ratings,
    )


async def unit_ratings(connection: AsyncConnection, period_key: str) -> dict[str, float]:
    """Each department's average rating by the townships for the period (0–100)."""
    rows = await connection.execute(
        select(township_ratings.c.unit, func.avg(township_ratings.c.score))
        .where(township_ratings.c.period_key == period_key)
        .group_by(township_ratings.c.unit)
    )
    return {unit: float(average) for unit, average in rows}


def rate_measures(definitions: AssessmentDefinitions) -> set[str]:
    """The measures the rates are made of."""
    return {code for rate in definitions.rates.values() for code in (rate.numerator, rate.denominator)}
