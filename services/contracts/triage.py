"""Triage: the coordination centre's decision on a case the router could not place, and its record."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.contracts.cases import RoutingDecision
from services.contracts.tickets import CODE_PATTERN, ITEM_CODE_PATTERN


class TriageDecision(BaseModel):
    """`POST /v1/cases/{id}/triage`: the coordination centre names the catalog item (and so the handling unit)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "unit": "coordination-centre",
                    "item": "EE-05",
                    "note": "反映的是楼下饭店油烟，按餐饮油烟扰民派综合执法局",
                },
                {
                    "unit": "coordination-centre",
                    "item": "EE-04",
                    "township": "qingshan-town",
                    "note": "来电人补充说明在青山镇，秸秆焚烧属地处置",
                },
            ]
        },
    )

    unit: str = Field(pattern=CODE_PATTERN, description="Who decides: the coordination centre.")
    item: str = Field(pattern=ITEM_CODE_PATTERN, description="The catalog item the matter falls under.")
    handling_unit: str | None = Field(
        default=None, pattern=CODE_PATTERN, description="Name a unit other than the item's responsible one."
    )
    township: str | None = Field(
        default=None, pattern=CODE_PATTERN, description="The ticket's township, when the router could not find it."
    )
    note: str = Field(min_length=1, max_length=2000, description="Why: shown on the case and kept for curation.")


class TriageAssignment(BaseModel):
    """The `decide` Update's input: the decision, and the routing intake resolved for it against the catalog."""

    decision: TriageDecision
    routing: RoutingDecision


class TriageDecisionRecord(BaseModel):
    """Kept in the `triage_decisions` bucket (key: case id) to curate the router's synonym data. No personal data."""

    schema_version: int = 1
    case_id: str
    channel: str
    title: str
    category_code: str | None = Field(default=None, description="What the platform sent as its category, if any.")
    chosen_item: str
    handling_unit: str
    decided_by: str
    decided_at: datetime
    note: str = ""
    catalog_version: str
    original_method: str
    original_item: str | None = None
    original_confidence: float | None = None
    original_runner_up: str | None = None
    original_reason: str = ""
