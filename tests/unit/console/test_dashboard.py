"""The leaders' dashboard's figures from the API's answers: the period asked for, the trend, the ranking, the
townships' hotspots and the drill-down links."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from services.console.dashboard import (
    DashboardQuery,
    InputError,
    as_percent,
    change_points,
    dashboard_query,
    drill_down,
    ranked,
    township_hotspots,
    trend_anchors,
    trend_points,
)
from services.contracts.assessment_periods import CITY_TZ, Period, PeriodKind, period_containing, previous_period

WEEK = period_containing(PeriodKind.WEEK, datetime(2026, 12, 9, 10, tzinfo=CITY_TZ))  # 2026-12-07 to 12-14


def rate(numerator: float, denominator: float) -> dict[str, Any]:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "value": numerator / denominator if denominator else None,
    }


def line(group: str, name: str, **rates: tuple[float, float]) -> dict[str, Any]:
    return {"group": group, "name": name, "rates": {code: rate(*pair) for code, pair in rates.items()}}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), DashboardQuery(PeriodKind.WEEK, None, "unit")),
        (("month", "2026-11-03", "township"), DashboardQuery(PeriodKind.MONTH, date(2026, 11, 3), "township")),
        (("half_month", "", "domain"), DashboardQuery(PeriodKind.HALF_MONTH, None, "domain")),
    ],
)
def test_the_query_from_the_form(args: tuple[str, ...], expected: DashboardQuery) -> None:
    assert dashboard_query(*args) == expected


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("fortnight",), "period:"),
        (("custom",), "period:"),  # a custom from/to is the reports' business, not the selector's
        (("week", "2026-13-01"), "at:"),
        (("week", "yesterday"), "at:"),
        (("week", "1999-12-31"), "at:"),
        (("week", "", "street"), "group:"),
    ],
)
def test_a_query_it_cannot_use_names_the_field(args: tuple[str, ...], field: str) -> None:
    with pytest.raises(InputError, match=f"^{field}"):
        dashboard_query(*args)


def test_the_period_shown_is_the_one_the_day_falls_in() -> None:
    query = dashboard_query("week", "2026-12-09")
    assert query.current(datetime(2030, 1, 1, tzinfo=CITY_TZ)) == WEEK
    assert query.params() == {"period": "week", "group": "unit", "at": "2026-12-09"}
    assert dashboard_query("week").current(datetime(2026, 12, 13, 23, tzinfo=CITY_TZ)) == WEEK


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (6, [date(2026, 11, 23), date(2026, 11, 9)]),  # two and four weeks back: each table brings the week before
        (2, []),  # the current table and its previous rates are the whole trend
        (5, [date(2026, 11, 23), date(2026, 11, 9)]),
    ],
)
def test_every_second_period_is_asked_for_the_trend(count: int, expected: list[date]) -> None:
    assert trend_anchors(WEEK, count) == expected


def test_no_trend_period_before_the_apis_years() -> None:
    first = period_containing(PeriodKind.MONTH, datetime(2000, 2, 5, tzinfo=CITY_TZ))
    assert trend_anchors(first) == []


def rates_table(period: Period, now: dict[str, float | None], before: dict[str, float | None]) -> dict[str, Any]:
    return {
        "period": period.model_dump(mode="json"),
        "previous_period": previous_period(period).model_dump(mode="json"),
        "city": {
            "rates": {code: {"value": value} for code, value in now.items()},
            "previous_rates": before,
        },
    }


def test_the_trend_joins_each_tables_period_and_the_one_before_oldest_first() -> None:
    two_back = previous_period(previous_period(WEEK))
    tables = [
        rates_table(WEEK, {"acceptance": 0.9, "completion": 0.5, "satisfaction": None}, {"acceptance": 0.8}),
        rates_table(two_back, {"acceptance": 0.7, "completion": 0.25, "satisfaction": 1.0}, {}),
    ]
    points = trend_points(tables)
    assert [point["label"] for point in points] == ["第47周", "第48周", "第49周", "第50周"]
    assert points[-1]["rates"] == {"acceptance": 90.0, "completion": 50.0, "satisfaction": None}
    assert points[-2]["rates"] == {"acceptance": 80.0, "completion": None, "satisfaction": None}
    assert points[1]["rates"] == {"acceptance": 70.0, "completion": 25.0, "satisfaction": 100.0}


def test_ranked_best_first_without_those_that_have_no_value() -> None:
    lines = [
        line("water", "水务局", completion=(1, 2)),
        line("education", "教育局", completion=(0, 0)),  # nothing accepted: no value, no bar
        line("health", "卫健局", completion=(3, 3)),
        line("civil-affairs", "民政局", completion=(2, 4)),
    ]
    bars = ranked(lines, "completion", group="unit", period=WEEK)
    assert [(bar["code"], bar["value"]) for bar in bars] == [
        ("health", 100.0),
        ("civil-affairs", 50.0),
        ("water", 50.0),
    ]
    assert bars[0]["numerator"] == 3 and bars[0]["denominator"] == 3
    assert bars[0]["href"] is not None and bars[0]["href"].startswith("/search?unit=health&")


@pytest.mark.parametrize(
    ("group", "code", "field"),
    [("unit", "water", "unit"), ("township", "hekou-town", "township"), ("domain", "water", None)],
)
def test_drill_down_to_the_case_search(group: str, code: str, field: str | None) -> None:
    href = drill_down(group, code, WEEK)
    if field is None:
        assert href is None
        return
    assert href is not None
    parts = urlsplit(href)
    assert parts.path == "/search"
    assert parse_qs(parts.query) == {
        field: [code],
        "received_from": ["2026-12-07T00:00:00+08:00"],
        "received_to": ["2026-12-14T00:00:00+08:00"],
    }


def test_no_drill_down_for_cases_with_no_township() -> None:
    assert drill_down("township", "未归属", WEEK) is None


@pytest.mark.parametrize(
    "classes",
    [
        pytest.param(
            [
                {"township": "hekou-town", "case_count": 3},
                {"township": "qingshan-town", "case_count": 5},
                {"township": "hekou-town", "case_count": 4},
                {"township": None, "case_count": 2},
            ],
            id="classes as found",
        ),
        pytest.param(
            [
                {"class_id": "a", "township": "hekou-town", "place": "d.hekou-town.x.g01", "case_count": 2},
                {"class_id": "b", "township": "qingshan-town", "place": "d.qingshan-town.y.g01", "case_count": 5},
                {"class_id": "a", "township": "hekou-town", "place": None, "case_count": 1},
                {"class_id": "c", "township": "hekou-town", "place": "d.hekou-town.x.g01", "case_count": 4},
                {"class_id": "d", "township": None, "place": None, "case_count": 2},
            ],
            id="their parts by grid: a class counts once",
        ),
        pytest.param(
            [
                {"class_id": "a", "township": "hekou-town", "case_count": 5, "case_ids": ["1", "2", "3", "4", "5"]},
                {"class_id": "c", "township": "hekou-town", "case_count": 4, "case_ids": ["4", "5", "6", "7"]},
                {"class_id": "b", "township": "qingshan-town", "case_count": 5, "case_ids": list("abcde")},
                {"class_id": "d", "township": None, "case_count": 2, "case_ids": ["p", "q"]},
            ],
            id="a case in two classes (its grid's and its township's) counts once",
        ),
    ],
)
def test_hotspots_per_township_most_cases_first(classes: list[dict[str, Any]]) -> None:
    names = {"hekou-town": "河口镇", "qingshan-town": "青山镇"}
    assert township_hotspots(classes, names) == [
        {"code": "hekou-town", "name": "河口镇", "classes": 2, "cases": 7},
        {"code": "qingshan-town", "name": "青山镇", "classes": 1, "cases": 5},
        {"code": "未归属", "name": "未归属", "classes": 1, "cases": 2},
    ]


@pytest.mark.parametrize(
    ("change", "text"),
    [(None, "—"), (0.0, "持平"), (0.00049, "持平"), (0.025, "↑2.5"), (-0.004, "↓0.4"), (-0.1234, "↓12.3")],
)
def test_the_change_in_percentage_points(change: float | None, text: str) -> None:
    assert change_points(change) == text


@pytest.mark.parametrize(("value", "shown"), [(None, None), (0.0, 0.0), (0.8567, 85.7), (1.0, 100.0)])
def test_rates_as_percent_for_charts(value: float | None, shown: float | None) -> None:
    assert as_percent(value) == shown
