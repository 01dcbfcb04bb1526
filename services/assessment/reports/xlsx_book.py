"""A workbook of tables (XlsxWriter), one table a sheet: typed columns (text never a formula, numbers and percentages
as numbers, the city's times), the header row frozen and filterable, widths fitted to Chinese text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.assessment.reports.report_terms import city_time

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


class Book:
    """A workbook of tables, one a sheet, with its formats."""

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
