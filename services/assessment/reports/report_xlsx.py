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
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import xlsxwriter

from services.assessment.reports.report_terms import (
    trend_points,
    unit_namer,
)
from services.assessment.reports.special_report_sheets import (
    classes_sheet,
    rectifications_sheet,
    stalled_sheet,
    units_named_sheet,
)
from services.assessment.reports.xlsx_book import Book, Column, Kind
from services.contracts.assessment_reports import RateLine, Report


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
    book = Book(workbook)
    name = unit_namer(report, names)
    _overview(book, report)
    _ranking(book, report)
    _measures(book, report)
    stalled_sheet(book, report, name)
    units_named_sheet(book, report)
    classes_sheet(book, report, name)
    rectifications_sheet(book, report, name)
    workbook.close()
    return buffer.getvalue()


def _overview(book: Book, report: Report) -> None:
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


def _ranking(book: Book, report: Report) -> None:
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


def _measures(book: Book, report: Report) -> None:
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


def created_at(report: Report) -> datetime:
    """The workbook's created (and modified) date: the report's generation, so a re-render is the same file."""
    return report.generated_at.astimezone(UTC).replace(tzinfo=None)
