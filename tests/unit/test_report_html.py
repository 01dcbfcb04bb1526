"""A report as a reader gets it: one Chinese page (charts, tables, the special report, the footer) that fetches
nothing, and a few lines of plain text for the robots."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from services.assessment.reports.report_html import (
    change_mark,
    render_report_html,
    render_report_summary,
)
from services.contracts.assessment_reports import Report
from tests.unit.report_builders import STALLED, realistic_report

NAMES = {
    "hekou-town": "河口镇",
    "qingshan-town": "青山镇",
    "chengguan-street": "城关街道",
    "ecology-environment": "生态环境分局",
}


class Page(HTMLParser):
    """The tags of a page, and the text of each section (by id) with tags removed."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: dict[str, str] = {}
        self._section: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("section", "footer"):
            self._section = dict(attrs).get("id") or tag
            self.sections[self._section] = ""
        self._apart()

    def handle_endtag(self, tag: str) -> None:
        self._apart()
        if tag in ("section", "footer"):
            self._section = None

    def _apart(self) -> None:
        """Cells, list items and the like read apart: a space at every tag (runs of spaces are made one)."""
        if self._section is not None:
            self.sections[self._section] += " "

    def handle_data(self, data: str) -> None:
        if self._section is not None:
            self.sections[self._section] += data

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def report() -> Report:
    return realistic_report()


@pytest.fixture(scope="module")
def html(report: Report) -> str:
    return render_report_html(report, names=NAMES)


@pytest.fixture(scope="module")
def page(html: str) -> Page:
    return Page(html)


def text(section: str) -> str:
    return re.sub(r"\s+", " ", section).strip()


def test_a_complete_chinese_page_readable_on_a_phone(html: str, page: Page) -> None:
    assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert html.rstrip().endswith("</html>")
    assert {"charset": "utf-8"} in page.named("meta")
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in page.named("meta")
    assert "<title>河口市12345热线工作周通报（2026年第49周（11月30日至12月6日））</title>" in html
    assert [a["id"] for a in page.named("section")] == [
        "headline",
        "ranking",
        "trend",
        "measures",
        "stalled",
        "named",
        "classes",
        "rectifications",
    ]
    # Wide tables scroll inside their own box rather than stretching the page.
    assert len([a for a in page.named("div") if a.get("class") == "scroll"]) == len(page.named("table")) == 5
    assert ".scroll{overflow-x:auto" in html


def test_nothing_on_the_page_is_fetched_or_run(html: str, page: Page) -> None:
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "image", "use", "foreignobject"}
    assert not [attrs for _, attrs in page.tags if {"src", "href", "srcset"} & set(attrs)]
    assert not re.search(r"https?:|//[a-z]|url\(|@import|@font-face|javascript:", html, re.IGNORECASE)
    assert [attrs["class"] for attrs in page.named("svg")] == ["chart", "chart"]


def test_the_citys_three_rates_with_their_change(page: Page) -> None:
    headline = text(page.sections["headline"])

    assert "承接率 97.4% 917 / 941 较上期 ▲1.2" in headline
    assert "办结率 91.2% 836 / 917 较上期 ▼0.9" in headline
    assert "满意率 93.4% 675 / 723 较上期 ▲2.9" in headline
    assert "与2026年第48周（11月23日至11月29日）相比" in headline


def test_every_unit_is_ranked_with_its_rates_and_change_and_units_without_calls_are_apart(
    report: Report, page: Page
) -> None:
    ranking = text(page.sections["ranking"])

    ranked = [line.name for line in report.rates.lines]
    positions = [ranking.index(f"{line.rank} {line.name} ") for line in report.rates.lines]
    assert positions == sorted(positions), "in rank order"
    assert "1 水务局 49.1 100.0% 212/212 ▲3.8 96.7% 205/212 ▲4.6 97.8% 176/180 ▲7.3" in ranking
    assert "8 青山镇 29.2 75.0% 9/12 ▼21.2 66.7% 6/9 ▼25.4 33.3% 1/3 ▼57.2" in ranking
    assert "全市 — 97.4% 917/941 ▲1.2" in ranking
    apart = ranking[ranking.index("本期无来电单位（不参与排名）") :]
    assert "商务局（以下看上评价 92.5）" in apart
    assert not any(name in apart for name in ranked)
    assert "商务局" not in ranking[: ranking.index("本期无来电单位")]


def test_the_bar_chart_has_every_ranked_unit_and_the_trend_chart_every_period(report: Report, html: str) -> None:
    bar, trend = re.findall(r"<svg.*?</svg>", html, re.DOTALL)

    assert re.findall(r"<text[^>]*><title>([^<]+)</title>", bar) == [line.name for line in report.rates.lines]
    assert bar.count("<rect") == 3 + 3 * len(report.rates.lines)  # the legend's three, then a bar per rate
    assert "<title>水务局 满意率 97.8%</title>" in bar
    weeks = [f"第{n}周" for n in range(42, 50)]
    assert re.findall(r">(第\d+周)</text>", trend) == weeks, "seven weeks before and the report's own"
    assert trend.count("<polyline") == 3
    assert "<title>第49周 承接率 97.4%</title>" in trend


def test_the_trend_table_ends_with_the_reports_own_period(page: Page) -> None:
    trend = text(page.sections["trend"])

    assert trend.index("2026年第42周") < trend.index("2026年第48周") < trend.index("2026年第49周")
    assert "2026年第49周（11月30日至12月6日） 97.4% 91.2% 93.4%" in trend


def test_every_measure_of_every_unit_is_in_the_measures_table(report: Report, page: Page) -> None:
    measures = text(page.sections["measures"])

    for name in report.rates.measures.values():
        assert name in measures
    assert "水务局 99.5% 99.1% 98.6% 75.0% 212 212 205 180 176 212 211" in measures
    assert "商务局 — — — — 0 0 0" in measures


