"""What a catalog change application changes in its item, field by field, as the centre reads it before deciding.
Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# CatalogItem's fields (services/contracts/catalog.py), in the order a person reads an item.
ITEM_FIELDS = {
    "item_code": "事项编码",
    "item_zh": "事项名称",
    "domain_zh": "领域",
    "primary_unit": "主责单位",
    "supporting_units": "配合单位",
    "township_role": "乡镇职责",
    "complexity": "复杂程度",
    "urgent_allowed": "可按紧急件办理",
    "major": "重大事项",
    "description_zh": "事项说明",
}
VALUE_WORDS = {"none": "无", "support": "配合", "primary": "属地主责", "normal": "一般", "complex": "复杂"}
KIND_LABELS = {"add": "新增事项", "remove": "删除事项", "change": "调整事项"}
CHANGE_STATUS_LABELS = {
    "pending": "待审批",
    "approved": "已同意",
    "refused": "未同意",
    "expired": "逾期未决",
    "failed": "未能生效",
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def shown(value: Any) -> str:
    """A field's value as words: lists joined, codes named, nothing as a dash."""
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return VALUE_WORDS.get(value, value) if isinstance(value, str) else str(value)


def item_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """Each field of the item before and as the application would have it (an addition has no before, a removal
    no after), in reading order, then any field this console does not know by name."""
    before, after = before or {}, after or {}
    names = list(ITEM_FIELDS) + sorted((set(before) | set(after)) - set(ITEM_FIELDS) - {"domain"})
    return [
        FieldChange(ITEM_FIELDS.get(name, name), shown(before.get(name)), shown(after.get(name)))
        for name in names
        if name in before or name in after
    ]
