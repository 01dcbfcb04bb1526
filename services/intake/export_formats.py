"""The case export's files: its columns (Chinese headers, as the centre's clerks read them), CSV lines and XLSX sheets.

Pure and synchronous (the export runs them in a worker thread, a batch of rows at a time). Times are the city's
local time (Asia/Shanghai), as a clerk reads them and as spreadsheets want them (no zone).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter

EXPORT_TZ = ZoneInfo("Asia/Shanghai")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel reads a CSV file as the system's code page (GBK in China) unless it starts with UTF-8's byte order mark.
UTF8_BOM = "\ufeff"
# A spreadsheet takes a cell starting with one of these for a formula (CSV injection): such text gets a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576  # per sheet, the header row included
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    TIME = "time"
    FLAG = "flag"


@dataclass(frozen=True)
class Column:
    header: str
    source: str  # the record's column, or the opened ticket's field
    kind: Kind = Kind.TEXT


# The record's plain columns: every export has them.
PLAIN_COLUMNS = (
    Column("案件编号", "case_id"),
    Column("状态", "status"),
    Column("来源渠道", "channel"),
    Column("渠道工单号", "external_id"),
    Column("标题", "title"),
    Column("紧急程度", "urgency"),
    Column("事项编码", "catalog_item"),
    Column("首接单位", "first_contact_unit"),
    Column("承办单位", "handling_unit"),
    Column("属地乡镇", "township"),
    Column("呼叫单位", "calling_unit"),
    Column("督办层级", "escalation_level", Kind.NUMBER),
    Column("是否超期", "overdue", Kind.FLAG),
    Column("返工次数", "reworks", Kind.NUMBER),
    Column("签收时限", "sign_for_due", Kind.TIME),
    Column("反馈时限", "feedback_due", Kind.TIME),
    Column("办结时限", "resolution_due", Kind.TIME),
    Column("评价结果", "rating_outcome"),
    Column("受理时间", "received_at", Kind.TIME),
    Column("来电时间", "reported_at", Kind.TIME),
    Column("办结时间", "closed_at", Kind.TIME),
    Column("结案原因", "closed_reason"),
)
# What the caller said and how to reach them: only when the centre asks for it (and each case is logged).
PERSONAL_COLUMNS = (
    Column("诉求内容", "description"),
    Column("地址", "address"),
    Column("来电人", "caller_name"),
    Column("联系电话", "caller_phone"),
    Column("要求保密", "caller_confidential", Kind.FLAG),
    # The ticket's point, converted to WGS-84 (docs/places.md), and the grid code it gave.
    Column("纬度(WGS-84)", "latitude", Kind.NUMBER),
    Column("经度(WGS-84)", "longitude", Kind.NUMBER),
    Column("网格编码", "grid_code"),
)


# The case's files by number and id, and the API path that lists them with fresh links: never the links themselves,
# which expire in minutes (an export is read for days), nor the files (docs/case-records.md, "Export"). Last, so
# that the columns before them keep their places.
ATTACHMENT_COLUMNS = (
    Column("附件数", "attachment_count", Kind.NUMBER),
    Column("附件编号", "attachment_ids"),
    Column("附件列表接口", "attachments_path"),
)
# The grid the routing placed the case in (docs/places.md): not personal, so in every export. Added after the
# attachments' columns: a new column goes last, so that a city's sheets that read by position keep working.
PLACE_COLUMNS = (Column("所在网格", "place"),)
ATTACHMENT_ID_SEPARATOR = " "
ATTACHMENTS_PATH = "/v1/cases/{case_id}/attachments"


def columns(*, personal: bool) -> tuple[Column, ...]:
    return PLAIN_COLUMNS + (PERSONAL_COLUMNS if personal else ()) + ATTACHMENT_COLUMNS + PLACE_COLUMNS


def attachment_values(case_id: str, attachment_ids: Sequence[str] | None) -> list[Any]:
    """The attachment columns of one case: how many files, their ids (space-separated), where to list them."""
    ids = list(attachment_ids or ())
    return [len(ids), ATTACHMENT_ID_SEPARATOR.join(ids), ATTACHMENTS_PATH.format(case_id=case_id)]


def local_time(moment: datetime) -> datetime:
    """The moment in the city's time, without a zone (as spreadsheets hold times)."""
    return moment.astimezone(EXPORT_TZ).replace(tzinfo=None)


def csv_header(chosen: Sequence[Column]) -> bytes:
    """The file's start: the byte order mark and the header line."""
    return (UTF8_BOM + csv_lines(chosen, [[column.header for column in chosen]], headers=True)).encode()


def csv_lines(chosen: Sequence[Column], rows: Sequence[Sequence[Any]], *, headers: bool = False) -> str:
    """CSV lines (RFC 4180, CRLF) of rows of values in the order of `chosen`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if headers:
        writer.writerows(rows)
        return buffer.getvalue()
    writer.writerows([_csv_cell(column.kind, value) for column, value in zip(chosen, row, strict=True)] for row in rows)
    return buffer.getvalue()


def _csv_cell(kind: Kind, value: Any) -> str:
    if value is None:
        return ""
    if kind is Kind.TIME:
        return local_time(value).strftime("%Y-%m-%d %H:%M:%S")
    if kind is Kind.FLAG:
        return "是" if value else "否"
    text = str(value)
    return "'" + text if kind is Kind.TEXT and text.startswith(FORMULA_STARTS) else text


class XlsxSheets:
    """An XLSX workbook written row by row (xlsxwriter's constant-memory mode: only the current row is held), on
    a new sheet each time one is full."""

    def __init__(self, path: Path, chosen: Sequence[Column]) -> None:
        # Its row files go beside the workbook, so that removing the directory removes everything.
        self._workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)})
        self._time = self._workbook.add_format({"num_format": XLSX_TIME_FORMAT})
        self._columns = tuple(chosen)
        self._sheets = 0
        self._row = XLSX_MAX_ROWS  # full: the first row opens the first sheet

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        """Rows of values in the order of the columns; text always as text (never a formula)."""
        for row in rows:
            if self._row >= XLSX_MAX_ROWS:
                self._new_sheet()
            sheet, number = self._sheet, self._row
            for index, (column, value) in enumerate(zip(self._columns, row, strict=True)):
                if value is None:
                    continue
                if column.kind is Kind.TEXT:
                    sheet.write_string(number, index, str(value))
                elif column.kind is Kind.NUMBER:
                    sheet.write_number(number, index, value)
                elif column.kind is Kind.TIME:
                    sheet.write_datetime(number, index, local_time(value), self._time)
                else:
                    sheet.write_string(number, index, "是" if value else "否")
            self._row += 1

    def close(self) -> None:
        if self._sheets == 0:
            self._new_sheet()  # an export that matched nothing is still a workbook, with its header row
        self._workbook.close()

    def _new_sheet(self) -> None:
        self._sheets += 1
        self._sheet = self._workbook.add_worksheet("案件" if self._sheets == 1 else f"案件{self._sheets}")
        for index, column in enumerate(self._columns):
            self._sheet.write_string(0, index, column.header)
        self._sheet.set_column(0, 0, 38)
        self._row = 1