def test_the_special_report_lists_every_stalled_item_one_by_one(page: Page) -> None:
    stalled = text(page.sections["stalled"])

    assert "本期共有滞留事项 3 件：超过时限仍未办结 2 件，连续5个工作日以上无进展 1 件" in stalled
    for item in STALLED:
        assert item.case_id in stalled
        assert item.title is not None and item.title in stalled
    first = stalled[stalled.index(STALLED[0].case_id) - 40 : stalled.index(STALLED[1].case_id)]
    assert "水务局 ：小区停水两天无人处理" in first
    assert "属地 河口镇" in first
    assert "滞留情形 超过办结时限（2026-11-27 18:00）7天" in first
    assert "最后进展 2026-11-30 11:00 抢修完成百分之六十，已安排送水车" in first
    assert "拟采取措施 区住建局牵头更换主管道，12月10日前完工" in first
    assert "督办层级 第2级" in first
    second = stalled[stalled.index(STALLED[1].case_id) : stalled.index(STALLED[2].case_id)]
    assert "超过签收时限（2026-11-25 16:00）9天" in second
    assert "最后进展 无进展报告" in second and "拟采取措施 单位尚未说明" in second
    third = stalled[stalled.index(STALLED[2].case_id) :]
    assert "滞留情形 8天无进展" in third and "申请劳动监察立案" in third


def test_units_named_are_ordered_to_rectify(page: Page) -> None:
    named = text(page.sections["named"])

    assert "交通运输局 不响应（未按时签收） 4 c-0101、c-0102、c-0103、c-0104" in named
    assert "综合行政执法局 迟响应（未按时反馈或办结） 9 c-0201" in named
    assert "对以上单位予以通报，责令限期整改。" in named


def test_new_classes_and_rectifications_with_their_progress_and_result(page: Page) -> None:
    classes = text(page.sections["classes"])
    rectifications = text(page.sections["rectifications"])

    assert "河口镇幸福家园小区反复停水 同一乡镇同类事项 LS-06 河口镇 14 2026-11-20 至 2026-12-03 未立项" in classes
    assert "城区夜间施工噪音专项整治 （进行中）" in rectifications
    assert "配合单位 住房和城乡建设局、生态环境分局" in rectifications
    assert "涉及工单 37 件，未办结 6 件" in rectifications
    assert "最新进展 已约谈施工单位12家" in rectifications
    assert "老旧小区二次供水设施整治 （已结束）" in rectifications
    assert "2026-11-28 结束" in rectifications
    assert "整治结果 完成9个小区水箱清洗和管网改造，同类来电由每周20件降至2件" in rectifications


def test_the_footer_names_the_definitions_the_cutoff_and_when_it_was_made(report: Report, page: Page) -> None:
    footer = text(page.sections["footer"])

    assert "指标口径版本 2026.1；数据截至 2026-12-04 18:00；生成于 2026-12-04 18:00。" in footer
    assert f"报告编号 {report.report_id}（第1版）" in footer


def test_the_same_report_renders_the_same_page(report: Report, html: str) -> None:
    assert render_report_html(report.model_copy(deep=True), names=NAMES) == html


def test_what_people_wrote_is_escaped() -> None:
    item = STALLED[0].model_copy(update={"last_progress": "<script>alert('x')</script> & <b>急</b>"})
    report = realistic_report(stalled=[item], title="周通报<i>")

    html = render_report_html(report)

    assert "<script>" not in html and "<b>急</b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;急&lt;/b&gt;" in html


def test_an_empty_week_says_so(report: Report) -> None:
    table = report.rates.model_copy(update={"lines": [], "no_calls": []})
    empty = realistic_report(rates=table, stalled=[], units_named=[], new_classes=[], rectifications=[], trend=[])

    page = Page(render_report_html(empty))

    assert "本期没有单位接到来电。" in page.sections["ranking"]
    assert "无。" in page.sections["ranking"]
    assert "本期没有滞留事项。" in page.sections["stalled"]
    assert "本期没有不响应、迟响应的单位。" in page.sections["named"]
    assert "本期没有新发现的类案。" in page.sections["classes"]
    assert "本期没有专项整治。" in page.sections["rectifications"]
    assert len(page.named("svg")) == 1, "the trend chart, with the report's own period"


def test_the_summary_says_what_the_report_found_in_a_few_plain_lines(report: Report) -> None:
    summary = render_report_summary(report)

    assert summary.splitlines() == [
        "全市承接率97.4%（较上期▲1.2）、办结率91.2%（较上期▼0.9）、满意率93.4%（较上期▲2.9）。",
        "排名前三：水务局、市场监督管理局、河口镇；排名后三：青山镇、交通运输局、综合行政执法局。",
        "本期无来电单位1个。",
        "滞留事项3件（超期2件、无进展1件）。",
        "通报单位2个，责令整改：交通运输局、综合行政执法局。",
        "新发现类案1类；专项整治进行中1项。",
    ]


def test_the_summary_is_plain_text_not_escaped_html() -> None:
    named = realistic_report().units_named[0].model_copy(update={"name": "A&B<局>"})
    report = realistic_report(title="A&B区", units_named=[named])

    summary = render_report_summary(report)

    assert summary.startswith("全市承接率")
    assert "通报单位1个，责令整改：A&B<局>。" in summary
    assert "A&B区" not in summary, "the title is said beside it"


@pytest.mark.parametrize(
    ("change", "mark"), [(0.0132, "▲1.3"), (-0.004, "▼0.4"), (0.0004, "持平"), (-0.0004, "持平"), (None, "—")]
)
def test_change_marks(change: float | None, mark: str) -> None:
    assert change_mark(change) == mark
