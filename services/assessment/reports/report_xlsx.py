"""A report as an XLSX workbook in Chinese: its overview, the three rates ranked, every measure, the special report's
stalled items, the units named, new classes of cases and the special rectifications, a sheet each.

Rates are numbers formatted as percentages (a clerk can sort and sum them), times the city's, headers frozen and
filterable. The same report always gives the same bytes: the workbook's dates are the report's own and the package's
file times are fixed.

Written in memory, not in xlsxwriter's constant-memory mode: a report has hundreds of rows, not the hundreds of
thousands that mode is for, and temporary files would only add disk writes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import xlsxwriter

from services.assessment.reports.report_terms import (
    CLASS_KIND_NAMES,
    NOTICE_NAMES,
    ORDERED_TO_RECTIFY,
    RECTIFICATION_STATUS_NAMES,
    STALLED_REASON_NAMES,
    city_time,
    deadline_name,
    trend_points,
    unit_namer,
)
from services.contracts.assessment_reports import RateLine, Report

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 48  # characters; longer text wraps


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"  # wrapped at MAX_WIDTH
    INTEGER = "integer"
    NUMBER = "number"
    PERCENT = "percent"
    CHANGE = "change"  # a rate's change, in percentage points shown as +1.2%
    TIME = "time"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT


NUMBER_FORMATS = {
    Kind.INTEGER: "#,##0",
    Kind.NUMBER: "#,##0.0",
    Kind.PERCENT: "0.0%",
    Kind.CHANGE: "+0.0%;-0.0%;0.0%",
    Kind.TIME: "yyyy-mm-dd hh:mm",
}


def render_report_xlsx(report: Report, *, names: Mapping[str, str] | None = None) -> bytes:
    """The report as an XLSX workbook (bytes); `names`: unit and township code → Chinese name."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties(
        {
            "title": report.title,
            "subject": report.period.label(),
            "author": "12345市民热线",
            "company": "12345市民热线",
            "keywords": report.report_id,
            "comments": f"指标口径版本 {report.definitions_version}",
            "created": created_at(report),
        }
    )
    book = _Book(workbook)
    name = unit_namer(report, names)
    _overview(book, report)
    _ranking(book, report)
    _measures(book, report)
    _stalled(book, report, name)
    _units_named(book, report)
    _classes(book, report, name)
    _rectifications(book, report, name)
    workbook.close()
    return buffer.getvalue()


class _Book:
    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.header = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#DCE6F1",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True})
        self.formats = {kind: workbook.add_format({"num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()}
        self.formats[Kind.LONG_TEXT] = workbook.add_format({"text_wrap": True, "valign": "top"})

    def write(self, sheet: Any, row: int, column: int, kind: Kind, value: Any) -> None:
        """One cell: text always as text (never a formula), numbers and times with their format."""
        if value is None:
            return
        if kind in (Kind.TEXT, Kind.LONG_TEXT):
            sheet.write_string(row, column, str(value), self.formats.get(kind))
        elif kind is Kind.TIME:
            sheet.write_datetime(row, column, city_time(value), self.formats[kind])
        else:
            sheet.write_number(row, column, value, self.formats[kind])

    def table(
        self, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]], *, frozen_columns: int = 0
    ) -> None:
        """A sheet holding one table: its header row frozen and filterable, widths fitted to the contents."""
        sheet = self.workbook.add_worksheet(title)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column.header, self.header)
        for number, row in enumerate(rows, start=1):
            for index, (column, value) in enumerate(zip(columns, row, strict=True)):
                self.write(sheet, number, index, column.kind, value)
        sheet.freeze_panes(1, frozen_columns)
        sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, _width(column, [row[index] for row in rows]))


def _width(column: Column, values: Sequence[Any]) -> float:
    if column.kind is Kind.TIME:
        return max(17, display_width(column.header) + 2)
    shown = [display_width(_shown(value, column.kind)) for value in values if value is not None]
    return min(MAX_WIDTH, max([display_width(column.header) + 4, *shown]) + 2)


