"""Inputs and signals of `TopLevelCoordination` (顶格调度)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CaseSummary(BaseModel):
    """What the case tells top-level coordination when it changes."""

    status: str
    handling_unit: str | None
    overdue: bool
    note: str = ""
    at: datetime


class TopLevelInput(BaseModel):
    """Carried across continue-as-new, so a matter followed for months keeps a bounded history."""

    case_id: str
    title: str
    handling_unit: str
    reason: str
    plan: str = ""
    review_days: int = 7
    reviews_per_run: int = 26
    status: str
    reviews_done: int = 0
    latest: CaseSummary | None = None
    notes: list[str] = Field(default_factory=list)
    runs: int = Field(default=1, description="Which run of the coordination this is (1 + continue-as-new count).")
    coordination: int = Field(
        default=1, description="Always 1: a case has one coordination, which follows it through reworks."
    )
    following: bool = Field(default=True, description="Whether the case was still open and unresolved.")
    events_published: int = Field(default=0, description="Events told to the leadership so far (their sequence).")


class TopLevelView(BaseModel):
    case_id: str
    reviews_done: int
    following: bool
    latest: CaseSummary | None = None
    runs: int = 1
