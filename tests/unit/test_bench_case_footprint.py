"""The footprint benchmark's arithmetic: which types grew, per case."""

from __future__ import annotations

import gc
import sys
from collections import Counter

import pytest

from bench.case_footprint import frozen_heap, main, per_case, type_census


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


def test_the_heap_is_thawed_even_when_the_measurement_fails() -> None:
    with pytest.raises(RuntimeError, match="stopped"), frozen_heap():
        assert gc.get_freeze_count() > 0
        raise RuntimeError("stopped half way")

    assert gc.get_freeze_count() == 0


def test_the_case_count_must_be_positive(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["case_footprint", "--cases", "0"])

    with pytest.raises(SystemExit) as refused:
        main()

    assert refused.value.code == 2
    assert "--cases must be at least 1, not 0" in capsys.readouterr().err
