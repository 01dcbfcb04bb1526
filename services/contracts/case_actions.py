"""Bodies of the actions units, the coordination centre, leaders and platforms take on a case (API v1)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.contracts.case_view import JointRole, RatingLevel
from services.contracts.tickets import CODE_PATTERN, ITEM_CODE_PATTERN

# Actors that are not catalog units but act on cases (authentication maps credentials to these later).
COORDINATION_CENTRE = "coordination-centre"
CITY_LEADER = "city-leader"
TOP_LEADERSHIP = "top-leadership"

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
UnitCode = Field(pattern=CODE_PATTERN, description="Code of the unit acting.")
# The attachment ids `POST /v1/cases/{id}/attachments` answers (docs/attachments.md); at most this many an action.
ATTACHMENT_ID_PATTERN = r"^[0-9a-f]{32}$"
MAX_ACTION_ATTACHMENTS = 20


def _attachment_ids() -> Any:
    return Field(
        default_factory=list,
        max_length=MAX_ACTION_ATTACHMENTS,
        description="Attachments of this case (uploaded first) the action shows: before/after photos, a notice, a "
        "recording. Each must be on the case (422 `attachment_not_on_case` otherwise).",
    )


AttachmentId = Annotated[str, Field(pattern=ATTACHMENT_ID_PATTERN)]


class UnitAction(BaseModel):
    """`accept`, `resolve` and joint-task actions: who acts, and what they say."""

    model_config = ConfigDict(
        **_STRICT, json_schema_extra={"examples": [{"unit": "water", "note": "已安排抢修班组到场"}]}
    )

    unit: str = UnitCode
    note: str = Field(default="", max_length=2000)
    attachment_ids: list[AttachmentId] = _attachment_ids()


class TransferRequest(BaseModel):
    """Hand a case wholly outside the unit's remit to the responsible unit, with a notice (告知单)."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [
                {
                    "unit": "housing-construction",
                    "to_unit": "water",
                    "reason": "停水属于供水管网问题，由水务局负责",
                    "catalog_item": "LS-06",
                }
            ]
        },
    )

    unit: str = UnitCode
    to_unit: str = Field(pattern=CODE_PATTERN)
    reason: str = Field(min_length=1, max_length=2000)
    catalog_item: str = Field(
        pattern=ITEM_CODE_PATTERN, description="The catalog item that makes `to_unit` responsible."
    )


class FeedbackReport(BaseModel):
    """The first reply to the caller."""

    model_config = ConfigDict(
        **_STRICT, json_schema_extra={"examples": [{"unit": "water", "message": "已联系您，明日上午抢修"}]}
    )

    unit: str = UnitCode
    message: str = Field(min_length=1, max_length=2000)
    attachment_ids: list[AttachmentId] = _attachment_ids()


class ProgressReport(BaseModel):
    """An interim report: what was done, what is next; after a breach it carries the explanation."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [{"unit": "water", "done": "已更换破损阀门", "next": "明日恢复供水", "explanation": ""}]
        },
    )

    unit: str = UnitCode
    done: str = Field(min_length=1, max_length=2000)
    next: str = Field(default="", max_length=2000)
    explanation: str = Field(default="", max_length=2000, description="Why a deadline was missed (required after one).")
    attachment_ids: list[AttachmentId] = _attachment_ids()


class JointParticipant(BaseModel):
    model_config = _STRICT

    unit: str = Field(pattern=CODE_PATTERN)
    role: JointRole
    task: str = Field(min_length=1, max_length=2000, description="This unit's share of the work.")
    working_days: int | None = Field(
        default=None, ge=1, le=60, description="Its deadline; the policy default if absent."
    )


class JointHandlingRequest(BaseModel):
    """Start joint handling (联动): units in roles, each with its own task and deadline."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [
                {
                    "unit": "law-enforcement",
                    "reason": "违建涉及规划和土地，需多部门联合处置",
                    "participants": [
                        {"unit": "law-enforcement", "role": "lead", "task": "牵头拆除违建"},
                        {"unit": "natural-resources", "role": "co_managing", "task": "核查用地性质"},
                        {"unit": "hekou-town", "role": "township", "task": "属地配合、做好群众工作"},
                    ],
                }
            ]
        },
    )

    unit: str = UnitCode
    reason: str = Field(min_length=1, max_length=2000)
    participants: list[JointParticipant] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _one_lead_distinct_units(self) -> JointHandlingRequest:
        if sum(p.role is JointRole.LEAD for p in self.participants) != 1:
            raise ValueError("participants: exactly one unit must have the role 'lead'")
        units = [p.unit for p in self.participants]
        if len(units) != len(set(units)):
            raise ValueError("participants: each unit may appear once")
        return self


class EscalationTarget(StrEnum):
    CITY_LEADER = "city_leader"
    TOP_LEVEL = "top_level"


class EscalationRequest(BaseModel):
    """Ask the city leader in charge (or, from there, top-level coordination) to take the matter up."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [
                {
                    "unit": "human-resources",
                    "to": "city_leader",
                    "reason": "包工头失联，涉及多部门，需市级协调",
                    "plan": "建议由人社局牵头，公安、住建配合，先行垫付工资",
                }
            ]
        },
    )

    unit: str = UnitCode
    to: EscalationTarget = EscalationTarget.CITY_LEADER
    reason: str = Field(min_length=1, max_length=2000)
    plan: str = Field(min_length=1, max_length=4000, description="The proposed plan (required).")


class ExtensionRequest(BaseModel):
    """Ask for more time on the resolution deadline, before it passes."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={"examples": [{"unit": "water", "reason": "需更换主管道，等待材料", "working_days": 5}]},
    )

    unit: str = UnitCode
    reason: str = Field(min_length=1, max_length=2000)
    working_days: int = Field(ge=1, le=60)


class ExtensionDecision(BaseModel):
    """The coordination centre approves or refuses the pending extension request."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [{"unit": "coordination-centre", "approved": True, "note": "同意延期5个工作日"}]
        },
    )

    unit: str = UnitCode
    approved: bool
    note: str = Field(default="", max_length=2000)


class ArbitrationDecision(BaseModel):
    """The coordination centre names the handling unit of a disputed case."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [{"unit": "coordination-centre", "handling_unit": "water", "reason": "供水管网属水务局职责"}]
        },
    )

    unit: str = UnitCode
    handling_unit: str = Field(pattern=CODE_PATTERN)
    reason: str = Field(min_length=1, max_length=2000)


class UnreasonableDemandJudgement(BaseModel):
    """The coordination centre judges the demand behind an unsatisfied rating unreasonable (不合理诉求)."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [
                {"unit": "coordination-centre", "reason": "要求赔偿停水期间误工费，超出供水服务范围，已向来电人解释"}
            ]
        },
    )

    unit: str = UnitCode
    reason: str = Field(min_length=1, max_length=2000, description="Why the demand is unreasonable; the case keeps it.")


class RatingSubmission(BaseModel):
    """The caller's rating of a resolved case, sent by the platform."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "examples": [{"speed": "satisfied", "outcome": "basically_satisfied", "comment": "处理及时"}]
        },
    )

    speed: RatingLevel
    outcome: RatingLevel
    comment: str = Field(default="", max_length=2000)


class ActionDone(BaseModel):
    """What a case's Update answers once the action is applied: kept small, since every answer stays in the case's
    history; the API then reads the case itself (the `state` query)."""

    case_id: str
    status: str
    event_sequence: int = Field(description="The last event of the case's log after the action.")
