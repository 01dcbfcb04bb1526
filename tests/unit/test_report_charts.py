"""The report's charts: SVG written by our code, bars and lines where the numbers put them, labels in Chinese."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from services.assessment.reports.charts import WIDTH, Series, bar_chart, line_chart, percent, value_axis

UNITS = ["水务局", "住房和城乡建设局", "人力资源和社会保障局"]
RATES = [Series("承接率", [1.0, 0.989, 0.947]), Series("办结率", [0.967, 0.914, None])]


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def bars(svg: ElementTree.Element) -> list[ElementTree.Element]:
    """The bars (the legend's swatches have no tooltip)."""
    return [rect for rect in svg.iter("rect") if rect.find("title") is not None]


def test_each_bar_is_as_long_as_its_rate_on_a_0_to_100_percent_axis() -> None:
    svg = parse(bar_chart(UNITS, RATES, title="各单位三率"))

    drawn = bars(svg)
    full = float(drawn[0].get("width", "0"))  # 水务局's acceptance: 100%
    widths = {str(rect.findtext("title")): float(rect.get("width", "0")) for rect in drawn}
    assert widths == {
        "水务局 承接率 100.0%": pytest.approx(full),
        "水务局 办结率 96.7%": pytest.approx(full * 0.967, abs=0.1),
        "住房和城乡建设局 承接率 98.9%": pytest.approx(full * 0.989, abs=0.1),
        "住房和城乡建设局 办结率 91.4%": pytest.approx(full * 0.914, abs=0.1),
        "人力资源和社会保障局 承接率 94.7%": pytest.approx(full * 0.947, abs=0.1),
    }, "no bar for a rate with nothing counted"
    assert 0 < full < WIDTH
    axis = [t.text for t in svg.iter("text") if t.text and t.text.endswith("%") and "." not in t.text]
    assert axis == ["0%", "25%", "50%", "75%", "100%"]


def test_bars_keep_the_ranked_order_and_long_names_are_cut_with_the_whole_name_in_the_tooltip() -> None:
    svg = parse(bar_chart(UNITS, RATES, title="各单位三率"))

    labels = [t for t in svg.iter("text") if t.find("title") is not None]
    assert [t.findtext("title") for t in labels] == UNITS
    shown = ["".join(t.itertext()).removeprefix(str(t.findtext("title"))) for t in labels]
    assert shown == ["水务局", "住房和城乡建设局", "人力资源和社会保…"]
    tops = [float(rect.get("y", "0")) for rect in bars(svg)]
    assert tops == sorted(tops)
    values = [t.text for t in svg.iter("text") if t.text in ("—", "94.7%")]
    assert values == ["94.7%", "—"], "a missing rate is said, not drawn as 0"


def test_the_legend_names_every_series_and_the_chart_says_what_it_is() -> None:
    svg = parse(bar_chart(UNITS, RATES, title="各单位三率（按排名）"))

    assert svg.get("role") == "img" and svg.get("aria-label") == "各单位三率（按排名）"
    assert svg.findtext("title") == "各单位三率（按排名）"
    assert {"承接率", "办结率"} <= {t.text for t in svg.iter("text")}
    assert svg.get("viewBox", "").startswith(f"0 0 {WIDTH} ")


def test_names_are_escaped_and_nothing_is_fetched_or_run() -> None:
    chart = bar_chart(["<script>alert(1)</script>"], [Series("承接率", [0.5])], title='"标题" & <b>')

    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert 'aria-label="&#34;标题&#34; &amp; &lt;b&gt;"' in chart
    parse(chart)  # well-formed
    for absent in ("http", "href", "<script", "<image", "<foreignObject", "@import", "url("):
        assert absent not in chart


def test_a_line_per_rate_through_every_period_higher_rates_higher_up() -> None:
    periods = ["第46周", "第47周", "第48周", "第49周"]
    svg = parse(line_chart(periods, [Series("满意率", [0.90, 0.92, 0.91, 0.95])], title="全市三率走势"))

    [line] = svg.iter("polyline")
    points = [tuple(map(float, point.split(","))) for point in line.get("points", "").split()]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert len(points) == 4 and xs == sorted(xs)
    assert ys[3] < ys[1] < ys[2] < ys[0], "95% is drawn highest, 90% lowest"
    assert ys[1] - ys[3] == pytest.approx((ys[0] - ys[1]) * 1.5, abs=0.2), "the scale is linear"
    assert [t.text for t in svg.iter("text") if t.text and t.text.startswith("第")] == periods
    assert [c.findtext("title") for c in svg.iter("circle")] == [
        "第46周 满意率 90.0%",
        "第47周 满意率 92.0%",
        "第48周 满意率 91.0%",
        "第49周 满意率 95.0%",
    ]


def test_a_period_without_a_value_breaks_the_line() -> None:
    svg = parse(
        line_chart(["1月", "2月", "3月", "4月", "5月"], [Series("办结率", [0.9, 0.91, None, 0.93, 0.94])], title="走势")
    )

    lines = list(svg.iter("polyline"))
    assert [len(line.get("points", "").split()) for line in lines] == [2, 2]
    assert len(list(svg.iter("circle"))) == 4


def test_the_value_axis_starts_just_below_the_lowest_rate_at_a_round_percentage() -> None:
    svg = parse(line_chart(["第48周", "第49周"], [Series("承接率", [0.932, 0.951])], title="走势"))

    ticks = [t.text for t in svg.iter("text") if t.text and t.text.endswith("%")]
    assert ticks == ["92%", "94%", "96%", "98%", "100%"]


@pytest.mark.parametrize(
    ("values", "axis"),
    [
        ([0.932, 0.99], (0.92, 0.02)),
        ([0.5, 0.9], (0.4, 0.1)),
        ([0.0, 1.0], (0.0, 0.2)),
        ([1.0], (0.99, 0.01)),
        ([], (0.0, 0.2)),
    ],
)
def test_value_axis(values: list[float], axis: tuple[float, float]) -> None:
    assert value_axis(values) == pytest.approx(axis)


def test_only_eight_period_names_fit_under_the_axis_the_latest_always_among_them() -> None:
    weeks = [f"第{n}周" for n in range(30, 50)]

    svg = parse(line_chart(weeks, [Series("承接率", [0.95] * len(weeks))], title="走势"))

    shown = [t.text for t in svg.iter("text") if t.text and t.text.startswith("第")]
    assert len(shown) <= 8 and shown[-1] == "第49周"


def test_a_series_must_have_a_value_for_every_label() -> None:
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        bar_chart(UNITS, [Series("承接率", [0.9, 0.8])], title="x")


def test_percent() -> None:
    assert [percent(0.98249), percent(1.0), percent(None), percent(0.25, digits=0)] == ["98.2%", "100.0%", "—", "25%"]
