"""The API bodies the case page's forms become: who acts, where the API's model has a place for it."""

from __future__ import annotations

from typing import Any

import pytest

from services.console.case_actions import BY_KEY, FormError, body_of

CENTRE = "coordination-centre"


@pytest.mark.parametrize(
    ("key", "form", "body"),
    [
        (
            "rating",  # RatingSubmission forbids other fields: the caller's rating names no unit
            {"speed": "satisfied", "outcome": "basically_satisfied", "comment": ""},
            {"speed": "satisfied", "outcome": "basically_satisfied"},
        ),
        (
            "arbitration",
            {"handling_unit": "water", "reason": "供水管网属水务局"},
            {"unit": CENTRE, "handling_unit": "water", "reason": "供水管网属水务局"},
        ),
        (
            "extension-decision",
            {"approved": "false", "note": "不予延期"},
            {"unit": CENTRE, "approved": False, "note": "不予延期"},
        ),
        ("triage", {"item": "MS-04", "note": "电梯"}, {"unit": CENTRE, "item": "MS-04", "note": "电梯"}),
    ],
)
def test_a_centre_form_becomes_its_body(key: str, form: dict[str, str], body: dict[str, Any]) -> None:
    assert body_of(BY_KEY[key], form, CENTRE) == body


def test_a_missing_required_field_is_named() -> None:
    with pytest.raises(FormError, match="办理结果：必填"):
        body_of(BY_KEY["rating"], {"speed": "satisfied"}, CENTRE)


def test_the_attachments_ticked_are_named_only_where_the_action_shows_some() -> None:
    photo, proof = "a" * 32, "b" * 32
    resolved = body_of(BY_KEY["resolve"], {"note": "已修复"}, "water", [photo, proof, photo])
    assert resolved == {"unit": "water", "note": "已修复", "attachment_ids": [photo, proof]}
    assert body_of(BY_KEY["resolve"], {"note": "已修复"}, "water", []) == {"unit": "water", "note": "已修复"}
    arbitration = {"handling_unit": "water", "reason": "供水管网属水务局"}
    assert "attachment_ids" not in body_of(BY_KEY["arbitration"], arbitration, CENTRE, [photo])