def _shown(value: Any, kind: Kind) -> str:
    if kind in (Kind.PERCENT, Kind.CHANGE):
        return f"+{value * 100:.1f}%"
    if kind is Kind.NUMBER:
        return f"{value:,.1f}"
    if kind is Kind.INTEGER:
        return f"{value:,.0f}"
    return str(value)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character two, others one."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _overview(book: _Book, report: Report) -> None:
    table = report.rates
    sheet = book.workbook.add_worksheet("概况")
    sheet.write_string(0, 0, report.title, book.title)
    facts: list[tuple[str, Kind, Any]] = [
        ("统计周期", Kind.TEXT, report.period.label()),
        ("周期起", Kind.TIME, report.period.start),
        ("周期止（不含）", Kind.TIME, report.period.end),
        ("对比上期", Kind.TEXT, table.previous_period.label()),
        ("数据截至", Kind.TIME, report.cutoff),
        ("生成时间", Kind.TIME, report.generated_at),
        ("报告编号", Kind.TEXT, report.report_id),
        ("版本", Kind.INTEGER, report.version),
        ("指标口径版本", Kind.TEXT, report.definitions_version),
        ("无进展认定（工作日）", Kind.INTEGER, report.no_progress_working_days),
        ("参与排名单位", Kind.INTEGER, len(table.lines)),
        ("无来电单位", Kind.INTEGER, len(table.no_calls)),
        ("滞留事项（件）", Kind.INTEGER, len(report.stalled)),
        ("通报单位（个）", Kind.INTEGER, len(report.units_named)),
        ("新发现类案（类）", Kind.INTEGER, len(report.new_classes)),
        ("专项整治（项）", Kind.INTEGER, len(report.rectifications)),
    ]
    row = 2
    for label, kind, value in facts:
        sheet.write_string(row, 0, label, book.bold)
        book.write(sheet, row, 1, kind, value)
        row += 1
    row += 1
    headers = ["全市三率", "本期", "分子", "分母", "上期", "较上期"]
    for index, header in enumerate(headers):
        sheet.write_string(row, index, header, book.header)
    for code in table.headline:
        row += 1
        rate = table.city.rates.get(code)
        sheet.write_string(row, 0, table.rates.get(code, code))
        if rate is not None:
            book.write(sheet, row, 1, Kind.PERCENT, rate.value)
            book.write(sheet, row, 2, Kind.INTEGER, rate.numerator)
            book.write(sheet, row, 3, Kind.INTEGER, rate.denominator)
        book.write(sheet, row, 4, Kind.PERCENT, table.city.previous_rates.get(code))
        book.write(sheet, row, 5, Kind.CHANGE, table.city.change.get(code))
    row += 2
    sheet.write_string(row, 0, "走势（全市）", book.header)
    for index, code in enumerate(table.headline, start=1):
        sheet.write_string(row, index, table.rates.get(code, code), book.header)
    for point in trend_points(report):
        row += 1
        sheet.write_string(row, 0, point.period.label())
        for index, code in enumerate(table.headline, start=1):
            book.write(sheet, row, index, Kind.PERCENT, point.rates.get(code))
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 5, 18)


def _ranking(book: _Book, report: Report) -> None:
    table = report.rates
    columns = [Column("排名", Kind.INTEGER), Column("单位编码"), Column("单位"), Column("得分", Kind.NUMBER)]
    for code in table.headline:
        name = table.rates.get(code, code)
        columns += [
            Column(name, Kind.PERCENT),
            Column(f"{name}分子", Kind.INTEGER),
            Column(f"{name}分母", Kind.INTEGER),
            Column(f"{name}上期", Kind.PERCENT),
            Column(f"{name}较上期", Kind.CHANGE),
        ]
    columns += [Column("以下看上评价", Kind.NUMBER), Column("备注")]

    def row(line: RateLine, note: str | None) -> list[Any]:
        cells: list[Any] = [line.rank, line.group, line.name, line.score]
        for code in table.headline:
            rate = line.rates.get(code)
            cells += [
                rate.value if rate else None,
                rate.numerator if rate else None,
                rate.denominator if rate else None,
                line.previous_rates.get(code),
                line.change.get(code),
            ]
        return [*cells, line.township_rating, note]

    rows = [row(table.city, "全市合计")]
    rows += [row(line, None) for line in table.lines]
    rows += [row(line, "本期无来电，不参与排名") for line in table.no_calls]
    book.table("三率排名", columns, rows, frozen_columns=3)


def _measures(book: _Book, report: Report) -> None:
    table = report.rates
    columns = [Column("单位编码"), Column("单位")]
    columns += [Column(name, Kind.PERCENT) for name in table.rates.values()]
    lines = [table.city, *table.lines, *table.no_calls]
    columns += [
        Column(name, _measure_kind([line.measures.get(code) for line in lines]))
        for code, name in table.measures.items()
    ]
    rows = []
    for line in lines:
        cells: list[Any] = [line.group, line.name]
        cells += [line.rates[code].value if code in line.rates else None for code in table.rates]
        cells += [line.measures.get(code) for code in table.measures]
        rows.append(cells)
    book.table("各项指标", columns, rows, frozen_columns=2)


def _measure_kind(values: Sequence[float | None]) -> Kind:
    """Counts show as whole numbers; a measure with a fraction anywhere (an average, a percentile) to one decimal."""
    whole = all(value is None or float(value).is_integer() for value in values)
    return Kind.INTEGER if whole else Kind.NUMBER


def _stalled(book: _Book, report: Report, name: Callable[[str | None], str]) -> None:
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


def _units_named(book: _Book, report: Report) -> None:
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


def _classes(book: _Book, report: Report, name: Callable[[str | None], str]) -> None:
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


def _rectifications(book: _Book, report: Report, name: Callable[[str | None], str]) -> None:
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


def created_at(report: Report) -> datetime:
    """The workbook's created (and modified) date: the report's generation, so a re-render is the same file."""
    return report.generated_at.astimezone(UTC).replace(tzinfo=None)
