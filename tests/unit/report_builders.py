"""A realistic weekly bulletin with its special report, as the report workflow stores it (for rendering and delivery
tests): eight units ranked, one with no calls, seven weeks of trend, stalled items, units named, a class of cases
and two special rectifications."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.contracts.assessment import shipped_definitions
from services.contracts.assessment_periods import PeriodKind, period_containing, periods_before, previous_period
from services.contracts.assessment_reports import (
    CaseClassSummary,
    GroupBy,
    RateLine,
    RatesTable,
    RateValue,
    RectificationSummary,
    Report,
    ReportKind,
    StalledItem,
    StalledReason,
    TrendPoint,
    UnitNotice,
    UnitNoticeKind,
)

GENERATED_AT = datetime(2026, 12, 4, 10, 0, 7, tzinfo=UTC)  # Friday 18:00:07 in the city
PERIOD = period_containing(PeriodKind.WEEK, datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
REPORT_ID = f"weekly-{PERIOD.key}-v1"

# Unit → received, accepted, completed, rated, satisfied (the three rates' numerators and denominators).
COUNTS: dict[str, tuple[str, int, int, int, int, int]] = {
    "water": ("水务局", 212, 212, 205, 180, 176),
    "housing-construction": ("住房和城乡建设局", 188, 186, 170, 150, 141),
    "market-regulation": ("市场监督管理局", 143, 143, 139, 120, 116),
    "hekou-town": ("河口镇", 97, 95, 90, 80, 77),
    "law-enforcement": ("综合行政执法局", 160, 151, 128, 110, 96),
    "human-resources": ("人力资源和社会保障局", 75, 71, 60, 50, 44),
    "transport": ("交通运输局", 54, 50, 38, 30, 24),
    "qingshan-town": ("青山镇", 12, 9, 6, 3, 1),
}
PREVIOUS = {"acceptance": 0.962, "completion": 0.921, "satisfaction": 0.905}


def rate(numerator: float, denominator: float) -> RateValue:
    return RateValue(
        numerator=numerator, denominator=denominator, value=numerator / denominator if denominator else None
    )


def line(group: str, name: str, received: int, accepted: int, completed: int, rated: int, satisfied: int) -> RateLine:
    definitions = shipped_definitions()
    measures: dict[str, float | None] = {code: 0.0 for code in definitions.measures}
    measures.update(
        received=received,
        accepted=accepted,
        completed=completed,
        rated=rated,
        satisfied=satisfied,
        sign_for_counted=received,
        signed_on_time=accepted - 1 if accepted else 0,
        feedback_counted=accepted,
        feedback_on_time=accepted - 2 if accepted > 1 else 0,
        resolution_counted=completed + 3,
        resolved_on_time=completed,
        transfers_out=received - accepted,
        reworks=3,
        breaches=received - accepted + 1,
        handling_hours_average=received / 7,
        handling_hours_p90=received / 3,
        joint_tasks=4,
        joint_completed=3,
    )
    rates = {
        code: rate(measures[r.numerator] or 0, measures[r.denominator] or 0) for code, r in definitions.rates.items()
    }
    score = sum(rates[code].value or 0 for code in definitions.score.points) * 50 / 3
    change = {code: (rates[code].value or 0) - PREVIOUS[code] for code in PREVIOUS}
    return RateLine(
        group=group,
        name=name,
        measures=measures,
        rates=rates,
        score=round(score, 2),
        previous_rates=dict(PREVIOUS),
        change=change,
    )


def realistic_report(**overrides: Any) -> Report:
    definitions = shipped_definitions()
    lines = sorted((line(code, *counts) for code, counts in COUNTS.items()), key=lambda one: -(one.score or 0))
    ranked = [one.model_copy(update={"rank": rank}) for rank, one in enumerate(lines, start=1)]
    totals = [sum(counts[i] for counts in COUNTS.values()) for i in range(1, 6)]
    city = line("city", "全市", *totals).model_copy(update={"score": None})
    no_calls = RateLine(
        group="commerce",
        name="商务局",
        measures={code: 0.0 for code in definitions.measures},
        rates={code: RateValue(numerator=0, denominator=0, value=None) for code in definitions.rates},
        township_rating=92.5,
    )
    table = RatesTable(
        definitions_version=definitions.version,
        period=PERIOD,
        previous_period=previous_period(PERIOD),
        group_by=GroupBy.UNIT,
        cutoff=GENERATED_AT - timedelta(seconds=7),
        rates={code: r.name for code, r in definitions.rates.items()},
        measures={code: m.name for code, m in definitions.measures.items()},
        headline=list(definitions.headline),
        lines=ranked,
        no_calls=[no_calls],
        city=city,
    )
    trend = [
        TrendPoint(
            period=period,
            label=period.label(),
            rates={"acceptance": 0.95 + i * 0.002, "completion": 0.90 + i * 0.003, "satisfaction": 0.89 + i * 0.002},
        )
        for i, period in enumerate(periods_before(previous_period(PERIOD), 7))
    ]
    fields: dict[str, Any] = {
        "report_id": REPORT_ID,
        "kind": ReportKind.WEEKLY,
        "version": 1,
        "title": "河口市12345热线工作周通报",
        "period": PERIOD,
        "cutoff": table.cutoff,
        "generated_at": GENERATED_AT,
        "definitions_version": definitions.version,
        "rates": table,
        "trend": trend,
        "stalled": STALLED,
        "no_progress_working_days": 5,
        "units_named": [
            UnitNotice(
                unit="transport",
                name="交通运输局",
                kind=UnitNoticeKind.NON_RESPONDING,
                count=4,
                case_ids=["c-0101", "c-0102", "c-0103", "c-0104"],
            ),
            UnitNotice(
                unit="law-enforcement", name="综合行政执法局", kind=UnitNoticeKind.LATE, count=9, case_ids=["c-0201"]
            ),
        ],
        "new_classes": [
            CaseClassSummary(
                class_id="class-ls06-hekou-2026w49",
                kind="item_township",
                catalog_item="LS-06",
                township="hekou-town",
                label="河口镇幸福家园小区反复停水",
                case_count=14,
                first_received_at=datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
                last_received_at=datetime(2026, 12, 3, 8, 30, tzinfo=UTC),
                detected_at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
                case_ids=["c-0301", "c-0302"],
            )
        ],
        "rectifications": [
            RectificationSummary(
                rectification_id="rect-2026-007",
                title="城区夜间施工噪音专项整治",
                class_id="class-noise-chengguan",
                lead_unit="law-enforcement",
                participants=["housing-construction", "ecology-environment"],
                status="open",
                deadline=datetime(2026, 12, 31, 10, 0, tzinfo=UTC),
                opened_at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
                case_count=37,
                open_case_count=6,
                last_progress="已约谈施工单位12家，夜间巡查发现违规3起并立案",
            ),
            RectificationSummary(
                rectification_id="rect-2026-004",
                title="老旧小区二次供水设施整治",
                class_id=None,
                lead_unit="water",
                participants=["housing-construction"],
                status="closed",
                deadline=datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
                opened_at=datetime(2026, 9, 1, 1, 0, tzinfo=UTC),
                closed_at=datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
                result="完成9个小区水箱清洗和管网改造，同类来电由每周20件降至2件",
                case_count=58,
                open_case_count=0,
                last_progress="整治完成，已回访群众",
            ),
        ],
    }
    fields.update(overrides)
    return Report.model_validate(fields)


STALLED = [
    StalledItem(
        case_id="3f6c1a9e-8a55-4a43-9f0e-2b7d1c5e4a10",
        title="小区停水两天无人处理",
        catalog_item="LS-06",
        handling_unit="water",
        township="hekou-town",
        received_at=datetime(2026, 11, 20, 2, 15, tzinfo=UTC),
        reason=StalledReason.OVERDUE,
        deadline_kind="resolution",
        due=datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
        stalled_days=7,
        last_progress_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC),
        last_progress="抢修完成百分之六十，已安排送水车",
        proposed_measure="区住建局牵头更换主管道，12月10日前完工",
        escalation_level=2,
    ),
    StalledItem(
        case_id="5b1d2c3e-0000-4a43-9f0e-2b7d1c5e4a11",
        title="道路井盖缺失存在安全隐患",
        catalog_item="TR-02",
        handling_unit="transport",
        township="qingshan-town",
        received_at=datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
        reason=StalledReason.OVERDUE,
        deadline_kind="sign_for",
        due=datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
        stalled_days=9,
    ),
    StalledItem(
        case_id="7c2e3d4f-1111-4a43-9f0e-2b7d1c5e4a12",
        title="拖欠农民工工资三个月",
        catalog_item="HR-01",
        handling_unit="human-resources",
        township="chengguan-street",
        received_at=datetime(2026, 11, 10, 1, 30, tzinfo=UTC),
        reason=StalledReason.NO_PROGRESS,
        stalled_days=8,
        last_progress_at=datetime(2026, 11, 26, 2, 0, tzinfo=UTC),
        last_progress="已约谈用工单位，责令限期支付",
        proposed_measure="申请劳动监察立案，走司法程序",
    ),
]
