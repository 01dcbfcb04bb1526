"""Classes of cases (类案): recurring matters found in the case records, the thresholds that find them, and what
`GET /v1/reports/hotspots` answers.

The thresholds are versioned data (`services/contracts/data/assessment/classes.json`, or the file
`HOTLINE_ASSESSMENT_CLASSES_FILE` names): for each kind of class, what its cases share (`group_by`), the window and
the least number of cases in it. A city changes them by shipping another file, not the code. docs/classes-of-cases.md
explains each kind.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.contracts.assessment_reports import CaseClassSummary

HOTSPOT_SCAN_TYPE = "HotspotScan"
# The Temporal Schedule that runs the scan, and the id its runs start from (Temporal appends the scheduled time).
HOTSPOT_SCAN_SCHEDULE_ID = "hotspot-scan"
KIND_CODE_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"


class GroupKey(StrEnum):
    """What the cases of a class share."""

    CATALOG_ITEM = "catalog_item"
    TOWNSHIP = "township"
    ADDRESS = "address"  # the keyed hash of the normalised address, down to the building
    COMMUNITY = "community"  # the keyed hash of the estate, community or village the address names
    PLACE = "place"  # the grid the routing placed the case in (its point or grid code; docs/places.md)


class KindRule(BaseModel):
    """One kind of class: at least `min_cases` cases sharing every `group_by` value within `window_days`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, description="Its Chinese name, as labels and reports print it.")
    group_by: list[GroupKey] = Field(min_length=1)
    window_days: float = Field(gt=0, le=366)
    min_cases: int = Field(ge=2, le=10_000)
    enabled: bool = True
    description: str = ""

    @model_validator(mode="after")
    def _each_key_once(self) -> Self:
        if len(set(self.group_by)) != len(self.group_by):
            raise ValueError("group_by names a key twice")
        return self


class RectificationCadence(BaseModel):
    """How a special rectification keeps time: weekly progress, and how often it looks for new cases of its class."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    progress_every_days: float = Field(default=7, gt=0, le=366)
    check_cases_every_hours: float = Field(default=6, gt=0, le=24 * 31)


class ClassThresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1, max_length=64)
    name: str
    kinds: dict[str, KindRule] = Field(min_length=1)
    rectification: RectificationCadence = RectificationCadence()

    @model_validator(mode="after")
    def _kind_codes(self) -> Self:
        for code in self.kinds:
            if not re.match(KIND_CODE_PATTERN, code):
                raise ValueError(f"kinds: {code!r} is not a kind code (lower-case letters, digits, '_')")
        return self

    def enabled(self) -> dict[str, KindRule]:
        return {code: rule for code, rule in self.kinds.items() if rule.enabled}


class ThresholdsError(ValueError):
    pass


def default_thresholds_path() -> Path:
    """The shipped thresholds file."""
    return Path(str(resources.files("services.contracts") / "data" / "assessment" / "classes.json"))


def load_thresholds(path: Path | None = None) -> ClassThresholds:
    """Read and check a thresholds file (JSON); the error names the file and the field."""
    path = path or default_thresholds_path()
    try:
        return ClassThresholds.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise ThresholdsError(f"{path}: file not found") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise ThresholdsError(f"{path}: {field}: {error['msg']}") from exc


@lru_cache(maxsize=1)
def shipped_thresholds() -> ClassThresholds:
    """The shipped thresholds, read once."""
    return load_thresholds()


class ScanInput(BaseModel):
    """What a `HotspotScan` run starts with (nothing yet: the time is the run's own)."""

    thresholds_version: str | None = Field(default=None, description="Reserved: a scan pinned to one version.")


class HotspotGrouping(StrEnum):
    """How `GET /v1/reports/hotspots` lists the classes (`by`): as found (each within its township), or each split
    by the grid its cases lie in."""

    TOWNSHIP = "township"
    GRID = "grid"


class ClassCase(BaseModel):
    """One case of a class, as the hotspots list shows it (no personal data)."""

    case_id: str
    title: str | None
    status: str
    catalog_item: str | None
    township: str | None
    handling_unit: str | None
    received_at: datetime | None
    closed: bool
    place: str | None = Field(
        default=None, description="The grid code its location lies in or names (the routing's `place`); a code only."
    )


class CaseClassView(CaseClassSummary):
    """A class with its cases, as `GET /v1/reports/hotspots` lists it."""

    kind_name: str = Field(description="The kind's Chinese name.")
    active: bool = Field(description="Cases may still join it: its last case is within its kind's window.")
    active_until: datetime
    notified_at: datetime | None = None
    place: str | None = Field(
        default=None,
        description="The grid of a class of a kind grouped by place (`grid_item`: its cases all lie there); "
        "`by=grid`: the grid code of this part of the class (its cases that lie there; `case_count` and the received "
        "times are theirs), null there for its cases with no place.",
    )
    cases: list[ClassCase] = Field(
        default_factory=list,
        description="Its cases, oldest first; a unit sees those it is or was on (`case_count` counts them all).",
    )


class HotspotPage(BaseModel):
    classes: list[CaseClassView]
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page; null at the end.")
