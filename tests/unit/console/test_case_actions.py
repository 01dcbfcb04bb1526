"""Which action forms a case page offers whom, and how a form becomes the API's body."""

from __future__ import annotations

from typing import Any

import pytest

from services.console.case_actions import BY_KEY, FormError, body_of, offered, participants
from services.contracts.case_view import JointRole
from services.contracts.credentials import ClientKind

UNIT, CENTRE, LEADER = ClientKind.UNIT, ClientKind.COORDINATION, ClientKind.LEADER


def view(status: str, **fields: Any) -> dict[str, Any]:
    return {"status": status, "handling_unit": "water", "joint_phases": [], "extensions": [], **fields}


JOINT = [
    {"closed_at": None, "tasks": [{"unit": "housing", "status": "assigned"}, {"unit": "water", "status": "completed"}]}
]


@pytest.mark.parametrize(
    ("case", "kind", "subject", "keys"),
    [
        (view("assigned"), UNIT, "water", ["accept", "transfer", "escalation"]),
        (
            view("accepted"),
            UNIT,
            "water",
            ["feedback", "progress", "joint-handling", "escalation", "extension", "resolve"],
        ),
        (view("accepted"), UNIT, "education", []),  # not its case: nothing offered (the API would refuse anyway)
        (view("accepted", joint_phases=JOINT), UNIT, "housing", ["joint-accept", "joint-report", "joint-complete"]),
        (view("closed"), UNIT, "water", []),
        (view("triage", handling_unit=None), CENTRE, "coordination-centre", ["triage"]),
        (view("arbitration"), CENTRE, "coordination-centre", ["arbitration"]),
        (view("accepted", extensions=[{"status": "pending"}]), CENTRE, "coordination-centre", ["extension-decision"]),
        (view("accepted", extensions=[{"status": "approved"}]), CENTRE, "coordination-centre", []),
        (view("resolved"), CENTRE, "coordination-centre", ["rating"]),
        (view("rework"), CENTRE, "coordination-centre", ["unreasonable-demand"]),
        (
            view("accepted", feedback_at="2026-12-07T06:00:00+00:00"),
            UNIT,
            "water",
            ["progress", "joint-handling", "escalation", "extension", "resolve"],
        ),
        (view("accepted"), LEADER, "city-leader", ["escalation"]),
    ],
)
def test_offered_forms(case: dict[str, Any], kind: ClientKind, subject: str, keys: list[str]) -> None:
    assert [action.key for action in offered(case, kind, subject)] == keys


def test_the_lead_may_close_an_open_joint_phase() -> None:
    keys = [action.key for action in offered(view("accepted", joint_phases=JOINT), UNIT, "water")]
    assert "joint-close" in keys


@pytest.mark.parametrize(
    ("key", "form", "body"),
    [
        ("accept", {"note": ""}, {"unit": "water"}),
        ("feedback", {"message": " 已到场 "}, {"unit": "water", "message": "已到场"}),
        (
            "extension",
            {"working_days": "3", "reason": "需采购配件"},
            {"unit": "water", "working_days": 3, "reason": "需采购配件"},
        ),
        ("extension-decision", {"approved": "false", "note": ""}, {"unit": "water", "approved": False}),
        (
            "joint-handling",
            {"reason": "多部门", "participants": "water,lead,抢修,3\nhousing，co_managing，配合"},
            {
                "unit": "water",
                "reason": "多部门",
                "participants": [
                    {"unit": "water", "role": "lead", "task": "抢修", "working_days": 3},
                    {"unit": "housing", "role": "co_managing", "task": "配合"},
                ],
            },
        ),
        ("joint-report", {"note": "已派人"}, {"unit": "water", "note": "已派人"}),
    ],
)
def test_body_of_a_form(key: str, form: dict[str, str], body: dict[str, Any]) -> None:
    assert body_of(BY_KEY[key], form, "water") == body


@pytest.mark.parametrize(
    ("key", "form", "message"),
    [
        ("feedback", {"message": "  "}, "反馈内容：必填"),
        ("extension", {"working_days": "三", "reason": "x"}, "延长工作日：应为整数"),
        ("joint-handling", {"reason": "x", "participants": "water,lead"}, "参与单位第1行"),
        ("joint-handling", {"reason": "x", "participants": "water,lead,抢修,三天"}, "工作日应为整数"),
    ],
)
def test_a_form_that_cannot_be_a_body_names_its_field(key: str, form: dict[str, str], message: str) -> None:
    with pytest.raises(FormError, match=message):
        body_of(BY_KEY[key], form, "water")


def test_participants_skip_blank_lines() -> None:
    assert participants("\nwater,lead,抢修\n\n") == [{"unit": "water", "role": "lead", "task": "抢修"}]


def test_the_joint_handling_form_names_the_roles_the_api_takes() -> None:
    [participants] = [f for f in BY_KEY["joint-handling"].fields if f.name == "participants"]
    assert all(f"{role.value}（" in participants.hint for role in JointRole)
    assert "support" not in participants.hint + participants.label
