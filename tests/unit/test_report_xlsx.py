"""A report's workbook opened as a spreadsheet program would (openpyxl): Chinese sheets holding the report's numbers,
rates as percentages, headers frozen, and the same bytes every time the same report is rendered."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.assessment.reports.report_xlsx import render_report_xlsx
from services.contracts.assessment_reports import Report
from tests.unit.report_builders import STALLED, realistic_report

SHEETS = ["概况", "三率排名", "各项指标", "滞留事项专报", "通报单位", "类案", "专项整治"]
NAMES = {"hekou-town": "河口镇", "qingshan-town": "青山镇", "chengguan-street": "城关街道"}


@pytest.fixture(scope="module")
def report() -> Report:
    return realistic_report()


@pytest.fixture(scope="module")
def data(report: Report) -> bytes:
    return render_report_xlsx(report, names=NAMES)


@pytest.fixture(scope="module")
def book(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def same(value: float | None) -> Any:
    """Equal to the 15 significant digits a spreadsheet keeps (xlsxwriter writes 16; Excel reads 15)."""
    return None if value is None else pytest.approx(value, rel=1e-15, abs=1e-15)


def table(sheet: Worksheet) -> list[dict[str, Any]]:
    """The sheet's rows under its header, as header → value."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def by_unit(sheet: Worksheet) -> dict[str, dict[str, Any]]:
    return {row["单位编码"]: row for row in table(sheet)}


def test_the_sheets_are_named_in_chinese_in_reading_order(book: Workbook) -> None:
    assert book.sheetnames == SHEETS


def test_every_headline_rate_of_every_unit_equals_the_reports_json(report: Report, book: Workbook) -> None:
    published = report.model_dump(mode="json")["rates"]  # what the API answers
    ranking = by_unit(book["三率排名"])
    lines = [*published["lines"], published["city"], *published["no_calls"]]

    assert list(ranking) == ["city", *(line["group"] for line in published["lines"]), "commerce"]
    for line in lines:
        row = ranking[line["group"]]
        assert (row["单位"], row["排名"], row["得分"]) == (line["name"], line["rank"], line["score"])
        for code in published["headline"]:
            name = published["rates"][code]
            rate = line["rates"][code]
            assert row[name] == same(rate["value"]), (line["group"], code)
            assert (row[f"{name}分子"], row[f"{name}分母"]) == (rate["numerator"], rate["denominator"])
            assert row[f"{name}上期"] == same(line["previous_rates"].get(code))
            assert row[f"{name}较上期"] == same(line["change"].get(code))
    assert ranking["commerce"]["备注"] == "本期无来电，不参与排名"
    assert ranking["commerce"]["以下看上评价"] == 92.5
    assert ranking["city"]["备注"] == "全市合计" and ranking["water"]["备注"] is None


def test_every_rate_and_measure_of_every_unit_equals_the_reports_json(report: Report, book: Workbook) -> None:
    published = report.model_dump(mode="json")["rates"]
    measures = by_unit(book["各项指标"])
    lines = [published["city"], *published["lines"], *published["no_calls"]]

    assert list(measures) == [line["group"] for line in lines]
    for line in lines:
        row = measures[line["group"]]
        for code, name in published["rates"].items():
            assert row[name] == same(line["rates"][code]["value"]), (line["group"], code)
        for code, name in published["measures"].items():
            assert row[name] == same(line["measures"][code]), (line["group"], code)


def test_rates_are_numbers_formatted_as_percentages(book: Workbook) -> None:
    sheet = book["三率排名"]
    header = [cell.value for cell in sheet[1]]
    water = sheet[3]

    for name in ("承接率", "办结率", "满意率"):
        cell = water[header.index(name)]
        assert cell.data_type == "n" and cell.number_format == "0.0%"
        assert water[header.index(f"{name}较上期")].number_format == "+0.0%;-0.0%;0.0%"
        assert water[header.index(f"{name}分子")].number_format == "#,##0"
    measures = book["各项指标"]
    hours = [cell.value for cell in measures[1]].index("平均办理时长（小时）")
    assert measures[3][hours].number_format == "#,##0.0", "an average keeps its decimal"


def test_headers_are_frozen_filterable_and_columns_sized(book: Workbook) -> None:
    frozen = {sheet.title: sheet.freeze_panes for sheet in book.worksheets}

    assert frozen == {
        "概况": "A2",
        "三率排名": "D2",  # rank, code and name stay while the rates scroll by
        "各项指标": "C2",
        "滞留事项专报": "C2",
        "通报单位": "C2",
        "类案": "C2",
        "专项整治": "C2",
    }
    for sheet in book.worksheets[1:]:
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert all(sheet.column_dimensions[c].width >= 8 for c in "ABC"), sheet.title
    stalled = book["滞留事项专报"]
    widths = {cell.value: stalled.column_dimensions[cell.column_letter].width for cell in stalled[1]}
    assert widths["工单编号"] > 36 and widths["拟采取措施"] > widths["序号"]


