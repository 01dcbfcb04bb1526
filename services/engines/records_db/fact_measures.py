"""The measures of the assessment definitions as SQL over `unit_case_facts` (SQLAlchemy Core): one statement a
period, every measure an aggregate with its own filter, grouped by unit, township or domain, with the city's total.

Only the contract's enums name columns (`TimeColumn`, `FlagColumn`, `CountColumn`, `FactRole`, `FactRating`), and
the definitions' values are bound parameters: nothing of a definitions file becomes SQL text.

**As of the cutoff.** A time after the cutoff counts as not yet happened: a fact's times and verdicts are read as
they stood at the cutoff (a deadline missed after it is still running, a case resolved after it is still open, a
breach after it is not counted), so the same period and cutoff give the same figures whenever they are computed,
but for events that reached the records late. A measure counts a fact when its `period_by` time falls in
[period start, min(period end, cutoff)).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    DateTime,
    Float,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY

from services.contracts.assessment import (
    Aggregate,
    AssessmentDefinitions,
    Condition,
    CountColumn,
    FlagColumn,
    Measure,
    TimeColumn,
)
from services.contracts.assessment_periods import Period
from services.contracts.assessment_reports import GroupBy
from services.engines.records_db.rate_lines import Measures, PeriodFigures
from services.engines.records_db.tables import unit_case_facts

# The group of facts that have no township, or an item of no known domain.
NO_GROUP = ""
# A fact's group (unit, township or domain code) and whether the row is the city's total.
GROUP, CITY = "group_code", "is_city"
P90 = 0.9

_facts = unit_case_facts.c
_AT = DateTime(timezone=True)
_START: BindParameter[datetime] = bindparam("period_start", type_=_AT)
_UNTIL: BindParameter[datetime] = bindparam("period_until", type_=_AT)
_CUTOFF: BindParameter[datetime] = bindparam("cutoff", type_=_AT)
_BEFORE_CUTOFF: BindParameter[datetime] = bindparam("before_cutoff", type_=_AT)
# A verdict on a deadline, and when it was reached.
_VERDICTS = {
    FlagColumn.SIGN_FOR_ON_TIME: (_facts.sign_for_on_time, _facts.sign_for_known_at),
    FlagColumn.FEEDBACK_ON_TIME: (_facts.feedback_on_time, _facts.feedback_known_at),
    FlagColumn.RESOLUTION_ON_TIME: (_facts.resolution_on_time, _facts.resolution_known_at),
}
# A count, and the times of the events it counts.
_COUNTED = {
    CountColumn.REWORKS: (_facts.reworks, _facts.rework_times),
    CountColumn.BREACHES: (_facts.breaches, _facts.breach_times),
    CountColumn.ESCALATIONS: (_facts.escalations, _facts.escalation_times),
}


@dataclass(frozen=True)
class Window:
    """A period as of a cutoff: the statement's parameters."""

    period: Period
    cutoff: datetime

    def parameters(self) -> dict[str, Any]:
        until = min(self.period.end, self.cutoff)
        return {
            "period_start": self.period.start,
            "period_until": max(until, self.period.start),
            "cutoff": self.cutoff,
            # `width_bucket` counts the times up to and including its operand: those before the cutoff.
            "before_cutoff": self.cutoff - timedelta(microseconds=1),
        }


def happened(time: TimeColumn) -> ColumnElement[bool]:
    """The time is set and before the cutoff."""
    return _facts[time.value] < _CUTOFF


def flag(name: FlagColumn) -> ColumnElement[Any]:
    """The flag as it stood at the cutoff: true, false, or null (not known yet)."""
    if name in _VERDICTS:
        verdict, known_at = _VERDICTS[name]
        return case((known_at < _CUTOFF, verdict))
    match name:
        case FlagColumn.EXTENDED:
            return func.coalesce(_facts.extended_at < _CUTOFF, false())
        case FlagColumn.ARBITRATION_LOST:
            return and_(_facts.arbitration_lost, _facts.received_at < _CUTOFF)
        case FlagColumn.TRANSFERRED_OUT:
            return func.coalesce(and_(_facts.transferred_out, _facts.left_at < _CUTOFF), false())
        case FlagColumn.STILL_OPEN:
            return and_(_facts.received_at < _CUTOFF, or_(_facts.left_at.is_(None), _facts.left_at >= _CUTOFF))
    raise ValueError(f"no flag {name!r}")  # pragma: no cover - the enum is exhausted above


