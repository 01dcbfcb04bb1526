"""The filters of `GET /v1/cases` as a query string reads them: what each means in SQL, and a 422 naming the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Query
from sqlalchemy import ColumnElement
from sqlalchemy.dialects import postgresql

from services.contracts.credentials import ClientKind, Principal
from services.intake.auth import Forbidden
from services.intake.case_export import CaseExport
from services.intake.case_search import CaseSearch, matching, visible_to
from services.intake.error_handlers import install_error_handlers
from tests.support.case_events import KEYRING


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/search")
    async def search(search: Annotated[CaseSearch, Query()]) -> dict[str, Any]:
        return search.model_dump(mode="json", exclude_defaults=True)

    @app.get("/export")
    async def export(export: Annotated[CaseExport, Query()]) -> dict[str, Any]:
        return export.model_dump(mode="json", exclude_defaults=True)

    return app


async def _get(path: str, query: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(f"{path}?{query}")


@pytest.mark.parametrize(
    ("query", "parsed"),
    [
        pytest.param("", {}, id="no filter"),
        pytest.param(
            "status=rework&status=assigned&status=rework",
            {"status": ["assigned", "rework"]},
            id="statuses, one spelling",
        ),
        pytest.param(
            "handling_unit=water&township=hekou-town&item=LS-06&channel=12345",
            {"handling_unit": "water", "township": "hekou-town", "item": "LS-06", "channel": "12345"},
            id="codes",
        ),
        pytest.param("overdue=true&escalation_level_min=2", {"overdue": True, "escalation_level_min": 2}, id="flags"),
        pytest.param(
            "received_from=2026-12-01T00:00:00%2B08:00&received_to=2026-12-08T00:00:00Z",
            {"received_from": "2026-12-01T00:00:00+08:00", "received_to": "2026-12-08T00:00:00Z"},
            id="a window (RFC 3339)",
        ),
        pytest.param("extension_pending=true", {"extension_pending": True}, id="awaiting an extension decision"),
        pytest.param(
            "place=sample-district.hekou-town.lijiawan.g01",
            {"place": "sample-district.hekou-town.lijiawan.g01"},
            id="a grid",
        ),
        pytest.param(
            "place=sample-district.hekou-town", {"place": "sample-district.hekou-town"}, id="a township's place"
        ),
        pytest.param("q=小区 停水", {"q": "小区 停水"}, id="text"),
        pytest.param("sort=received_at&limit=200", {"sort": "received_at", "limit": 200}, id="oldest first, a page"),
    ],
)
async def test_the_filters_are_read_from_the_query_string(query: str, parsed: dict[str, Any]) -> None:
    response = await _get("/search", query)

    assert response.status_code == 200, response.text
    assert response.json() == parsed


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/search", "status=lost", "status"),
        ("/search", "handling_unit=Water Works", "handling_unit"),
        ("/search", "unit=x'%20OR%201=1", "unit"),
        ("/search", "item=LS 06", "item"),
        ("/search", "place=Sample District/3", "place"),
        ("/search", "place=sample-district.hekou-town.", "place"),  # no code after the dot
        ("/search", "place=a.b.c.d.e", "place"),  # a grid is the finest of four levels
        ("/search", "place=sample-district.hekou-town.%25", "place"),  # no LIKE wildcards
        ("/export", "place=sample-district..g01", "place"),
        ("/search", "channel=fax", "channel"),
        ("/search", "overdue=perhaps", "overdue"),
        ("/search", "escalation_level=4", "escalation_level"),
        ("/search", "extension_pending=soon", "extension_pending"),
        ("/search", "escalation_level_min=-1", "escalation_level_min"),
        ("/search", "received_from=2026-12-01T00:00:00", "received_from"),  # no zone: whose midnight?
        ("/search", "received_to=yesterday", "received_to"),
        ("/search", "q=%E3%80%82%EF%BC%81", "q"),  # 。！: nothing to search for
        ("/search", "q=" + "停水" * 60, "q"),
        ("/search", "limit=0", "limit"),
        ("/search", "limit=201", "limit"),
        ("/search", "sort=title", "sort"),
        ("/search", "handling=water", "handling"),  # a misspelt filter is refused, not ignored
        ("/export", "format=pdf", "format"),
        ("/export", "personal=maybe", "personal"),
        ("/export", "limit=10", "limit"),  # an export has no pages
    ],
)
async def test_a_bad_filter_is_a_422_naming_it(path: str, query: str, field: str) -> None:
    response = await _get(path, query)

    assert response.status_code == 422, response.text
    assert [issue["loc"][:2] for issue in response.json()["detail"]] == [["query", field]]


async def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    response = await _get("/search", "received_from=2026-12-08T00:00:00Z&received_to=2026-12-01T00:00:00Z")

    assert response.status_code == 422
    assert "received_to must be later than received_from" in response.json()["detail"][0]["msg"]


def _sql(condition: ColumnElement[bool]) -> str:
    """The condition's SQL, without the casts of its parameters and its parentheses."""
    compiled = re.sub(r"%\((\w+)\)s", r":\1", str(condition.compile(dialect=postgresql.dialect())))
    return re.sub(r"::(TIMESTAMP WITH TIME ZONE|[A-Z]+)(\(\d+\))?(\[\])?|[()]", "", compiled)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": ["assigned", "rework"]}, ["case_records.status IN __[POSTCOMPILE_status_1]"]),
        ({"handling_unit": "water"}, ["case_records.handling_unit = :handling_unit_1"]),
        ({"item": "LS-06"}, ["case_records.catalog_item = :catalog_item_1"]),
        ({"unit": "water"}, ["case_records.units @> :units_1"]),
        # The place and the range of the codes under it, which the place's index (byte order) answers.
        (
            {"place": "sample-district.hekou-town"},
            [
                'case_records.place = :place_1 COLLATE "C" OR case_records.place >= :place_2 COLLATE "C" '
                'AND case_records.place < :place_3 COLLATE "C"'
            ],
        ),
        ({"overdue": False}, ["case_records.overdue = false"]),
        # Spelled as the partial index's condition (tables.EXTENSION_PENDING), not with a parameter.
        ({"extension_pending": True}, ["""view -> 'extensions' @> '[{"status": "pending"}]'::jsonb"""]),
        ({"extension_pending": False}, ["""view -> 'extensions' @> '[{"status": "pending"}]'::jsonb IS NOT true"""]),
        (
            {"escalation_level_min": 1, "received_from": datetime(2026, 1, 1, tzinfo=UTC)},
            ["case_records.escalation_level >= :escalation_level_1", "case_records.received_at >= :received_at_1"],
        ),
        (
            {"q": "停水"},
            [
                "case_records.case_id IN SELECT case_search.case_id \nFROM case_search \n"
                "WHERE case_search.key_id = :key_id_1 AND case_search.tokens @> :tokens_1"
            ],
        ),
    ],
)
def test_each_filter_is_one_condition(filters: dict[str, Any], expected: list[str]) -> None:
    assert [_sql(condition) for condition in matching(CaseSearch(**filters), KEYRING)] == expected


