"""Changes to the responsibility catalog by application (动态调整): the request, the decision and the record.

A unit applies in writing to add, remove or change an item; the coordination centre approves or refuses; an
approved change becomes a new catalog version. Each application is one `CatalogChange` workflow
(`catalog-change-<change_id>`) and one record in the `catalog_changes` KV bucket.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.contracts.case_policy import Window
from services.contracts.case_view import TimelineEntry
from services.contracts.catalog import CatalogItem
from services.contracts.tickets import CODE_PATTERN, ITEM_CODE_PATTERN

CATALOG_CHANGE_TYPE = "CatalogChange"
CATALOG_CHANGE_STATE_QUERY = "state"
CATALOG_CHANGE_DECIDE_UPDATE = "decide"
# The ApplicationError type a refused decision fails with; the API answers it with 409.
DECISION_REFUSED = "CatalogChangeDecisionRefused"
DECISION_DEADLINE_KIND = "catalog_change_decision"  # DeadlineKind.CATALOG_CHANGE_DECISION


def catalog_change_workflow_id(change_id: str) -> str:
    return f"catalog-change-{change_id}"


def change_source(change_id: str) -> str:
    """The `source` of the catalog version an approved change publishes (how a retried apply finds it)."""
    return f"change:{change_id}"


class ChangeKind(StrEnum):
    ADD = "add"
    REMOVE = "remove"
    CHANGE = "change"


class ChangeStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    EXPIRED = "expired"
    FAILED = "failed"


class CatalogChangeRequest(BaseModel):
    """A unit's written application to add, remove or change one catalog item."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "unit": "commerce",
                    "kind": "change",
                    "item_code": "KW-05",
                    "item": {
                        "item_code": "KW-05",
                        "domain": "key-work",
                        "domain_zh": "重点工作",
                        "item_zh": "招商引资项目落地服务",
                        "primary_unit": "development-reform",
                        "supporting_units": ["commerce", "admin-approval"],
                        "township_role": "none",
                        "complexity": "complex",
                        "urgent_allowed": False,
                        "description_zh": "签约项目落地注册、外资企业扩大投资与总部落户服务。",
                    },
                    "reason": "项目落地服务职能划转至发改局",
                }
            ]
        },
    )

    unit: str = Field(pattern=CODE_PATTERN, description="The applying unit.")
    kind: ChangeKind
    item_code: str = Field(pattern=ITEM_CODE_PATTERN)
    item: CatalogItem | None = Field(
        default=None, validate_default=True, description="The whole item as it should read (add and change only)."
    )
    reason: str = Field(min_length=1, max_length=2000)

    @field_validator("item")
    @classmethod
    def _item_fits_kind(cls, item: CatalogItem | None, info: ValidationInfo) -> CatalogItem | None:
        kind = info.data.get("kind")
        if kind is None:  # `kind` itself is invalid: that error is reported
            return item
        if kind is ChangeKind.REMOVE:
            if item is not None:
                raise ValueError("a removal names only item_code; leave item out")
            return None
        if item is None:
            raise ValueError(f"required for {kind.value}: the whole item as it should read")
        code = info.data.get("item_code")
        if code is not None and item.item_code != code:
            raise ValueError(f"item.item_code {item.item_code!r} differs from item_code {code!r}")
        return item


class CatalogChangeDecision(BaseModel):
    """The coordination centre's decision on a pending change."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"unit": "coordination-centre", "approved": True, "note": "同意调整"}]},
    )

    unit: str = Field(pattern=CODE_PATTERN)
    approved: bool
    note: str = Field(default="", max_length=2000)


class CatalogChangeInput(BaseModel):
    """What a `CatalogChange` workflow starts with."""

    change_id: str
    request: CatalogChangeRequest
    submitted_against: int = Field(ge=1, description="The catalog version in force when the unit applied.")
    item_before: CatalogItem | None = Field(default=None, description="The item as it read then (change, remove).")
    decision_window: Window = Field(default=Window(working_days=5))
    reminder_fraction: float = Field(default=0.75, gt=0, lt=1)


class CatalogChangeView(BaseModel):
    """A change as its workflow knows it; also the record kept in the `catalog_changes` bucket."""

    schema_version: int = 1
    change_id: str
    workflow_id: str
    status: ChangeStatus
    unit: str
    kind: ChangeKind
    item_code: str
    item: CatalogItem | None = None
    item_before: CatalogItem | None = None
    reason: str
    submitted_at: datetime
    submitted_against: int
    decision_due: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str = ""
    catalog_version: int | None = Field(default=None, description="The version an approved change became.")
    failure_reason: str | None = None
    revision: int = Field(default=0, description="Grows with every recorded state; the bucket keeps the highest.")
    timeline: list[TimelineEntry] = Field(default_factory=list)


class CatalogChangeAccepted(BaseModel):
    """The answer to an application: the change waits for the coordination centre."""

    change_id: str
    status: ChangeStatus = ChangeStatus.PENDING


class ApplyCatalogChange(BaseModel):
    """Input of the `apply_catalog_change` activity."""

    change_id: str
    request: CatalogChangeRequest
    submitted_against: int


class AppliedCatalogChange(BaseModel):
    """What applying an approved change came to: a new version, or why it no longer fits the catalog."""

    applied: bool
    version: int | None = None
    reason: str = ""
