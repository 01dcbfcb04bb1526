"""The special rectification forms as the API's bodies, and the field named when one cannot be."""

from __future__ import annotations

import pytest

from services.console.case_actions import FormError
from services.console.rectification_forms import closing_body, local_deadline, opening_body, progress_body, unit_codes

CLASS_ID = "5f0c7c1e-3d2a-5b7e-9a51-0c2f4e6d8b10"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("", []),
        ("water", ["water"]),
        ("housing-construction, hekou-town", ["housing-construction", "hekou-town"]),
        ("water，health、hekou-town；water\nshiqiao-town", ["water", "health", "hekou-town", "shiqiao-town"]),
    ],
)
def test_unit_codes_as_people_type_them(text: str, codes: list[str]) -> None:
    assert unit_codes(text) == codes


@pytest.mark.parametrize(
    ("text", "rfc3339"),
    [
        ("2027-01-31T18:00", "2027-01-31T18:00:00+08:00"),  # a datetime-local field: the city's time
        ("2027-01-31", "2027-01-31T18:00:00+08:00"),  # a day: the end of its working day
        ("2027-01-31T10:00:00+00:00", "2027-01-31T10:00:00+00:00"),
    ],
)
def test_a_deadline_in_the_citys_time(text: str, rfc3339: str) -> None:
    assert local_deadline(text, "完成期限") == rfc3339


def test_the_opening_form_becomes_the_apis_body() -> None:
    form = {
        "class_id": CLASS_ID,
        "title": " 河口镇供水管网集中整治 ",
        "lead_unit": "water",
        "participants": "housing-construction, hekou-town",
        "deadline": "2027-01-31T18:00",
        "goal": "停水投诉清零",
    }
    assert opening_body(form) == {
        "class_id": CLASS_ID,
        "title": "河口镇供水管网集中整治",
        "lead_unit": "water",
        "participants": ["housing-construction", "hekou-town"],
        "deadline": "2027-01-31T18:00:00+08:00",
        "goal": "停水投诉清零",
    }


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"title": "  "}, "整治名称：必填"),
        ({"lead_unit": ""}, "牵头单位：必填"),
        ({"deadline": ""}, "完成期限：必填"),
        ({"deadline": "next month"}, "完成期限：应为日期和时间"),
    ],
)
def test_a_field_that_cannot_be_sent_is_named(change: dict[str, str], named: str) -> None:
    form = {"class_id": CLASS_ID, "title": "整治", "lead_unit": "water", "deadline": "2027-01-31"} | change
    with pytest.raises(FormError) as refused:
        opening_body(form)
    assert str(refused.value).startswith(named)


def test_progress_and_closing() -> None:
    assert progress_body({"text": "排查完成", "measures": "建立预警\n\n 每周巡查 "}, "water") == {
        "unit": "water",
        "text": "排查完成",
        "measures": ["建立预警", "每周巡查"],
    }
    with pytest.raises(FormError, match="本周进展：必填"):
        progress_body({"text": ""}, "water")
    assert closing_body({"result": "已完成"}, "coordination-centre") == {
        "unit": "coordination-centre",
        "result": "已完成",
    }
