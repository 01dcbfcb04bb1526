"""The cases of classes counted once each where the parts list them all, by their counts where they do not."""

from __future__ import annotations

from typing import Any

import pytest

from services.console.case_tally import CaseTally


@pytest.mark.parametrize(
    ("parts", "cases"),
    [
        pytest.param([], 0, id="nothing"),
        pytest.param([{"case_count": 3}, {"case_count": 2}], 5, id="counts only: added"),
        pytest.param(
            [
                {"case_count": 5, "case_ids": ["a", "b", "c", "d", "e"]},  # the township's class
                {"case_count": 3, "case_ids": ["c", "d", "e"]},  # the grid's, of the same reports
            ],
            5,
            id="a case in two classes: once",
        ),
        pytest.param(
            [{"case_count": 4, "case_ids": ["a"]}, {"case_count": 2, "case_ids": ["a", "b"]}],
            6,
            id="a unit's partial list: its count, the other's ids",
        ),
    ],
)
def test_each_case_counts_once_where_it_is_known(parts: list[dict[str, Any]], cases: int) -> None:
    tally = CaseTally()
    for part in parts:
        tally.add(part)
    assert tally.cases == cases