def test_the_special_report_sheet_has_every_stalled_item_with_city_times(book: Workbook) -> None:
    rows = table(book["滞留事项专报"])

    assert [row["工单编号"] for row in rows] == [item.case_id for item in STALLED]
    first = rows[0]
    assert first["序号"] == 1 and first["承办单位"] == "水务局" and first["属地"] == "河口镇"
    assert first["滞留情形"] == "超期未办结" and first["超期环节"] == "办结" and first["滞留天数"] == 7
    assert first["时限"] == datetime(2026, 11, 27, 18, 0)  # 10:00 UTC, as the city reads it
    assert first["最后进展"] == "抢修完成百分之六十，已安排送水车"
    assert first["拟采取措施"] == "区住建局牵头更换主管道，12月10日前完工"
    assert rows[2]["滞留情形"] == "长期无进展" and rows[2]["超期环节"] is None


def test_units_named_classes_and_rectifications(book: Workbook) -> None:
    named = table(book["通报单位"])
    classes = table(book["类案"])
    rectifications = table(book["专项整治"])

    assert [(r["单位"], r["情形"], r["件数"], r["要求"]) for r in named] == [
        ("交通运输局", "不响应（未按时签收）", 4, "责令限期整改"),
        ("综合行政执法局", "迟响应（未按时反馈或办结）", 9, "责令限期整改"),
    ]
    assert named[0]["工单编号"] == "c-0101、c-0102、c-0103、c-0104"
    assert [(c["名称"], c["件数"], c["属地"]) for c in classes] == [("河口镇幸福家园小区反复停水", 14, "河口镇")]
    assert [(r["名称"], r["状态"], r["涉及工单"], r["未办结工单"]) for r in rectifications] == [
        ("城区夜间施工噪音专项整治", "进行中", 37, 6),
        ("老旧小区二次供水设施整治", "已结束", 58, 0),
    ]
    assert rectifications[1]["整治结果"] == "完成9个小区水箱清洗和管网改造，同类来电由每周20件降至2件"
    assert rectifications[1]["结束"] == datetime(2026, 11, 28, 17, 0)


def test_the_overview_gives_the_period_the_citys_rates_and_the_counts(book: Workbook) -> None:
    values = {row[0]: row[1:] for row in book["概况"].iter_rows(values_only=True) if row[0]}

    assert values["河口市12345热线工作周通报"][0] is None  # the title row
    assert values["统计周期"][0] == "2026年第49周（11月30日至12月6日）"
    assert values["数据截至"][0] == datetime(2026, 12, 4, 18, 0)
    assert values["指标口径版本"][0] == "2026.1"
    assert values["滞留事项（件）"][0] == 3 and values["通报单位（个）"][0] == 2
    assert values["承接率"][:5] == (pytest.approx(917 / 941), 917, 941, 0.962, pytest.approx(917 / 941 - 0.962))
    assert values["2026年第48周（11月23日至11月29日）"][:3] == pytest.approx((0.962, 0.918, 0.902))
    # The trend ends with the report's own period, as the page's chart does.
    assert values["2026年第49周（11月30日至12月6日）"][:3] == pytest.approx((917 / 941, 836 / 917, 675 / 723))


def test_text_that_looks_like_a_formula_stays_text() -> None:
    trap = STALLED[0].model_copy(update={"title": '=HYPERLINK("http://example.com","点我")'})

    book = load_workbook(io.BytesIO(render_report_xlsx(realistic_report(stalled=[trap]))))

    cell = book["滞留事项专报"]["D2"]
    assert cell.data_type == "s" and cell.value == trap.title


def test_the_same_report_gives_the_same_bytes_whenever_it_is_rendered(report: Report, data: bytes) -> None:
    again = render_report_xlsx(report.model_copy(deep=True), names=NAMES)

    assert again == data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        # Nothing in the file comes from the clock: the package's file times are fixed, the workbook's dates are
        # the report's own.
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode()
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-12-04T10:00:07Z</dcterms:created>' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-12-04T10:00:07Z</dcterms:modified>' in core


def test_another_report_gives_other_bytes(report: Report, data: bytes) -> None:
    assert render_report_xlsx(report.model_copy(update={"version": 2}), names=NAMES) != data


def test_an_empty_report_still_has_every_sheet_with_its_header(report: Report) -> None:
    table_ = report.rates.model_copy(update={"lines": [], "no_calls": []})
    empty = realistic_report(rates=table_, stalled=[], units_named=[], new_classes=[], rectifications=[], trend=[])

    book = load_workbook(io.BytesIO(render_report_xlsx(empty)))

    assert book.sheetnames == SHEETS
    assert [c.value for c in book["滞留事项专报"][1]][:3] == ["序号", "承办单位", "工单编号"]
    assert book["滞留事项专报"].max_row == 1
