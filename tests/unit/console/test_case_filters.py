"""The search page's query string as the API's parameters: the same names, the city's days as RFC 3339 times, and
an error naming the field in the staff's words."""

from __future__ import annotations

from typing import Any

import pytest

from services.console.case_filters import FilterError, form_date, query_pairs, read_search


@pytest.mark.parametrize(
    ("query", "statuses", "params"),
    [
        pytest.param({}, [], {}, id="nothing: every case"),
        pytest.param({"q": "  停水 ", "unit": ""}, [], {"q": "停水"}, id="blanks are no filter"),
        pytest.param(
            {"unit": "water", "overdue": "true"}, [], {"unit": "water", "overdue": "true"}, id="a dashboard's link"
        ),
        pytest.param({}, ["triage", "rework", "triage"], {"status": ["triage", "rework"]}, id="statuses, once each"),
        pytest.param(
            {"escalation_level_min": "1", "limit": "200", "sort": "received_at"},
            [],
            {"escalation_level_min": 1, "limit": 200, "sort": "received_at"},
            id="numbers and order",
        ),
        pytest.param(
            {"received_from": "2026-12-01", "received_to": "2026-12-07"},
            [],
            {"received_from": "2026-12-01T00:00:00+08:00", "received_to": "2026-12-08T00:00:00+08:00"},
            id="days in Shanghai, the last one included",
        ),
        pytest.param(
            {"received_from": "2026-12-01T00:00:00Z", "received_to": "2026-12-01T09:30"},
            [],
            {"received_from": "2026-12-01T00:00:00+00:00", "received_to": "2026-12-01T09:30:00+08:00"},
            id="times: with their offset, else the city's",
        ),
        pytest.param(
            {"cursor": "abc", "extension_pending": "true"}, [], {"cursor": "abc", "extension_pending": "true"}
        ),
        pytest.param(
            {"place": " sample-district.hekou-town.lijiawan.g01 "},
            [],
            {"place": "sample-district.hekou-town.lijiawan.g01"},
            id="a grid on the map: its place",
        ),
    ],
)
def test_the_query_string_becomes_the_apis_parameters(
    query: dict[str, str], statuses: list[str], params: dict[str, Any]
) -> None:
    assert read_search(query, statuses).params == params


@pytest.mark.parametrize(
    ("query", "statuses", "named"),
    [
        ({}, ["lost"], "状态：没有“lost”这个状态"),
        ({"channel": "fax"}, [], "来源渠道："),
        ({"overdue": "perhaps"}, [], "是否超时：应为“是”或“否”"),
        ({"escalation_level_min": "4"}, [], "升级层级（不低于）：应为0到3的整数"),
        ({"escalation_level": "-1"}, [], "升级层级：应为0到3的整数"),
        ({"limit": "0"}, [], "每页条数：应为1到200的整数"),
        ({"sort": "title"}, [], "排序："),
        ({"received_from": "yesterday"}, [], "受理日期（起）：应为日期"),
        ({"received_to": "2026-13-01"}, [], "受理日期（止，含当日）：应为日期"),
    ],
)
def test_a_bad_filter_is_named_in_words(query: dict[str, str], statuses: list[str], named: str) -> None:
    with pytest.raises(FilterError) as refused:
        read_search(query, statuses)
    assert str(refused.value).startswith(named)


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("received_from", "2026-12-01", "2026-12-01"),
        ("received_from", "2026-11-30T16:00:00Z", "2026-12-01"),  # midnight in Shanghai
        ("received_to", "2026-12-08T00:00:00+08:00", "2026-12-07"),  # "before the 8th": up to the 7th
        ("received_to", "2026-12-08T10:00:00+08:00", "2026-12-08"),
    ],
)
def test_a_date_field_shows_the_day_a_value_names(name: str, value: str, shown: str) -> None:
    assert form_date(name, value) == shown


def test_the_form_shows_the_values_again_without_the_cursor() -> None:
    search = read_search({"q": "停水", "received_to": "2026-12-08T00:00:00+08:00", "cursor": "x"}, ["triage"])
    assert search.form == {"q": "停水", "received_to": "2026-12-07"}
    assert search.statuses == ("triage",)


def test_links_keep_the_query_and_set_the_cursor_anew() -> None:
    pairs = [("status", "triage"), ("status", "rework"), ("q", ""), ("cursor", "old")]
    assert query_pairs(pairs, cursor="new") == [("status", "triage"), ("status", "rework"), ("cursor", "new")]
    assert query_pairs(pairs, cursor=None) == [("status", "triage"), ("status", "rework")]
