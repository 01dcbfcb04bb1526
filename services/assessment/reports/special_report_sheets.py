"""The special report's sheets of a report's workbook (滞留事项专报, 通报单位, 类案, 专项整治): one row an item."""

from __future__ import annotations

from collections.abc import Callable

from services.assessment.reports.report_terms import (
    CLASS_KIND_NAMES,
    NOTICE_NAMES,
    ORDERED_TO_RECTIFY,
    RECTIFICATION_STATUS_NAMES,
    STALLED_REASON_NAMES,
    deadline_name,
)
from services.assessment.reports.xlsx_book import Book, Column, Kind
from services.contracts.assessment_reports import Report


def stalled_sheet(book: Book, report: Report, name: Callable[[str | None], str]) -> None:
    columns = [
        Column("序号", Kind.INTEGER),
        Column("承办单位"),
        Column("工单编号"),
        Column("标题", Kind.LONG_TEXT),
        Column("事项编码"),
        Column("属地"),
        Column("受理时间", Kind.TIME),
        Column("滞留情形"),
        Column("超期环节"),
        Column("时限", Kind.TIME),
        Column("滞留天数", Kind.INTEGER),
        Column("最后进展时间", Kind.TIME),
        Column("最后进展", Kind.LONG_TEXT),
        Column("拟采取措施", Kind.LONG_TEXT),
        Column("督办层级", Kind.INTEGER),
    ]
    rows = [
        [
            number,
            name(item.handling_unit),
            item.case_id,
            item.title,
            item.catalog_item,
            name(item.township) if item.township else None,
            item.received_at,
            STALLED_REASON_NAMES.get(item.reason, item.reason),
            deadline_name(item.deadline_kind) if item.deadline_kind else None,
            item.due,
            item.stalled_days,
            item.last_progress_at,
            item.last_progress or None,
            item.proposed_measure or None,
            item.escalation_level,
        ]
        for number, item in enumerate(report.stalled, start=1)
    ]
    book.table("滞留事项专报", columns, rows, frozen_columns=2)


def units_named_sheet(book: Book, report: Report) -> None:
    columns = [
        Column("单位编码"),
        Column("单位"),
        Column("情形"),
        Column("件数", Kind.INTEGER),
        Column("工单编号", Kind.LONG_TEXT),
        Column("要求"),
    ]
    rows = [
        [
            notice.unit,
            notice.name,
            NOTICE_NAMES.get(notice.kind, notice.kind),
            notice.count,
            "、".join(notice.case_ids),
            ORDERED_TO_RECTIFY,
        ]
        for notice in report.units_named
    ]
    book.table("通报单位", columns, rows, frozen_columns=2)


def classes_sheet(book: Book, report: Report, name: Callable[[str | None], str]) -> None:
    columns = [
        Column("类案编号"),
        Column("名称", Kind.LONG_TEXT),
        Column("类型"),
        Column("事项编码"),
        Column("属地"),
        Column("件数", Kind.INTEGER),
        Column("首次来电", Kind.TIME),
        Column("最近来电", Kind.TIME),
        Column("发现时间", Kind.TIME),
        Column("专项整治编号"),
        Column("工单编号", Kind.LONG_TEXT),
    ]
    rows = [
        [
            found.class_id,
            found.label,
            CLASS_KIND_NAMES.get(found.kind, found.kind),
            found.catalog_item,
            name(found.township) if found.township else None,
            found.case_count,
            found.first_received_at,
            found.last_received_at,
            found.detected_at,
            found.rectification_id,
            "、".join(found.case_ids),
        ]
        for found in report.new_classes
    ]
    book.table("类案", columns, rows, frozen_columns=2)


def rectifications_sheet(book: Book, report: Report, name: Callable[[str | None], str]) -> None:
    columns = [
        Column("编号"),
        Column("名称", Kind.LONG_TEXT),
        Column("类案编号"),
        Column("牵头单位"),
        Column("配合单位", Kind.LONG_TEXT),
        Column("状态"),
        Column("开始", Kind.TIME),
        Column("期限", Kind.TIME),
        Column("结束", Kind.TIME),
        Column("涉及工单", Kind.INTEGER),
        Column("未办结工单", Kind.INTEGER),
        Column("最新进展", Kind.LONG_TEXT),
        Column("整治结果", Kind.LONG_TEXT),
    ]
    rows = [
        [
            item.rectification_id,
            item.title,
            item.class_id,
            name(item.lead_unit),
            "、".join(name(unit) for unit in item.participants),
            RECTIFICATION_STATUS_NAMES.get(item.status, item.status),
            item.opened_at,
            item.deadline,
            item.closed_at,
            item.case_count,
            item.open_case_count,
            item.last_progress or None,
            item.result or None,
        ]
        for item in report.rectifications
    ]
    book.table("专项整治", columns, rows, frozen_columns=2)
