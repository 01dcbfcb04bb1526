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

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    DateTime,
    Float,
    Integer,
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


def aggregate(measure: Measure) -> ColumnElement[Any]:
    """The measure over the facts of a group: its aggregate of those that meet its condition in the period."""
    counted = and_(condition(measure.where), in_period(measure.period_by))
    if measure.aggregate is Aggregate.COUNT:
        return func.count().filter(counted)
    assert measure.column is not None  # the contract requires one for every other aggregate
    number = value(measure.column)
    match measure.aggregate:
        case Aggregate.SUM:
            return func.sum(number).filter(counted)
        case Aggregate.AVERAGE:
            return func.avg(number, type_=Float).filter(counted)
        case Aggregate.P90:
            return func.percentile_cont(P90).within_group(number).filter(counted)
    raise ValueError(f"no aggregate {measure.aggregate!r}")  # pragma: no cover


def measure_label(position: int) -> str:
    """The result column of the `position`-th measure of the definitions."""
    return f"measure_{position}"


def period_statement(definitions: AssessmentDefinitions, group_by: GroupBy) -> Select[Any]:
    """Every measure for each group and for the city (the row whose `is_city` is 1), over the facts whose times may
    fall in the period; parameters: `Window.parameters()`, and for domains `items` and `domains` (two arrays: a
    catalog item and its domain at the same place)."""
    facts = unit_case_facts
    source: Any = facts
    match group_by:
        case GroupBy.UNIT:
            group: ColumnElement[Any] = _facts.unit
        case GroupBy.TOWNSHIP:
            group = func.coalesce(_facts.township, NO_GROUP)
        case GroupBy.DOMAIN:
            domain_of = (
                func.unnest(bindparam("items", type_=ARRAY(String)), bindparam("domains", type_=ARRAY(String)))
                .table_valued("item", "domain")
                .render_derived(name="domain_of")
            )
            source = facts.outerjoin(domain_of, domain_of.c.item == _facts.catalog_item)
            group = func.coalesce(domain_of.c.domain, NO_GROUP)
    # Only the facts whose times may put them in the period are read: each of these times has an index.
    times = sorted({measure.period_by for measure in definitions.measures.values()})
    return (
        select(
            group.label(GROUP),
            func.grouping(group).label(CITY),
            # Named by position, not by their codes: the definitions' words never become SQL.
            *(aggregate(measure).label(measure_label(n)) for n, measure in enumerate(definitions.measures.values())),
        )
        .select_from(source)
        .where(or_(*(in_period(time) for time in times)))
        .group_by(func.rollup(group))
    )
