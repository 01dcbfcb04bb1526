"""Renders an event into the words each channel needs, from Jinja2 templates in Chinese.

One template per event kind (`templates/<kind>.jinja`, extending `_base.jinja`) gives every part: `subject`,
`text`, `markdown`, `html`, `sms`. A city overrides any template by putting a file of the same name in
`HOTLINE_NOTIFIER_TEMPLATE_DIR`; no code change, no rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, TemplateNotFound

from services.contracts.case_view import JOINT_ROLE_NAMES
from services.contracts.events import NotificationEvent
from services.contracts.webhook_bodies import MediaLink

FALLBACK_TEMPLATE = "_default.jinja"
# Deadline kinds and case statuses are codes in events; a reader sees their Chinese names (unknown codes as is).
DEADLINE_NAMES = {
    "sign_for": "签收",
    "transfer": "转办",
    "feedback": "反馈",
    "resolution": "办结",
    "arbitration": "仲裁",
    "triage": "研判分拨",
    "catalog_change_decision": "目录调整审批",
    "joint_task": "联动任务",
}
# How an extension request or a case ended (`outcome`).
OUTCOME_NAMES = {
    "approved": "同意",
    "refused": "不同意",
    "withdrawn": "已撤回",
    "rated": "群众已评价",
    "not rated": "逾期未评价，自动办结",
    "unsatisfied after the last allowed rework": "重办次数已满，群众仍不满意",
    "unreasonable_demand": "经研判属不合理诉求",
}
STATUS_NAMES = {
    "received": "已接收",
    "triage": "待研判分拨",
    "assigned": "待签收",
    "accepted": "办理中",
    "arbitration": "仲裁中",
    "resolved": "已办结",
    "rework": "重办中",
    "closed": "已关闭",
}


class Part(StrEnum):
    SUBJECT = "subject"
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    SMS = "sms"


class TemplateRenderer:
    def __init__(self, override_dir: Path | None = None, *, names: Callable[[str], str] | None = None) -> None:
        loaders = [FileSystemLoader(str(override_dir))] if override_dir else []
        loader = ChoiceLoader([*loaders, PackageLoader("services.notifier", "templates")])
        # HTML is escaped; the other parts are plain text or markdown and must not be.
        self._plain = Environment(loader=loader, autoescape=False, undefined=StrictUndefined, trim_blocks=True)
        self._html = Environment(loader=loader, autoescape=True, undefined=StrictUndefined, trim_blocks=True)
        # Unit code → its Chinese name, from the catalog in force (codes it does not know are shown as they are).
        self._names = names or (lambda code: code)

    def render(
        self,
        event: NotificationEvent,
        part: Part,
        *,
        description: str | None = None,
        media: Sequence[MediaLink] = (),
        images: bool = True,
    ) -> str:
        """One part of the message for an event (stripped of surrounding blank lines); `description`: the ticket's
        description as this channel may show it (templates read it as `description`); `media`: links to the files
        the event names, for this recipient; `images`: whether this channel's markdown shows an image (WeCom's
        does not: it gets a link instead)."""
        environment = self._html if part is Part.HTML else self._plain
        try:
            template = environment.get_template(f"{event.kind.value}.jinja")
        except TemplateNotFound:
            template = environment.get_template(FALLBACK_TEMPLATE)
        context = self._context(event, part, description) | {"media": list(media), "images": images}
        return template.render(context).strip()

    def _context(self, event: NotificationEvent, part: Part, description: str | None) -> dict[str, Any]:
        return {
            "part": part.value,
            "event": event,
            "description": description,
            "name": lambda code: self._names(code) if code else "—",
            "when": lambda moment: moment.astimezone(_CHINA).strftime("%Y-%m-%d %H:%M") if moment else "—",
            "deadline": lambda kind: DEADLINE_NAMES.get(kind or "", kind or "—"),
            "status": lambda status: STATUS_NAMES.get(status or "", status or "—"),
            "role": lambda role: JOINT_ROLE_NAMES.get(role or "", role or "—"),
            "outcome": lambda outcome: OUTCOME_NAMES.get(outcome or "", outcome or "—"),
            "percent": percent,
            "change": change_mark,
        }


def percent(value: float | None) -> str:
    """A rate (0–1) as a reader sees it: `97.4%`; `—` for none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def change_mark(change: float | None) -> str:
    """A rate's change in percentage points: `▲1.3`, `▼0.4`, `持平`; `—` for none."""
    if change is None:
        return "—"
    points = round(change * 100, 1)
    if points == 0:
        return "持平"
    return f"▲{points:.1f}" if points > 0 else f"▼{-points:.1f}"


def _china() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


_CHINA = _china()