@pytest.mark.parametrize(
    ("place", "within", "outside"),
    [
        # A township's place: itself, its communities and grids; not a township whose code it begins.
        (
            "sample-district.hekou-town",
            ["sample-district.hekou-town", "sample-district.hekou-town.lijiawan.g01"],
            ["sample-district.hekou-town-east.g01", "sample-district.hekou", "sample-district"],
        ),
        (
            "sample-district.hekou-town.lijiawan.g01",
            ["sample-district.hekou-town.lijiawan.g01"],
            ["sample-district.hekou-town.lijiawan.g010", "sample-district.hekou-town.lijiawan"],
        ),
        ("hekou-town", [], ["sample-district.hekou-town.lijiawan.g01"]),  # a unit code alone is not a place's
    ],
)
def test_a_place_holds_itself_and_the_places_under_it(place: str, within: list[str], outside: list[str]) -> None:
    (condition,) = matching(CaseSearch(place=place), KEYRING)
    compiled = condition.compile(dialect=postgresql.dialect())
    equal, lowest, beyond = (compiled.params[f"place_{n}"] for n in (1, 2, 3))

    def holds(code: str) -> bool:  # the condition, in byte order as the "C" column compares
        return code == equal or lowest <= code < beyond

    assert [code for code in within + outside if holds(code)] == within


def _principal(kind: ClientKind, subject: str) -> Principal:
    return Principal(client_id=f"{kind.value}-test", kind=kind, subject=subject, key_id="k")


@pytest.mark.parametrize(
    ("kind", "subject", "scope"),
    [
        (ClientKind.UNIT, "water", "case_records.units @> :units_1"),
        (
            ClientKind.PLATFORM,
            "12345",
            "case_records.channel = :channel_1 AND case_records.calling_unit IS NULL",
        ),
        (ClientKind.COORDINATION, "coordination-centre", "true"),
        (ClientKind.LEADER, "city-leader", "true"),
    ],
)
def test_each_kind_of_client_finds_its_own_cases(kind: ClientKind, subject: str, scope: str) -> None:
    assert _sql(visible_to(_principal(kind, subject))) == scope


@pytest.mark.parametrize("kind", [ClientKind.ADMIN, ClientKind.OPERATOR])
def test_admins_and_operators_find_no_cases(kind: ClientKind) -> None:
    with pytest.raises(Forbidden, match="may not search cases"):
        visible_to(_principal(kind, ""))
