"""Hotspots by place: a class of cases split by the grid its cases lie in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.contracts.case_classes import CaseClassView, ClassCase
from services.intake.hotspot_places import PlacedCase, split_by_place

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
G1, G2 = "d.donghu-street.donghu.g01", "d.donghu-street.hubin.g02"


def case(case_id: str) -> ClassCase:
    return ClassCase(
        case_id=case_id,
        title="共享单车乱停放",
        status="assigned",
        catalog_item="LE-04",
        township="donghu-street",
        handling_unit="urban-management",
        received_at=None,
        closed=False,
    )


def view(shown: list[str]) -> CaseClassView:
    return CaseClassView(
        class_id="c1",
        kind="item_township",
        kind_name="同一事项同一镇街",
        catalog_item="LE-04",
        township="donghu-street",
        label="东湖街道·共享单车乱停放",
        case_count=6,
        first_received_at=T0,
        last_received_at=T0 + timedelta(days=5),
        detected_at=T0 + timedelta(days=5),
        case_ids=shown,
        active=True,
        active_until=T0 + timedelta(days=12),
        cases=[case(case_id) for case_id in shown],
    )


CASES = ["a", "b", "c", "d", "e", "f"]
PLACED = {
    "a": PlacedCase(G2, T0),
    "b": PlacedCase(G1, T0 + timedelta(days=1)),
    "c": PlacedCase(G1, T0 + timedelta(days=2)),
    "d": PlacedCase(G1, T0 + timedelta(days=3)),
    "e": PlacedCase(G2, T0 + timedelta(days=4)),
    "f": PlacedCase(None, T0 + timedelta(days=5)),
}


def test_one_part_per_grid_most_cases_first_and_the_unplaced_last() -> None:
    parts = split_by_place(view(CASES), CASES, PLACED, scoped=False)
    assert [(p.place, p.case_count, p.case_ids) for p in parts] == [
        (G1, 3, ["b", "c", "d"]),
        (G2, 2, ["a", "e"]),
        (None, 1, ["f"]),
    ]
    assert [case.case_id for case in parts[1].cases] == ["a", "e"]
    assert (parts[0].first_received_at, parts[0].last_received_at) == (T0 + timedelta(days=1), T0 + timedelta(days=3))
    assert {p.class_id for p in parts} == {"c1"}


def test_a_unit_gets_the_parts_it_has_a_case_in_counted_whole() -> None:
    parts = split_by_place(view(["e"]), CASES, PLACED, scoped=True)
    assert [(p.place, p.case_count, p.case_ids) for p in parts] == [(G2, 2, ["e"])]


def test_a_case_missing_from_the_records_counts_as_unplaced() -> None:
    parts = split_by_place(view(["a"]), ["a", "z"], {"a": PLACED["a"]}, scoped=False)
    assert [(p.place, p.case_count) for p in parts] == [(G2, 1), (None, 1)]
    assert parts[1].first_received_at == T0  # no time of its own: the class's