def value(name: CountColumn) -> ColumnElement[Any]:
    """The number as it stood at the cutoff (handling hours: null until the resolution)."""
    if name is CountColumn.HANDLING_HOURS:
        return case((_facts.resolved_at < _CUTOFF, _facts.handling_hours))
    count, times = _COUNTED[name]
    return case((count == 0, 0), else_=func.width_bucket(_BEFORE_CUTOFF, times, type_=Integer))


def condition(where: Condition) -> ColumnElement[bool]:
    """Every clause of the condition, as of the cutoff (an empty condition: true)."""
    clauses: list[ColumnElement[bool]] = []
    if where.role:
        clauses.append(_facts.role.in_([role.value for role in where.role]))
    clauses += [happened(time) for time in where.present]
    clauses += [or_(_facts[time.value].is_(None), _facts[time.value] >= _CUTOFF) for time in where.absent]
    clauses += [flag(name).is_(true()) for name in where.true]
    clauses += [flag(name).is_(false()) for name in where.false]
    clauses += [flag(name).is_not(true()) for name in where.not_true]
    clauses += [flag(name).is_not(None) for name in where.known]
    if where.rating:
        clauses += [_facts.rating.in_([rating.value for rating in where.rating]), happened(TimeColumn.RATED_AT)]
    clauses += [value(name) > 0 for name in where.positive]
    return and_(true(), *clauses)


def in_period(time: TimeColumn) -> ColumnElement[bool]:
    column = _facts[time.value]
    return and_(column >= _START, column < _UNTIL)


def filtered(measure: Measure) -> ColumnElement[bool]:
    """Whether a fact counts in the measure: it meets the condition and its time falls in the period."""
    return and_(condition(measure.where), in_period(measure.period_by))


class PeriodMeasures:
    """The statement that measures a period (`only` some measures, or all) for each group and the city, and the
    reading of its rows.

    Counts and sums are aggregated by group alone, which PostgreSQL hashes in parallel workers, and the city's are
    the groups' summed (each fact is in one group); an average is a sum and a count, for the same reason. A 90th
    percentile needs the sorted values of each group and of the city: those come from a second aggregate over the
    facts its own time puts in the period (narrow rows: the group and the value), joined to the first. Grouped by
    rollup with the percentile among twenty filtered aggregates, the whole was sorted instead: at 1.1 M facts a
    quarter's statement took 280–420 ms, now 250–310 ms, and the period before (its rates only, hashed) 80 ms
    (docs/assessment.md, "How fast").
    """

    def __init__(
        self, definitions: AssessmentDefinitions, group_by: GroupBy, *, only: Collection[str] | None = None
    ) -> None:
        # Named by position, not by their codes: the definitions' words never become SQL.
        self._measures = [
            (f"m{n}", code, measure)
            for n, (code, measure) in enumerate(definitions.measures.items())
            if only is None or code in only
        ]
        pooled = [(label, m) for label, _, m in self._measures if m.aggregate is not Aggregate.P90]
        ordered = [(label, m) for label, _, m in self._measures if m.aggregate is Aggregate.P90]
        source, group = _grouped(group_by)
        main = (
            select(group.label(GROUP), *(column for label, m in pooled for column in _pooled(label, m)))
            .select_from(source)
            .where(_in_any_period(m for _, m in pooled))
            .group_by(group)
        )
        if not ordered:
            self.statement: Select[Any] = main
            return
        main_rows = main.subquery("pooled")
        tails = (
            select(
                group.label(GROUP),
                func.grouping(group).label(CITY),
                *(
                    func.percentile_cont(P90).within_group(value(_column(m))).filter(filtered(m)).label(label)
                    for label, m in ordered
                ),
            )
            .select_from(source)
            .where(_in_any_period(m for _, m in ordered))
            .group_by(func.rollup(group))
            .subquery("ordered")
        )
        # The city's row comes from the percentiles' rollup (its group null); a group's from either side.
        self.statement = select(
            func.coalesce(main_rows.c[GROUP], tails.c[GROUP]).label(GROUP),
            func.coalesce(tails.c[CITY], 0).label(CITY),
            *(column for column in main_rows.c if column.name != GROUP),
            *(tails.c[label] for label, _ in ordered),
        ).select_from(
            main_rows.outerjoin(tails, and_(main_rows.c[GROUP] == tails.c[GROUP], tails.c[CITY] == 0), full=True)
        )

    def figures(self, rows: Iterable[Row[Any]]) -> PeriodFigures:
        """Each group's measures and the city's from the statement's rows."""
        figures = PeriodFigures()
        sums: dict[str, float] = {}
        for row in rows:
            found = row._mapping
            if found.get(CITY):
                figures.city.update(
                    {code: _number(found[label]) for label, code, m in self._measures if m.aggregate is Aggregate.P90}
                )
                continue
            values: Measures = {}
            for label, code, measure in self._measures:
                match measure.aggregate:
                    case Aggregate.COUNT | Aggregate.SUM:
                        number = _number(found[label]) or 0.0  # a count or sum of nothing is 0
                        values[code] = number
                        sums[code] = sums.get(code, 0.0) + number
                    case Aggregate.AVERAGE:
                        total, count = _number(found[f"{label}_sum"]) or 0.0, _number(found[f"{label}_n"]) or 0.0
                        values[code] = total / count if count else None
                        sums[f"{label}_sum"] = sums.get(f"{label}_sum", 0.0) + total
                        sums[f"{label}_n"] = sums.get(f"{label}_n", 0.0) + count
                    case Aggregate.P90:
                        values[code] = _number(found[label])
            figures.groups[found[GROUP]] = values
        for label, code, measure in self._measures:
            if measure.aggregate in (Aggregate.COUNT, Aggregate.SUM):
                figures.city[code] = sums.get(code, 0.0)
            elif measure.aggregate is Aggregate.AVERAGE:
                count = sums.get(f"{label}_n", 0.0)
                figures.city[code] = sums.get(f"{label}_sum", 0.0) / count if count else None
            else:
                figures.city.setdefault(code, None)
        return figures


