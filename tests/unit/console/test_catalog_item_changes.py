"""A catalog change application's item, field by field, before and after."""

from __future__ import annotations

from typing import Any

from services.console.catalog_item_changes import FieldChange, item_changes, shown

KW05 = {
    "item_code": "KW-05",
    "domain": "key-work",
    "domain_zh": "重点工作",
    "item_zh": "招商引资项目落地服务",
    "primary_unit": "commerce",
    "supporting_units": ["admin-approval"],
    "township_role": "none",
    "complexity": "complex",
    "urgent_allowed": False,
    "description_zh": "",
    "major": False,
}


def _changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    return [f for f in item_changes(before, after) if f.changed]


def test_a_change_shows_the_fields_it_changes() -> None:
    after = KW05 | {"primary_unit": "development-reform", "supporting_units": ["commerce", "admin-approval"]}
    assert _changed(KW05, after) == [
        FieldChange("主责单位", "commerce", "development-reform"),
        FieldChange("配合单位", "admin-approval", "commerce、admin-approval"),
    ]
    assert [f.label for f in item_changes(KW05, after)][:4] == ["事项编码", "事项名称", "领域", "主责单位"]


def test_an_addition_has_nothing_before_and_a_removal_nothing_after() -> None:
    added = {f.label: (f.before, f.after) for f in item_changes(None, KW05)}
    assert added["事项名称"] == ("—", "招商引资项目落地服务")
    assert added["乡镇职责"] == ("—", "无")
    removed = {f.label: (f.before, f.after) for f in item_changes(KW05, None)}
    assert removed["可按紧急件办理"] == ("否", "—")


def test_a_field_this_console_does_not_know_is_still_shown() -> None:
    assert _changed(KW05, KW05 | {"hotline_group": "B"}) == [FieldChange("hotline_group", "—", "B")]


def test_values_in_words() -> None:
    assert [shown(v) for v in (None, "", [], True, "primary", 3, ("a", "b"))] == [
        "—",
        "—",
        "—",
        "是",
        "属地主责",
        "3",
        "a、b",
    ]
