"""How units are assessed, as versioned data: the measures counted over the unit case facts, the rates made of
them (承接率, 办结率, 满意率 and the rest), and the weights of the score. A city changes its definitions by shipping
another file (`HOTLINE_ASSESSMENT_DEFINITIONS_FILE`), not the code; every computed figure names the version it used.

A **unit case fact** is one unit's part in one case (`unit_case_facts`, kept by the records service from the case
event log): a handling stint (the case in the unit's hands, from the time it reached the unit until it left it or
closed) or a joint task. A measure counts (or sums, averages, takes the 90th percentile of) the facts that meet
its condition and whose `period_by` time falls in the period. docs/assessment.md explains every one.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class FactRole(StrEnum):
    # The case was in the unit's hands: first contact, transferred to it, assigned by arbitration.
    HANDLING = "handling"
    JOINT = "joint"  # a joint task of the unit (co-managing, enforcement, township)


class FactRating(StrEnum):
    """How the case's caller rated the unit's handling, when the case closed in its hands."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"
    NOT_RATED = "not_rated"  # the rating window ended without a rating
    UNREASONABLE = "unreasonable"  # the coordination centre judged the demand unreasonable (not counted against)


class TimeColumn(StrEnum):
    """The facts' times a measure may put in a period (`period_by`)."""

    RECEIVED_AT = "received_at"  # the case reached the unit
    ACCEPTED_AT = "accepted_at"  # the unit signed for it (its joint task: accepted it)
    FEEDBACK_AT = "feedback_at"
    RESOLVED_AT = "resolved_at"  # the unit reported it resolved (its joint task: completed)
    LEFT_AT = "left_at"  # the case left the unit's hands: transferred out, or closed in them
    RATED_AT = "rated_at"
    CLOSED_AT = "closed_at"  # the case closed (in the unit's hands or not)


class FlagColumn(StrEnum):
    """The facts' yes/no columns (null: not known yet, e.g. a deadline still running)."""

    SIGN_FOR_ON_TIME = "sign_for_on_time"
    FEEDBACK_ON_TIME = "feedback_on_time"
    RESOLUTION_ON_TIME = "resolution_on_time"
    EXTENDED = "extended"  # an extension of the resolution deadline was approved while the unit had the case
    ARBITRATION_LOST = "arbitration_lost"  # it asked to give the case away and arbitration gave it back to it
    TRANSFERRED_OUT = "transferred_out"
    STILL_OPEN = "still_open"  # in the unit's hands and not closed (a joint task: not completed)


class CountColumn(StrEnum):
    """The facts' numbers a measure may sum, average or take the 90th percentile of."""

    REWORKS = "reworks"
    BREACHES = "breaches"
    ESCALATIONS = "escalations"
    HANDLING_HOURS = "handling_hours"  # from reaching the unit to its resolution report (or joint task's completion)


class Condition(BaseModel):
    """Every clause given must hold (AND); an empty condition holds for every fact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: list[FactRole] = Field(default_factory=list, description="Any of these roles.")
    present: list[TimeColumn] = Field(default_factory=list, description="These times are set.")
    absent: list[TimeColumn] = Field(default_factory=list, description="These times are not set.")
    true: list[FlagColumn] = Field(default_factory=list)
    false: list[FlagColumn] = Field(default_factory=list, description="False (not null: a running clock is neither).")
    not_true: list[FlagColumn] = Field(default_factory=list, description="False or not known.")
    known: list[FlagColumn] = Field(default_factory=list, description="True or false (not null).")
    rating: list[FactRating] = Field(default_factory=list, description="Any of these ratings.")
    positive: list[CountColumn] = Field(default_factory=list, description="Greater than zero.")


class Aggregate(StrEnum):
    COUNT = "count"
    SUM = "sum"
    AVERAGE = "average"
    P90 = "p90"


class Measure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="Its Chinese name, as reports print it.")
    aggregate: Aggregate = Aggregate.COUNT
    column: CountColumn | None = Field(default=None, description="What sum, average and p90 take.")
    where: Condition = Condition()
    period_by: TimeColumn = Field(description="The time that puts a fact in a period.")
    description: str = ""

    @model_validator(mode="after")
    def _column_when_needed(self) -> Self:
        if (self.aggregate is Aggregate.COUNT) != (self.column is None):
            raise ValueError("count takes no column; sum, average and p90 take one")
        return self


class Rate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    numerator: str = Field(description="A measure's code.")
    denominator: str = Field(description="A measure's code.")
    higher_is_better: bool = True
    description: str = ""


class MissingRate(StrEnum):
    """How a weighted rate that has nothing to count for a unit in the period (its denominator 0: no ratings yet)
    enters the unit's score."""

    # Left out, and the points of those that count scaled up to the whole: a unit is not marked down for ratings
    # its callers have not given yet, nor ranked above one that did better on every rate it had.
    SCALE = "scale"
    ZERO = "zero"  # counted as 0


class Score(BaseModel):
    """The assessment score of a unit: each weighted rate's value (0–1) times its points, summed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "三率考核得分"
    points: dict[str, float] = Field(description="Rate code → its points (Laixi: 50 of 1,000 for the three rates).")
    of_total: float = Field(default=1000, gt=0, description="The annual assessment's total, for the reader.")
    township_rating_points: float = Field(
        default=0,
        ge=0,
        description="Points for the townships' rating of a department (以下看上), imported per period; 0: not used.",
    )
    missing_rates: MissingRate = Field(
        default=MissingRate.SCALE,
        description="A weighted rate (or township rating) a unit has no value of in the period: scaled or zero.",
    )


class AssessmentDefinitions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=64)
    name: str
    measures: dict[str, Measure]
    rates: dict[str, Rate]
    # The rates the three-rate assessment is made of, in the order reports print them.
    headline: list[str] = Field(min_length=1)
    score: Score
    received_measure: str = Field(
        description="The measure that says whether a unit received calls in the period: units with none are "
        "listed apart, not ranked."
    )

    @model_validator(mode="after")
    def _codes_exist(self) -> Self:
        for code, rate in self.rates.items():
            for measure in (rate.numerator, rate.denominator):
                if measure not in self.measures:
                    raise ValueError(f"rates.{code}: no measure {measure!r}")
        for code in [*self.headline, *self.score.points]:
            if code not in self.rates:
                raise ValueError(f"no rate {code!r}")
        if self.received_measure not in self.measures:
            raise ValueError(f"received_measure: no measure {self.received_measure!r}")
        return self


# Where a deployment's definitions are (every service that computes rates reads the same file).
DEFINITIONS_FILE_VARIABLE = "HOTLINE_ASSESSMENT_DEFINITIONS_FILE"


class DefinitionsError(ValueError):
    pass


def default_definitions_path() -> Path:
    return Path(str(resources.files("services.contracts") / "data" / "assessment" / "definitions.json"))


def load_definitions(path: Path | None = None) -> AssessmentDefinitions:
    """Read and check a definitions file (JSON); the error names the file and the field."""
    path = path or default_definitions_path()
    try:
        return AssessmentDefinitions.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise DefinitionsError(f"{path}: file not found") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise DefinitionsError(f"{path}: {field}: {error['msg']}") from exc


@lru_cache(maxsize=1)
def shipped_definitions() -> AssessmentDefinitions:
    return load_definitions()
