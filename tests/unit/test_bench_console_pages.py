"""The console part's verdicts: judged at 1 M records only, a page not built said so rather than measured."""

from __future__ import annotations

from typing import Any

from bench.__main__ import targets
from bench.console_pages import NOT_BUILT, PAGES, pages_table


def results(cases: int) -> dict[str, Any]:
    pages = {
        "queue (unit clerk)": {
            "path": "/queue",
            "role": "water",
            "count": 30,
            "p50_ms": 40.0,
            "p95_ms": 90.0,
            "max_ms": 99.0,
        },
        "case (unit clerk)": {
            "path": "/cases/{case_id}",
            "role": "water",
            "count": 30,
            "p50_ms": 90,
            "p95_ms": 151,
            "max_ms": 160,
        },
        "dashboard (leader)": {"path": "/dashboard", "result": NOT_BUILT},
    }
    return {"console_pages": {"cases": cases, "pages": pages}}


def console_rows(found: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    return {t["target"]: (t["figure"], t["result"]) for t in targets(found) if t["target"].startswith("console ")}


def test_each_page_is_judged_against_150_ms_at_a_million_records() -> None:
    assert console_rows(results(1_000_000)) == {
        "console queue (unit clerk) p95 < 150 ms at 1 M records": (90.0, "met"),
        "console case (unit clerk) p95 < 150 ms at 1 M records": (151, "MISSED"),
        "console dashboard (leader) p95 < 150 ms at 1 M records": (NOT_BUILT, NOT_BUILT),
    }


def test_the_dashboards_first_paint_is_judged_by_its_slowest() -> None:
    found = results(1_000_000)
    found["console_pages"]["first_paint"] = {"count": 5, "p50_ms": 400.0, "p95_ms": 980.0, "max_ms": 1010.0}
    verdicts = {t["target"]: (t["figure"], t["result"]) for t in targets(found)}
    assert verdicts["dashboard's first paint in Chromium < 1000 ms at 1 M records (max)"] == (1010.0, "MISSED")


def test_a_smaller_city_is_not_judged() -> None:
    rows = console_rows(results(20_000))
    assert rows["console queue (unit clerk) p95 < 150 ms at 1 M records"] == (None, "not measured")
    assert rows["console dashboard (leader) p95 < 150 ms at 1 M records"] == (NOT_BUILT, NOT_BUILT)


def test_a_failed_part_is_failed_for_every_page() -> None:
    found = results(1_000_000) | {"failed_parts": {"console": "RuntimeError()"}}
    assert {result for _, result in console_rows(found).values()} <= {"FAILED: console", NOT_BUILT}


def test_the_table_shows_not_built_pages_without_figures() -> None:
    shown = pages_table(results(1_000_000)["console_pages"]["pages"])
    assert "dashboard (leader)  /dashboard        not built" in shown
    assert "90.0" in shown


def test_every_role_a_page_names_is_a_development_client() -> None:
    from services.devstack.dev_credentials import clients

    assert {page.role for page in PAGES} <= set(clients())
