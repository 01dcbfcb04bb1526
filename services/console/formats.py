"""How the console writes things for people: Chinese labels, local times, deadline countdowns. Pure functions."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")

STATUS_LABELS = {
    "received": "已受理",
    "triage": "待分拨",
    "assigned": "待签收",
    "accepted": "办理中",
    "arbitration": "争议仲裁中",
    "resolved": "已办结待评价",
    "rework": "退回重办",
    "closed": "已归档",
}

DEADLINE_LABELS = {
    "sign_for": "签收",
    "transfer": "退回",
    "feedback": "首次反馈",
    "resolution": "办结",
    "arbitration": "仲裁",
    "triage": "分拨",
}

ESCALATION_LABELS = {"0": "未升级", "1": "单位分管领导", "2": "市分管领导", "3": "顶格调度"}

CHANNEL_LABELS = {
    "12345": "12345政务服务热线",
    "89000": "89000民生服务平台",
    "grid": "网格员上报",
    "township_call": "乡镇吹哨",
    "key_work_call": "重点工作吹哨",
    "assigned": "中心交办",
}

RATING_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}


def label(table: dict[str, str], value: object) -> str:
    """The Chinese label, else the value itself (a new status still shows)."""
    key = getattr(value, "value", value)
    return table.get(str(key), str(key)) if key is not None else "—"


def local_time(moment: datetime | str | None) -> str:
    """`2026-12-07 14:05` in the city's time; `—` for none."""
    if moment is None or moment == "":
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def countdown(due: datetime | str | None, now: datetime) -> tuple[str, str]:
    """What is left before a deadline, in words, and how urgent: `ok`, `soon` (under a day), `overdue`."""
    if due is None or due == "":
        return "—", "none"
    if isinstance(due, str):
        due = datetime.fromisoformat(due)
    left = due - now
    if left < timedelta(0):
        return f"已超时{_span(-left)}", "overdue"
    return f"剩余{_span(left)}", "soon" if left < timedelta(days=1) else "ok"


def _span(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{minutes}分"
    return f"{minutes}分钟"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
