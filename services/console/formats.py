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
    "open311": "Open311应用",
}

# The case timeline's actions (services/contracts/case_timeline.py) as a clerk reads them.
TIMELINE_LABELS = {
    "received": "受理",
    "sent_to_triage": "转中心分拨",
    "triaged": "中心分拨",
    "routed": "派单",
    "assigned": "交办",
    "urgency_not_allowed": "该事项不适用紧急",
    "deadline_recomputed": "期限重算",
    "deadline_paused": "期限暂停",
    "deadline_resumed": "期限恢复",
    "accepted": "签收",
    "transferred": "退回转办",
    "transfer_window_closed": "退回期已过",
    "arbitration_requested": "提请仲裁",
    "arbitrated": "仲裁",
    "feedback": "首次反馈",
    "progress": "进展",
    "attachment_added": "上传附件",
    "attachment_fetch_failed": "附件获取失败",
    "joint_handling_started": "发起联合办理",
    "joint_task_accepted": "签收联办任务",
    "joint_task_reported": "联办进展",
    "joint_task_completed": "完成联办任务",
    "joint_task_deadline_breached": "联办任务超时",
    "joint_handling_closed": "结束联合办理",
    "deadline_breached": "超时",
    "chase_up": "催办",
    "escalation_requested": "提请升级",
    "escalated": "升级",
    "escalation_held": "升级暂缓",
    "top_level_coordination": "顶格调度",
    "extension_requested": "申请延期",
    "extension_approved": "同意延期",
    "extension_refused": "不同意延期",
    "resolved": "办结",
    "rated": "评价",
    "rework": "退回重办",
    "demand_judged_unreasonable": "认定不合理诉求",
    "closed": "归档",
}

JOINT_TASK_LABELS = {
    "assigned": "待签收",
    "accepted": "办理中",
    "completed": "已完成",
    "closed_by_lead": "牵头单位已结束",
}

ACTOR_LABELS = {"system": "系统", "router": "派单系统", "caller": "来电人", "coordination-centre": "基层赋能中心"}

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


def percent(rate: object, digits: int = 1) -> str:
    """A rate 0–1 as a percent (`92.3%`; `46%` with no digits); `—` for none, or for what is not a number."""
    return f"{float(rate) * 100:.{digits}f}%" if isinstance(rate, int | float) else "—"


def count_shown(count: int, more: bool) -> str:
    """How many a list holds; `+` when the API has more than the list shows (the count is of those shown)."""
    return f"{count}+" if more else str(count)
