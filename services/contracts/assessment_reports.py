"""What the rates API answers and what a bulletin (通报) or special report (专报) holds: the API contract of
`GET /v1/reports/rates` and `GET /v1/reports/{report_id}`, and what the HTML page and the XLSX workbook render."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.assessment_periods import Period
from services.contracts.tickets import CODE_PATTERN


class GroupBy(StrEnum):
    UNIT = "unit"
    TOWNSHIP = "township"
    DOMAIN = "domain"  # the catalog's domain of the case's item


class RateValue(BaseModel):
    numerator: float
    denominator: float
    value: float | None = Field(description="numerator / denominator, 0–1; null when the denominator is 0.")


class RateLine(BaseModel):
    """One unit's (township's, domain's, or the city's) figures for a period."""

    group: str = Field(description="The unit, township or domain code; `city` for the city-wide line.")
    name: str = Field(description="Its Chinese name, when the catalog knows it; else the code.")
    measures: dict[str, float | None] = Field(description="Measure code → its value (null: nothing to average).")
    rates: dict[str, RateValue]
    score: float | None = Field(default=None, description="The weighted assessment score (units only).")
    rank: int | None = Field(default=None, description="1 for the best score (units with calls only).")
    previous_rates: dict[str, float | None] = Field(
        default_factory=dict, description="Each rate's value in the previous period."
    )
    change: dict[str, float | None] = Field(
        default_factory=dict, description="Each rate's value minus the previous period's (null if either is)."
    )
    township_rating: float | None = Field(default=None, description="The townships' rating (以下看上), 0–100.")


class RatesTable(BaseModel):
    definitions_version: str
    period: Period
    previous_period: Period
    group_by: GroupBy
    cutoff: datetime = Field(description="Facts known up to this time (a report's: its scheduled time).")
    rates: dict[str, str] = Field(description="Rate code → its Chinese name, in the order reports print them.")
    measures: dict[str, str] = Field(description="Measure code → its Chinese name.")
    headline: list[str]
    lines: list[RateLine] = Field(description="Those that received calls in the period, ranked.")
    no_calls: list[RateLine] = Field(
        default_factory=list, description="Units known to the catalog that received no calls: listed apart, unranked."
    )
    city: RateLine = Field(description="The whole city (a unit caller sees its own line and this average).")


class StalledReason(StrEnum):
    OVERDUE = "overdue"  # open past a deadline
    NO_PROGRESS = "no_progress"  # no action by the handling unit for N working days


class StalledItem(BaseModel):
    """One stalled case, listed one by one in the special report (专报)."""

    case_id: str
    title: str | None
    catalog_item: str | None
    handling_unit: str | None
    township: str | None
    received_at: datetime | None
    reason: StalledReason
    deadline_kind: str | None = Field(default=None, description="The deadline passed (overdue).")
    due: datetime | None = None
    stalled_days: int = Field(description="Days since the deadline passed, or since the last progress.")
    last_progress_at: datetime | None = None
    last_progress: str = Field(default="", description="What the unit last reported (the timeline's words).")
    proposed_measure: str = Field(default="", description="The plan the unit gave in its last explanation.")
    escalation_level: int = 0


class UnitNoticeKind(StrEnum):
    NON_RESPONDING = "non_responding"  # did not sign for cases in time (不响应)
    LATE = "late"  # missed feedback or resolution deadlines (迟响应)


class UnitNotice(BaseModel):
    """A unit named in the bulletin and ordered to rectify (责令整改)."""

    unit: str
    name: str
    kind: UnitNoticeKind
    count: int
    case_ids: list[str] = Field(default_factory=list, description="Up to 20 of the cases.")


class CaseClassSummary(BaseModel):
    """A class of cases (类案): recurring matters found by the hotspot detector."""

    class_id: str
    kind: str = Field(description="What the cases share: `item_township`, `address`, ...")
    catalog_item: str | None = None
    township: str | None = None
    label: str = Field(description="How the class reads, in Chinese.")
    case_count: int
    first_received_at: datetime
    last_received_at: datetime
    detected_at: datetime
    case_ids: list[str] = Field(default_factory=list)
    rectification_id: str | None = None


class RectificationSummary(BaseModel):
    """A special rectification (专项整治) as the bulletin reports it."""

    rectification_id: str
    title: str
    class_id: str | None
    lead_unit: str
    participants: list[str]
    status: str
    deadline: datetime
    opened_at: datetime
    closed_at: datetime | None = None
    result: str = ""
    case_count: int = 0
    open_case_count: int = 0
    last_progress: str = ""


class TrendPoint(BaseModel):
    """The city's headline rates in one of the periods before (the report's line chart)."""

    period: Period
    label: str
    rates: dict[str, float | None]


class ReportKind(StrEnum):
    WEEKLY = "weekly"  # 周通报, every Friday
    HALF_MONTHLY = "half_monthly"  # 半月专报 to leadership
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class Report(BaseModel):
    """A bulletin with its special report: computed once per kind and period, stored immutably (a re-run for the
    same period is stored as the next version)."""

    report_id: str = Field(description="`<kind>-<period key>-v<version>`.")
    kind: ReportKind
    version: int = Field(ge=1)
    title: str
    period: Period
    cutoff: datetime
    generated_at: datetime
    definitions_version: str
    rates: RatesTable
    trend: list[TrendPoint] = Field(default_factory=list)
    stalled: list[StalledItem] = Field(default_factory=list, description="The longest stalled first, at most 1,000.")
    stalled_total: int = Field(default=0, description="How many cases were stalled in all.")
    no_progress_working_days: int
    units_named: list[UnitNotice] = Field(default_factory=list)
    new_classes: list[CaseClassSummary] = Field(default_factory=list)
    rectifications: list[RectificationSummary] = Field(default_factory=list)


class TownshipRating(BaseModel):
    """A township's rating of a department for a period (以下看上): imported by the coordination centre."""

    model_config = ConfigDict(extra="forbid")

    township: str = Field(pattern=CODE_PATTERN, description="The rating township's code.")
    unit: str = Field(pattern=CODE_PATTERN, description="The rated department's code.")
    score: float = Field(ge=0, le=100)


class TownshipRatings(BaseModel):
    """A period's ratings of departments by the townships, as imported (`PUT /v1/reports/township-ratings/{key}`)."""

    period_key: str
    ratings: list[TownshipRating]


class ScoreLine(BaseModel):
    """A unit's assessment score for a period, and the weighted rates it is made of."""

    unit: str
    name: str
    score: float | None = Field(description="Of the points the definitions weigh (`ScoreBoard.points`).")
    rank: int | None = Field(description="1 for the best score (units that received calls only).")
    rates: dict[str, float | None] = Field(description="Each weighted rate's value, 0–1 (null: nothing to count).")
    township_rating: float | None = None


class ScoreBoard(BaseModel):
    """The units' weighted scores for a period, best first (`GET /v1/reports/scores`)."""

    definitions_version: str
    name: str = Field(description="The score's name (三率考核得分).")
    period: Period
    cutoff: datetime
    points: dict[str, float] = Field(description="Rate code (and `township_rating`) → its points.")
    of_total: float = Field(description="The annual assessment's total the points are part of (Laixi: 1,000).")
    lines: list[ScoreLine] = Field(description="Units that received calls in the period, ranked.")
    no_calls: list[ScoreLine] = Field(default_factory=list, description="Units with no calls: rated from below only.")
