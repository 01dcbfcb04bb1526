"""Special rectifications (专项整治): the coordination centre's campaign on a class of cases, with a lead unit,
participants, a deadline and weekly progress. One `SpecialRectification` workflow (`rectification-<id>`) each, on
the assessment service's task queue; its state is recorded in the `rectifications` table after every change.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.contracts.tickets import CODE_PATTERN

RECTIFICATION_TYPE = "SpecialRectification"
RECTIFICATION_STATE_QUERY = "state"
# Answers once the rectification is open (its class claimed, its cases linked), or fails with the reason it is not.
RECTIFICATION_OPENED_UPDATE = "opened"
RECTIFICATION_PROGRESS_UPDATE = "report_progress"
RECTIFICATION_CLOSE_UPDATE = "close"
# The ApplicationError type of an action the rectification's state does not allow; the API answers 409.
RECTIFICATION_REFUSED = "RectificationRefused"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MAX_PARTICIPANTS = 30
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


def rectification_workflow_id(rectification_id: str) -> str:
    """`rectification-<id>`."""
    return f"rectification-{rectification_id}"


class RectificationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class RectificationRequest(BaseModel):
    """`POST /v1/rectifications`: the coordination centre opens a special rectification of a class of cases."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [
                {
                    "class_id": "5f0c7c1e-3d2a-5b7e-9a51-0c2f4e6d8b10",
                    "title": "河口镇供水管网集中整治",
                    "lead_unit": "water",
                    "participants": ["housing-construction", "hekou-town"],
                    "deadline": "2027-01-31T18:00:00+08:00",
                    "goal": "一个月内完成老旧管网改造，停水投诉清零",
                }
            ]
        },
    )

    class_id: str = Field(pattern=UUID_PATTERN, description="The class of cases the rectification takes on.")
    title: str = Field(min_length=1, max_length=200)
    lead_unit: str = Field(pattern=CODE_PATTERN, description="The unit that leads (牵头单位) and reports progress.")
    participants: list[str] = Field(
        default_factory=list, max_length=MAX_PARTICIPANTS, description="The units taking part (配合单位)."
    )
    deadline: AwareDatetime
    goal: str = Field(default="", max_length=2000, description="What the rectification should achieve.")

    @model_validator(mode="after")
    def _participants(self) -> Self:
        for index, unit in enumerate(self.participants):
            if not re.match(CODE_PATTERN, unit):
                raise ValueError(f"participants.{index}: {unit!r} is not a unit code")
        if len(set(self.participants)) != len(self.participants):
            raise ValueError("participants: a unit is named twice")
        if self.lead_unit in self.participants:
            raise ValueError("participants: the lead unit leads; it is not also a participant")
        return self


class RectificationProgress(BaseModel):
    """`POST /v1/rectifications/{id}/progress`: what the lead unit or a participant did this week."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [
                {
                    "unit": "water",
                    "text": "已完成幸福家园片区管网排查，更换老旧阀门12处",
                    "measures": ["建立片区停水预警", "每周二联合巡查"],
                }
            ]
        },
    )

    unit: str = Field(pattern=CODE_PATTERN, description="The unit reporting (itself).")
    text: str = Field(min_length=1, max_length=4000)
    measures: list[str] = Field(default_factory=list, max_length=20, description="The measures taken or planned.")

    @model_validator(mode="after")
    def _measures(self) -> Self:
        for index, measure in enumerate(self.measures):
            if not measure.strip() or len(measure) > 500:
                raise ValueError(f"measures.{index}: 1 to 500 characters")
        return self


class RectificationClosing(BaseModel):
    """`POST /v1/rectifications/{id}/close`: the coordination centre closes it with its result."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={"examples": [{"unit": "coordination-centre", "result": "管网改造完成，近两周无同类投诉"}]},
    )

    unit: str = Field(pattern=CODE_PATTERN)
    result: str = Field(min_length=1, max_length=4000)


class RectificationStart(BaseModel):
    """What a `SpecialRectification` workflow starts with."""

    rectification_id: str
    request: RectificationRequest
    opened_by: str


class ProgressEntry(BaseModel):
    at: datetime
    unit: str
    text: str
    measures: list[str] = Field(default_factory=list)


class LinkedCase(BaseModel):
    """A case of the rectification: its class's open cases when it opened, and the cases that joined since."""

    case_id: str
    linked_at: datetime
    closed: bool = False


class RectificationView(BaseModel):
    """A rectification as the API shows it, and as the `rectifications` table keeps it (`view`)."""

    schema_version: int = 1
    rectification_id: str
    class_id: str | None
    title: str
    goal: str = ""
    lead_unit: str
    participants: list[str]
    status: RectificationStatus
    deadline: datetime
    overdue: bool = Field(description="Open past its deadline.")
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None = None
    closed_by: str | None = None
    result: str = ""
    next_progress_due: datetime | None = Field(default=None, description="A week after the last progress (open).")
    cases: list[LinkedCase] = Field(default_factory=list)
    case_count: int = 0
    open_case_count: int = 0
    progress: list[ProgressEntry] = Field(default_factory=list, description="Oldest first.")
    revision: int = Field(default=0, description="Grows with every recorded state.")

    def last_progress(self) -> ProgressEntry | None:
        return self.progress[-1] if self.progress else None


class RectificationPage(BaseModel):
    rectifications: list[RectificationView]
    next_cursor: str | None = None
