"""The action forms a case page offers, as data: which API action each is, its fields, and when to offer it.

When to offer a form is a hint for the page, not a rule: the API (the case workflow's validators) is the judge,
and a refusal shows its reason. The hint only keeps a page from offering, say, "sign for" on a closed case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from services.contracts.case_actions import COORDINATION_CENTRE
from services.contracts.case_view import JOINT_ROLE_NAMES
from services.contracts.credentials import ClientKind

OPEN = {"assigned", "accepted", "rework", "arbitration", "triage", "received"}
WORKING = {"accepted", "rework"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, number, select, checkbox
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    path: str  # under /v1/cases/{id}/; `{unit}`: the acting unit (joint tasks)
    roles: tuple[ClientKind, ...]
    statuses: frozenset[str]
    fields: tuple[Field, ...] = field(default_factory=tuple)
    as_handler: bool = False  # offered to a unit only while it handles the case
    as_joint: bool = False  # offered to a unit only while it has an open joint task
    names_unit: bool = True  # the body says who acts (`unit`); a rating is the caller's, and names nobody
    shows_attachments: bool = False  # the API takes `attachment_ids`: the form offers the case's files to name


# The roles a participant may have, as the API takes them (`JointRole`), with their names.
ROLES = "、".join(f"{role}（{name}）" for role, name in JOINT_ROLE_NAMES.items())
RATING = (("satisfied", "满意"), ("basically_satisfied", "基本满意"), ("unsatisfied", "不满意"))
NOTE = Field("note", "说明", "textarea", required=False)
UNIT, CENTRE, LEADER = ClientKind.UNIT, ClientKind.COORDINATION, ClientKind.LEADER

ACTIONS: tuple[Action, ...] = (
    Action(
        "accept", "签收", "accept", (UNIT,), frozenset({"assigned"}), (NOTE,), as_handler=True, shows_attachments=True
    ),
    Action(
        "transfer",
        "退回（非本单位职责）",
        "transfer",
        (UNIT,),
        frozenset({"assigned"}),
        (
            Field("to_unit", "应由哪个单位办理（单位代码）"),
            Field("catalog_item", "依据的清单事项（事项编码）"),
            Field("reason", "理由", "textarea"),
        ),
        as_handler=True,
    ),
    Action(
        "feedback",
        "首次反馈",
        "feedback",
        (UNIT,),
        frozenset(WORKING),
        (Field("message", "反馈内容", "textarea"),),
        as_handler=True,
        shows_attachments=True,
    ),
    Action(
        "progress",
        "报告进展",
        "progress",
        (UNIT,),
        frozenset(WORKING),
        (
            Field("done", "已做了什么", "textarea"),
            Field("next", "下一步", "textarea", required=False),
            Field("explanation", "超时说明（超过期限后必填）", "textarea", required=False),
        ),
        as_handler=True,
        shows_attachments=True,
    ),
    Action(
        "joint-handling",
        "发起联合办理",
        "joint-handling",
        (UNIT,),
        frozenset(WORKING),
        (
            Field("reason", "为何需要联合办理", "textarea"),
            Field(
                "participants",
                "参与单位（每行一个：单位代码,角色,任务[,工作日]）",
                "textarea",
                hint=f"角色：{ROLES}。例：water,lead,抢修管网,3",
            ),
        ),
        as_handler=True,
    ),
    Action(
        "escalation",
        "提请升级（附方案）",
        "escalation",
        (UNIT, LEADER),
        frozenset(OPEN),
        (
            Field("to", "提请至", "select", choices=(("city_leader", "市分管领导"), ("top_level", "顶格调度"))),
            Field("reason", "理由", "textarea"),
            Field("plan", "建议方案", "textarea"),
        ),
        as_handler=True,
    ),
    Action(
        "extension",
        "申请延期",
        "extension",
        (UNIT,),
        frozenset(WORKING),
        (Field("working_days", "延长工作日", "number"), Field("reason", "理由", "textarea")),
        as_handler=True,
    ),
    Action(
        "resolve",
        "办结",
        "resolve",
        (UNIT,),
        frozenset(WORKING),
        (Field("note", "办理结果", "textarea"),),
        as_handler=True,
        shows_attachments=True,
    ),
    Action(
        "joint-accept",
        "签收联办任务",
        "joint-tasks/{unit}/accept",
        (UNIT,),
        frozenset(OPEN),
        (NOTE,),
        as_joint=True,
        shows_attachments=True,
    ),
    Action(
        "joint-report",
        "报告联办进展",
        "joint-tasks/{unit}/report",
        (UNIT,),
        frozenset(OPEN),
        (Field("note", "进展", "textarea"),),
        as_joint=True,
        shows_attachments=True,
    ),
    Action(
        "joint-complete",
        "完成联办任务",
        "joint-tasks/{unit}/complete",
        (UNIT,),
        frozenset(OPEN),
        (NOTE,),
        as_joint=True,
        shows_attachments=True,
    ),
    Action(
        "joint-close",
        "结束联合办理",
        "joint-handling/close",
        (UNIT,),
        frozenset(WORKING),
        (NOTE,),
        as_handler=True,
        shows_attachments=True,
    ),
    Action(
        "triage",
        "分拨",
        "triage",
        (CENTRE,),
        frozenset({"triage"}),
        (
            Field("item", "清单事项（事项编码）"),
            Field("handling_unit", "另行指定承办单位（可空）", required=False),
            Field("township", "所属乡镇（可空）", required=False),
            Field("note", "分拨理由", "textarea"),
        ),
    ),
    Action(
        "arbitration",
        "仲裁",
        "arbitration",
        (CENTRE,),
        frozenset({"arbitration"}),
        (Field("handling_unit", "由哪个单位承办（单位代码）"), Field("reason", "仲裁理由", "textarea")),
    ),
    Action(
        "extension-decision",
        "审批延期",
        "extension/decision",
        (CENTRE,),
        frozenset(OPEN),
        (
            Field("approved", "决定", "select", choices=(("true", "同意"), ("false", "不同意"))),
            Field("note", "意见", "textarea", required=False),
        ),
    ),
    Action(
        "rating",
        "回访评价",
        "rating",
        (CENTRE,),
        frozenset({"resolved"}),
        (
            Field("speed", "办理速度", "select", choices=RATING),
            Field("outcome", "办理结果", "select", choices=RATING),
            Field("comment", "来电人意见", "textarea", required=False),
        ),
        names_unit=False,
    ),
    Action(
        "unreasonable-demand",
        "认定不合理诉求",
        "unreasonable-demand",
        (CENTRE,),
        frozenset({"rework"}),  # after an unsatisfied outcome sent it back (the API checks the rating)
        (Field("reason", "认定理由", "textarea"),),
    ),
)
BY_KEY = {action.key: action for action in ACTIONS}


def acting_code(kind: ClientKind, subject: str) -> str:
    return COORDINATION_CENTRE if kind is ClientKind.COORDINATION else subject


def offered(view: dict[str, Any], kind: ClientKind, subject: str) -> list[Action]:
    """The forms to show this person on this case now (the API still judges each)."""
    status = str(view.get("status"))
    handler = view.get("handling_unit") == subject
    joint = subject in open_joint_units(view)
    pending_extension = any(e.get("status") == "pending" for e in view.get("extensions", []))
    shown = []
    for action in ACTIONS:
        if kind not in action.roles or status not in action.statuses:
            continue
        if kind is ClientKind.UNIT and ((action.as_handler and not handler) or (action.as_joint and not joint)):
            continue
        if action.key == "extension-decision" and not pending_extension:
            continue
        if action.key == "joint-close" and not open_joint_units(view):
            continue
        if action.key == "feedback" and view.get("feedback_at"):
            continue  # given: later news is a progress report
        shown.append(action)
    return shown


def open_joint_units(view: dict[str, Any]) -> set[str]:
    phases = [p for p in view.get("joint_phases", []) if p.get("closed_at") is None]
    return {t["unit"] for p in phases for t in p.get("tasks", []) if t.get("status") not in ("completed",)}


class FormError(ValueError):
    """A form field that cannot become the API's body (the field's label, and why)."""


def body_of(action: Action, form: dict[str, str], acting: str, attachment_ids: Sequence[str] = ()) -> dict[str, Any]:
    """The API body from a submitted form: blanks left out, numbers and yes/no read, participants parsed, the
    attachments ticked named where the action shows some."""
    body: dict[str, Any] = {"unit": acting} if action.names_unit else {}
    if action.shows_attachments and attachment_ids:
        body["attachment_ids"] = list(dict.fromkeys(attachment_ids))  # the API judges each is the case's own
    for item in action.fields:
        raw = (form.get(item.name) or "").strip()
        if not raw:
            if item.required:
                raise FormError(f"{item.label}：必填")
            continue
        if item.kind == "number":
            try:
                body[item.name] = int(raw)
            except ValueError as error:
                raise FormError(f"{item.label}：应为整数") from error
        elif item.name == "approved":
            body[item.name] = raw == "true"
        elif item.name == "participants":
            body[item.name] = participants(raw)
        else:
            body[item.name] = raw
    return body


def participants(text: str) -> list[dict[str, Any]]:
    """`unit,role,task[,working days]` a line."""
    found = []
    for number, line in enumerate((ln for ln in text.splitlines() if ln.strip()), start=1):
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) < 3:
            raise FormError(f"参与单位第{number}行：应为 单位代码,角色,任务[,工作日]")
        entry: dict[str, Any] = {"unit": parts[0], "role": parts[1], "task": parts[2]}
        if len(parts) > 3 and parts[3]:
            if not parts[3].isdigit():
                raise FormError(f"参与单位第{number}行：工作日应为整数")
            entry["working_days"] = int(parts[3])
        found.append(entry)
    return found
