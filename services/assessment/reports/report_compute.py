"""A report's content from the case records: the period's rates, the trend, the special report's stalled items,
the units named, the new classes of cases and the special rectifications (services/contracts/assessment_reports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import AwareDatetime, BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assessment.classes.report_rows import classes_for_report, rectifications_for_report
from services.assessment.reports.report_periods import report_id, report_title
from services.assessment.reports.stalled_items import stalled_items
from services.assessment.reports.units_named import units_named
from services.contracts.assessment import AssessmentDefinitions
from services.contracts.assessment_periods import Period, periods_before
from services.contracts.assessment_reports import GroupBy, RatesTable, Report, ReportKind, TrendPoint
from services.contracts.catalog import ResponsibilityCatalog, UnitKind
from services.engines.records_db.unit_rates import rates_table


class ReportPlan(BaseModel):
    """Which report to make: decided once (`plan_report`), then made (`produce_report`)."""

    kind: ReportKind
    period: Period
    cutoff: AwareDatetime
    version: int
    existing: bool = False  # this period's report is stored already and no re-run was asked
    made_by: str = ""  # the workflow run making it: its retried attempts find the report stored as their own

    @property
    def report_id(self) -> str:
        return report_id(self.kind, self.period, self.version)


@dataclass(frozen=True)
class ReportSources:
    definitions: AssessmentDefinitions
    catalog: ResponsibilityCatalog
    no_progress_working_days: int
    trend_periods: int


class CatalogTerms:
    """What the rates need of the catalog: names, the units assessed, each item's domain."""

    def __init__(self, catalog: ResponsibilityCatalog) -> None:
        self.names = {code: unit.name_zh for code, unit in catalog.units.items()}
        self.names |= {item.domain: item.domain_zh for item in catalog.items.values()}
        self.units = [code for code, unit in catalog.units.items() if unit.kind is not UnitKind.COORDINATION]
        self.domains = {code: item.domain for code, item in catalog.items.items()}


async def period_rates(
    connection: AsyncConnection,
    sources: ReportSources,
    terms: CatalogTerms,
    *,
    period: Period,
    cutoff: datetime,
    group_by: GroupBy = GroupBy.UNIT,
) -> RatesTable:
    return await rates_table(
        connection,
        sources.definitions,
        period=period,
        group_by=group_by,
        cutoff=cutoff,
        names=terms.names,
        domains=terms.domains,
        known_units=terms.units,
    )


async def compute_report(
    connection: AsyncConnection, plan: ReportPlan, sources: ReportSources, *, generated_at: datetime
) -> Report:
    # The catalog's names and units, read once for the period's table and each of the trend's.
    terms = CatalogTerms(sources.catalog)
    rates = await period_rates(connection, sources, terms, period=plan.period, cutoff=plan.cutoff)
    trend = []
    for earlier in periods_before(plan.period, sources.trend_periods):
        table = (
            rates
            if earlier == plan.period
            else await period_rates(connection, sources, terms, period=earlier, cutoff=min(earlier.end, plan.cutoff))
        )
        headline = {code: table.city.rates[code].value for code in sources.definitions.headline}
        trend.append(TrendPoint(period=earlier, label=earlier.label(), rates=headline))
    stalled, stalled_total = await stalled_items(
        connection, cutoff=plan.cutoff, no_progress_working_days=sources.no_progress_working_days
    )
    return Report(
        report_id=plan.report_id,
        kind=plan.kind,
        version=plan.version,
        title=report_title(plan.kind, plan.period),
        period=plan.period,
        cutoff=plan.cutoff,
        generated_at=generated_at,
        definitions_version=sources.definitions.version,
        rates=rates,
        trend=trend,
        stalled=stalled,
        stalled_total=stalled_total,
        no_progress_working_days=sources.no_progress_working_days,
        units_named=await units_named(connection, period=plan.period, cutoff=plan.cutoff, names=terms.names),
        new_classes=await classes_for_report(connection, plan.period),
        rectifications=await rectifications_for_report(connection, plan.period),
    )
