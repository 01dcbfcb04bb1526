"""`make bench`'s bookkeeping: each part's result saved as soon as it is done, a failed part recorded as failed
without losing the parts before it, and the targets table saying which failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import ResultsFile, engine_limit_around_end_to_end, measure_part, targets


async def returns(value: Any) -> Any:
    return value


async def fails(message: str) -> Any:
    raise RuntimeError(message)


def host_slowing_down(*speeds: float) -> Any:
    """A yardstick that reads `speeds` in turn: the host getting slower through the run."""
    readings = iter(speeds)
    return lambda: next(readings)


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["target"]: row for row in rows}


async def test_a_part_that_fails_is_recorded_and_the_parts_before_it_are_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results_file = ResultsFile(tmp_path)
    results: dict[str, Any] = {"machine": {"cores": 2}}
    open_point = {"open_cases": 100_000, "worker_rss_mib": 208.0}

    yardstick = host_slowing_down(0.21, 0.25, 0.26, 0.31)
    await measure_part(results, "open", returns([open_point]), results_file, yardstick=yardstick)
    saved_after_open = json.loads(results_file.path.read_text(encoding="utf-8"))
    await measure_part(
        results, "month", fails("test server did not start within 5s"), results_file, yardstick=yardstick
    )
    saved = json.loads(results_file.path.read_text(encoding="utf-8"))

    assert saved_after_open["open_cases"] == [open_point]
    assert saved["open_cases"] == [open_point], "the part before the failure is kept"
    assert saved["failed_parts"] == {"month": "RuntimeError('test server did not start within 5s')"}
    assert "simulated_month" not in saved
    assert json.loads((tmp_path / "latest.json").read_text(encoding="utf-8")) == saved
    assert saved["host_yardstick_seconds"]["by_part"] == {
        "open": {"before": 0.21, "after": 0.25},
        "month": {"before": 0.26, "after": 0.31},
    }, "the host's speed around each part, the failed one too"
    rows = by_name(saved["targets"])
    assert rows["simulated month of 10 k cases < 5 min"]["result"] == "FAILED: month"
    assert rows["100 k open cases"]["result"] == "met"
    assert rows["worker RSS < 2 GiB"] == {"target": "worker RSS < 2 GiB", "figure": 208.0, "result": "met"}
    printed = capsys.readouterr()
    assert "RuntimeError: test server did not start within 5s" in printed.err, "the traceback is printed"
    assert f"results so far: {results_file.path}" in printed.out


def test_a_target_reads_failed_when_either_part_it_needs_failed() -> None:
    results: dict[str, Any] = {
        "engine_limit": {"sustained_rate": 37.9},
        "failed_parts": {"e2e": "TimeoutError()"},
    }

    rows = by_name(targets(results))

    assert rows["end to end ≥ 80% of the engine limit"]["result"] == "FAILED: e2e"
    assert rows["POST p99 < 25 ms at half the sustained rate"] == {
        "target": "POST p99 < 25 ms at half the sustained rate",
        "figure": None,
        "result": "FAILED: e2e",
    }
    assert rows["100 k open cases"]["result"] == "not measured", "a part not run is not a failed one"


def test_the_targets_are_judged_from_the_figures() -> None:
    results: dict[str, Any] = {
        "engine_limit": {"sustained_rate": 37.9},
        "end_to_end": {
            "sustained_rate": 30.3,
            "at_half_rate": {
                "latencies": {"post": {"p99_ms": 13.3}, "call_to_webhook_delivered": {"p99_ms": 1184.3}},
            },
            "records_projection": {"published_to_row_visible": {"p99_ms": 412.0}},
        },
        "simulated_month": {"cases": 10_000, "wall_seconds": 254.5},
    }

    rows = by_name(targets(results))

    assert rows["end to end ≥ 80% of the engine limit"]["figure"] == 0.799
    assert rows["end to end ≥ 80% of the engine limit"]["result"] == "MISSED"
    assert rows["POST p99 < 25 ms at half the sustained rate"]["result"] == "met"
    assert rows["call→webhook p99 < 1 s at half the sustained rate"]["result"] == "MISSED"
    assert rows["simulated month of 10 k cases < 5 min"]["result"] == "met"
    lag = rows["records' projection lag p99 < 1 s at the engine limit's rate"]
    assert (lag["figure"], lag["result"]) == (412.0, "met")
    assert results["end_to_end"]["ratio_to_engine_limit"] == 0.799


def test_a_month_smaller_than_the_targets_says_nothing_of_it() -> None:
    rows = by_name(targets({"simulated_month": {"cases": 500, "wall_seconds": 12.0}}))

    assert rows["simulated month of 10 k cases < 5 min"]["result"] == "not measured"


def test_the_ratio_compares_with_the_engine_limit_measured_before_and_after_the_end_to_end() -> None:
    # F4's shape: the engine measured on a fast host, the end to end after the host had slowed.
    results: dict[str, Any] = {
        "engine_limit": {"sustained_rate": 41.7},
        "end_to_end": {"sustained_rate": 25.2},
        "engine_limit_after_end_to_end": {"sustained_rate": 30.3},
    }

    rows = by_name(targets(results))

    assert engine_limit_around_end_to_end(results) == 36.0
    assert rows["end to end ≥ 80% of the engine limit"]["figure"] == 0.7
    assert results["end_to_end"]["engine_limit_compared"] == 36.0


def test_without_a_second_engine_limit_the_ratio_uses_the_one_measured() -> None:
    measured_once = {"engine_limit": {"sustained_rate": 37.9}}
    second_failed = {"engine_limit": {"sustained_rate": 37.9}, "engine_limit_after_end_to_end": None}

    assert engine_limit_around_end_to_end(measured_once) == 37.9
    assert engine_limit_around_end_to_end(second_failed) == 37.9
    assert engine_limit_around_end_to_end({"end_to_end": {"sustained_rate": 25.2}}) is None
