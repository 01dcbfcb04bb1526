"""The footprint benchmark's arithmetic: which types grew, per case."""

from __future__ import annotations

from collections import Counter

from bench.case_footprint import per_case, type_census


class Window:
    pass


def test_the_census_counts_objects_by_module_and_type() -> None:
    census = type_census([Window(), Window(), [], {}, []])

    assert census == Counter({f"{__name__}.Window": 2, "builtins.list": 2, "builtins.dict": 1})


def test_per_case_lists_the_types_that_grew_most_divided_by_the_cases() -> None:
    before = Counter({"builtins.list": 100, "builtins.dict": 50, "builtins.set": 7})
    after = Counter({"builtins.list": 400, "builtins.dict": 50, "builtins.set": 5, "x.Window": 160})

    grown = per_case(before, after, cases=20, top=5)

    # unchanged and shrunken types are left out; the rest by how much they grew
    assert grown == [("builtins.list", 15.0), ("x.Window", 8.0)]
    assert per_case(before, after, cases=20, top=1) == [("builtins.list", 15.0)]
