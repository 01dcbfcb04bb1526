"""The export's files as a clerk opens them: Chinese headers, local times, 是/否, and text that never runs as a formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.intake import export_formats
from services.intake.export_formats import (
    PLAIN_COLUMNS,
    XlsxSheets,
    columns,
    csv_header,
    csv_lines,
)
from tests.support.xlsx_sheets import read_sheets

RECEIVED = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)  # 09:30 in the city


def _row(**changes: Any) -> list[Any]:
    values = {column.source: None for column in columns(personal=True)}
    values |= {
        "case_id": "0b6f3c1e-0000-4000-8000-000000000001",
        "status": "accepted",
        "title": "小区停水",
        "escalation_level": 1,
        "overdue": True,
        "reworks": 0,
        "received_at": RECEIVED,
        "description": "停水两天",
        "caller_phone": "13812345678",
        "caller_confidential": False,
    }
    values |= changes
    return [values[column.source] for column in columns(personal=True)]


def _read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_csv_starts_with_the_byte_order_mark_and_chinese_headers() -> None:
    header = csv_header(PLAIN_COLUMNS)

    assert header.startswith(b"\xef\xbb\xbf")  # Excel then reads UTF-8, not the system's GBK
    assert header.decode("utf-8-sig").splitlines()[0].startswith("案件编号,状态,来源渠道,渠道工单号,标题")
    assert header.endswith(b"\r\n")


def test_a_csv_row_reads_as_a_clerk_expects() -> None:
    chosen = columns(personal=True)
    data = csv_header(chosen) + csv_lines(chosen, [_row()]).encode()

    [row] = _read_csv(data)
    assert row["受理时间"] == "2026-12-07 09:30:00"  # local time, no zone
    assert (row["是否超期"], row["要求保密"]) == ("是", "否")
    assert (row["督办层级"], row["返工次数"], row["办结时间"]) == ("1", "0", "")
    assert (row["诉求内容"], row["联系电话"]) == ("停水两天", "13812345678")


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 138", "'+86 138"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("小区=停水", "小区=停水"),
    ],
)
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted(text: str, written: str) -> None:
    chosen = columns(personal=True)
    [row] = _read_csv(csv_header(chosen) + csv_lines(chosen, [_row(title=text)]).encode())

    assert row["标题"] == written


def test_a_workbook_holds_the_rows_as_typed_cells(tmp_path: Path) -> None:
    path = tmp_path / "cases.xlsx"
    sheets = XlsxSheets(path, columns(personal=True))
    sheets.write([_row(title="=1+1", attachment_count=2), _row(overdue=False, received_at=None)])
    sheets.close()

    [(name, rows)] = read_sheets(path.read_bytes()).items()
    assert name == "案件"
    header = rows[0]
    assert header[:3] == ["案件编号", "状态", "来源渠道"] and header[-5:] == [
        "网格编码",
        "附件数",
        "附件编号",
        "附件列表接口",
        "所在网格",
    ]
    first = dict(zip(header, rows[1], strict=False))
    assert first["标题"] == "=1+1"  # a string cell, not a formula
    assert first["督办层级"] == 1.0 and first["是否超期"] == "是" and first["附件数"] == 2.0
    # 09:30 local on 2026-12-07, as Excel's serial day number.
    assert first["受理时间"] == pytest.approx(46363 + 9.5 / 24)
    second = dict(zip(header, rows[2], strict=False))
    assert second["是否超期"] == "否" and second.get("受理时间") is None


def test_a_full_sheet_goes_on_in_another(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_formats, "XLSX_MAX_ROWS", 3)  # the header and two rows a sheet
    path = tmp_path / "cases.xlsx"
    sheets = XlsxSheets(path, PLAIN_COLUMNS)
    sheets.write([_row(case_id=f"case-{n}")[: len(PLAIN_COLUMNS)] for n in range(5)])
    sheets.close()

    books = read_sheets(path.read_bytes())
    assert list(books) == ["案件", "案件2", "案件3"]
    assert [row[0] for rows in books.values() for row in rows[1:]] == [f"case-{n}" for n in range(5)]
    assert all(rows[0][0] == "案件编号" for rows in books.values())


def test_an_empty_export_is_a_workbook_with_its_headers(tmp_path: Path) -> None:
    path = tmp_path / "cases.xlsx"
    sheets = XlsxSheets(path, PLAIN_COLUMNS)
    sheets.close()

    assert read_sheets(path.read_bytes()) == {"案件": [[column.header for column in PLAIN_COLUMNS]]}
