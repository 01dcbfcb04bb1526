"""Realistic notification events, as the case workflows publish them (for rendering and channel tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.contracts.case_view import DeadlineKind, Deadlines
from services.contracts.events import Audience, EventKind, NotificationEvent

CASE_ID = "3f6c1a9e-8a55-4a43-9f0e-2b7d1c5e4a10"

# What the workflows put in each kind's event (see services/workflows): the detail and the fields it uses.
KIND_FIELDS: dict[EventKind, dict[str, Any]] = {
    EventKind.CASE_ASSIGNED: {"from_unit": "industry-it", "detail": "由工业和信息化局转办：私屠滥宰归农业农村局"},
    EventKind.REMINDER: {"deadline_kind": DeadlineKind.FEEDBACK.value, "due": datetime(2026, 3, 4, 9, 30, tzinfo=UTC)},
    EventKind.DEADLINE_BREACHED: {
        "deadline_kind": DeadlineKind.RESOLUTION.value,
        "due": datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
        "escalation_level": 1,
        "detail": "已超时限，请说明原因并报送阶段性成效",
    },
    EventKind.CHASE_UP: {
        "deadline_kind": DeadlineKind.SIGN_FOR.value,
        "due": datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
        "detail": "催办：请立即办理并说明超时原因",
    },
    EventKind.TRANSFER_NOTICE: {
        "unit": "platform-12345",
        "audience": Audience.PLATFORM,
        "from_unit": "industry-it",
        "to_unit": "agriculture",
        "detail": "您反映的问题已转至农业农村局办理。原因：私屠滥宰归农业农村局",
        "address": None,
        "previous_sequence": 1,
    },
    EventKind.ARBITRATION_NEEDED: {
        "unit": "coordination-centre",
        "audience": Audience.COORDINATION,
        "from_unit": "water",
        "to_unit": "housing-construction",
        "detail": "小区二次供水设施归物业和住建部门管理",
    },
    EventKind.ARBITRATION_DECIDED: {"detail": "经协调中心仲裁，由贵单位承办：市政供水管网属水务局"},
    EventKind.FEEDBACK_GIVEN: {"detail": "已联系自来水公司，管道抢修中，预计今晚恢复供水"},
    EventKind.PROGRESS_REPORTED: {"detail": "抢修完成百分之六十，已安排送水车"},
    EventKind.JOINT_TASK_ASSIGNED: {
        "detail": "[配合] 协助排查小区二次供水设施",
        "due": datetime(2026, 3, 5, 10, 0, tzinfo=UTC),
    },
    EventKind.JOINT_TASK_BREACHED: {
        "detail": "排查小区供水管网",
        "role": "co_managing",
        "to_unit": "housing-construction",
        "due": datetime(2026, 3, 5, 10, 0, tzinfo=UTC),
    },
    EventKind.JOINT_PHASE_CLOSED: {"detail": "各配合单位任务均已完成"},
    EventKind.ESCALATED: {
        "unit": "city-leader",
        "audience": Audience.LEADER,
        "escalation_level": 2,
        "detail": "涉及多部门：水务牵头、住建配合",
    },
    EventKind.ESCALATION_HELD: {
        "unit": "coordination-centre",
        "audience": Audience.COORDINATION,
        "escalation_level": 1,
        "deadline_kind": DeadlineKind.FEEDBACK.value,
        "detail": "未按时限办理",
    },
    EventKind.WEEKLY_REVIEW: {
        "unit": "top-leadership",
        "audience": Audience.LEADER,
        "detail": "仍在抢修",
        "plan": "区住建局牵头更换主管道",
    },
    EventKind.EXTENSION_REQUESTED: {"unit": "coordination-centre", "detail": "需更换主管道，施工需五个工作日"},
    EventKind.EXTENSION_DECIDED: {"detail": "同意延期四个工作日", "outcome": "approved"},
    EventKind.CASE_RESOLVED: {"status": "resolved", "detail": "已恢复供水，并向群众说明原因"},
    EventKind.REWORK: {"status": "rework", "detail": "供水时断时续，仍不满意"},
    EventKind.CASE_CLOSED: {"status": "closed", "outcome": "rated"},
    EventKind.CASE_CLASS_FOUND: {
        "unit": "coordination-centre",
        "audience": Audience.COORDINATION,
        "detail": "同一事项同一镇街",
        "case_count": 6,
    },
    EventKind.RECTIFICATION_OPENED: {
        "due": datetime(2026, 4, 30, 10, 0, tzinfo=UTC),
        "detail": "一个月内完成老旧管网改造",
        "case_count": 6,
    },
    EventKind.RECTIFICATION_PROGRESS_DUE: {
        "due": datetime(2026, 3, 9, 2, 15, tzinfo=UTC),
        "detail": "已完成片区管网排查",
    },
    EventKind.RECTIFICATION_OVERDUE: {
        "unit": "coordination-centre",
        "audience": Audience.COORDINATION,
        "due": datetime(2026, 4, 30, 10, 0, tzinfo=UTC),
        "case_count": 2,
    },
    EventKind.RECTIFICATION_CLOSED: {"detail": "管网改造完成，近两周无同类投诉", "case_count": 6},
}


def realistic_event(kind: EventKind, **overrides: Any) -> NotificationEvent:
    """An event as a case publishes it: a water outage handled by the water bureau, with its deadlines."""
    fields: dict[str, Any] = {
        "event_id": f"{CASE_ID}:2",
        "kind": kind,
        "case_id": CASE_ID,
        "unit": "water",
        "sequence": 2,
        "occurred_at": datetime(2026, 3, 2, 2, 15, tzinfo=UTC),
        "title": "小区停水两天无人处理",
        "status": "accepted",
        "channel": "12345",
        "external_id": "12345-20260302-000187",
        "catalog_item": "LS-06",
        "handling_unit": "water",
        "first_contact_unit": "water",
        "township": "hekou-town",
        "address": "河口镇幸福家园小区3号楼2单元",
        "deadlines": Deadlines(
            sign_for=datetime(2026, 3, 2, 4, 15, tzinfo=UTC),
            feedback=datetime(2026, 3, 3, 2, 15, tzinfo=UTC),
            resolution=datetime(2026, 3, 9, 10, 0, tzinfo=UTC),
            arbitration=datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
        ),
    }
    fields.update(KIND_FIELDS.get(kind, {}))
    fields.update(overrides)
    return NotificationEvent.model_validate(fields)