def _pooled(label: str, measure: Measure) -> list[ColumnElement[Any]]:
    """A count or sum as itself, an average as its sum and its count."""
    counted = filtered(measure)
    match measure.aggregate:
        case Aggregate.COUNT:
            return [func.count().filter(counted).label(label)]
        case Aggregate.SUM:
            return [func.sum(value(_column(measure))).filter(counted).label(label)]
        case Aggregate.AVERAGE:
            number = value(_column(measure))
            return [
                func.sum(number, type_=Float).filter(counted).label(f"{label}_sum"),
                func.count(number).filter(counted).label(f"{label}_n"),
            ]
    raise ValueError(f"not a pooled aggregate: {measure.aggregate!r}")  # pragma: no cover


def _column(measure: Measure) -> CountColumn:
    assert measure.column is not None  # the contract requires one for every aggregate but a count
    return measure.column


def _in_any_period(measures: Iterable[Measure]) -> ColumnElement[bool]:
    """Only the facts whose times may put them in the period are read: each of these times has an index."""
    return or_(*(in_period(time) for time in sorted({measure.period_by for measure in measures})))


def _grouped(group_by: GroupBy) -> tuple[Any, ColumnElement[Any]]:
    """What the facts are read from, and the expression that puts one in its group (never null)."""
    match group_by:
        case GroupBy.UNIT:
            return unit_case_facts, _facts.unit
        case GroupBy.TOWNSHIP:
            return unit_case_facts, func.coalesce(_facts.township, NO_GROUP)
        case GroupBy.DOMAIN:
            domain_of = (
                func.unnest(bindparam("items", type_=ARRAY(String)), bindparam("domains", type_=ARRAY(String)))
                .table_valued("item", "domain")
                .render_derived(name="domain_of")
            )
            source = unit_case_facts.outerjoin(domain_of, domain_of.c.item == _facts.catalog_item)
            return source, func.coalesce(domain_of.c.domain, NO_GROUP)
    raise ValueError(f"no grouping {group_by!r}")  # pragma: no cover


def _number(found: Any) -> float | None:
    return None if found is None else float(found)
