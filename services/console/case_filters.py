"""The case search's query string, read as `GET /v1/cases` reads it: the same names, so that any page may link to
`/search?unit=water&overdue=true` and the console asks the API just that. Pure functions.

Dates are the one thing the console adds: a form's date (`2026-12-01`) is a day in the city's time, `received_from`
from its start and `received_to` to its end (the API's `received_to` is "before": the next day's midnight). A full
RFC 3339 time is passed on as it is. The console checks what a form offers a choice of (statuses, channels, yes or
no, levels) and says which field is wrong in words the staff read; codes (units, townships, items) are the API's to
judge, whose 422 names the field too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from services.console.formats import CHANNEL_LABELS, LOCAL, STATUS_LABELS

# GET /v1/cases' filters (services/intake/case_search.py), as the search page's form and links name them.
FILTER_NAMES = (
    "status",
    "unit",
    "handling_unit",
    "first_contact_unit",
    "township",
    "place",
    "item",
    "channel",
    "overdue",
    "escalation_level",
    "escalation_level_min",
    "extension_pending",
    "received_from",
    "received_to",
    "q",
)
PAGE_NAMES = ("sort", "limit", "cursor")
SORTS = {"-received_at": "最新受理在前", "received_at": "最早受理在前"}
TOP_LEVEL = 3
MAX_LIMIT = 200

LABELS = {
    "status": "状态",
    "unit": "涉及单位",
    "handling_unit": "承办单位",
    "first_contact_unit": "首接单位",
    "township": "乡镇",
    "place": "地点（网格编码）",
    "item": "清单事项",
    "channel": "来源渠道",
    "overdue": "是否超时",
    "escalation_level": "升级层级",
    "escalation_level_min": "升级层级（不低于）",
    "extension_pending": "延期待审批",
    "received_from": "受理日期（起）",
    "received_to": "受理日期（止，含当日）",
    "q": "关键词",
    "sort": "排序",
    "limit": "每页条数",
    "cursor": "翻页位置",
}


class FilterError(ValueError):
    """A filter the API would not take: the field's label, and why."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"{LABELS.get(name, name)}：{why}")
        self.name = name


@dataclass(frozen=True)
class Search:
    """A search as the query string gave it: the API's parameters, and what the form shows again."""

    params: dict[str, Any] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    statuses: tuple[str, ...] = ()


def read_search(query: Mapping[str, str], statuses: Sequence[str]) -> Search:
    """The API's parameters from the search page's query string (`statuses`: every `status` given); FilterError
    names the first field that is wrong. Blank fields are no filter."""
    given = {name: (query.get(name) or "").strip() for name in (*FILTER_NAMES, *PAGE_NAMES) if name != "status"}
    chosen = tuple(dict.fromkeys(s.strip() for s in statuses if s.strip()))
    params: dict[str, Any] = {}
    for status in chosen:
        if status not in STATUS_LABELS:
            raise FilterError("status", f"没有“{status}”这个状态")
    if chosen:
        params["status"] = list(chosen)
    for name, value in given.items():
        if value:
            params[name] = _checked(name, value)
    form = {name: value for name, value in given.items() if value and name != "cursor"}
    for name in ("received_from", "received_to"):
        if name in form:
            form[name] = form_date(name, form[name])
    return Search(params=params, form=form, statuses=chosen)


def _checked(name: str, value: str) -> Any:
    if name in ("overdue", "extension_pending"):
        if value not in ("true", "false"):
            raise FilterError(name, "应为“是”或“否”")
        return value
    if name == "channel" and value not in CHANNEL_LABELS:
        raise FilterError(name, f"没有“{value}”这个渠道")
    if name in ("escalation_level", "escalation_level_min"):
        return _whole(name, value, 0, TOP_LEVEL)
    if name == "limit":
        return _whole(name, value, 1, MAX_LIMIT)
    if name == "sort" and value not in SORTS:
        raise FilterError(name, "应为最新或最早受理在前")
    if name in ("received_from", "received_to"):
        return api_time(name, value)
    return value


def _whole(name: str, value: str, least: int, most: int) -> int:
    if not value.isdigit() or not least <= int(value) <= most:
        raise FilterError(name, f"应为{least}到{most}的整数")
    return int(value)


def api_time(name: str, value: str) -> str:
    """A date (the city's day: from its start, or to its end for `received_to`), a local time without an offset,
    or an RFC 3339 time, as the API's RFC 3339 time."""
    try:
        if len(value) == len("2026-12-01"):
            day = date.fromisoformat(value)
            if name == "received_to":
                day += timedelta(days=1)
            return datetime.combine(day, time(), LOCAL).isoformat()
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise FilterError(name, "应为日期，如 2026-12-01") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.isoformat()


def form_date(name: str, value: str) -> str:
    """What a date field shows for a value of the query string: the day it names in the city's time (for
    `received_to`, the last day it includes)."""
    if len(value) == len("2026-12-01"):
        return value
    moment = datetime.fromisoformat(api_time(name, value)).astimezone(LOCAL)
    if name == "received_to":
        moment -= timedelta(microseconds=1)
    return moment.date().isoformat()


def query_pairs(query: Sequence[tuple[str, str]], **changes: str | None) -> list[tuple[str, str]]:
    """The query string's pairs with some names set anew (None: dropped), blanks left out: for a page's links."""
    kept = [(name, value) for name, value in query if name not in changes and value.strip()]
    return kept + [(name, value) for name, value in changes.items() if value]
