"""The projection lag's arithmetic: which event a message id names, percentiles, the records' histogram read."""

from __future__ import annotations

import math

from bench.projection_lag import event_key, histogram_figures, percentiles_ms


def test_a_case_event_s_message_id_names_its_case_and_sequence_and_no_other_id_does() -> None:
    case_id = "5d1c2a30-0000-4000-8000-000000000001"

    assert event_key(f"{case_id}:events:12") == (case_id, 12)
    assert event_key(f"{case_id}:assigned:water") is None
    assert event_key(":events:3") is None
    assert event_key("") is None


def test_percentiles_are_milliseconds_by_nearest_rank() -> None:
    shown = percentiles_ms([n / 1000 for n in range(1, 101)])

    assert shown == {"count": 100, "p50_ms": 50.0, "p95_ms": 95.0, "p99_ms": 99.0, "max_ms": 100.0}
    assert percentiles_ms([]) == {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}


def test_the_histogram_counts_only_the_window_and_puts_each_quantile_in_its_bucket() -> None:
    before = {0.1: 50.0, 0.5: 60.0, 1.0: 60.0, 2.5: 60.0, math.inf: 60.0}
    # 100 events in the window: 90 within 0.1 s, 8 more within 0.5 s, 1 within 2.5 s, 1 beyond.
    after = {0.1: 140.0, 0.5: 158.0, 1.0: 158.0, 2.5: 159.0, math.inf: 160.0}

    assert histogram_figures(before, after) == {
        "count": 100,
        "p50_at_most_s": 0.1,
        "p95_at_most_s": 0.5,
        "p99_at_most_s": 2.5,
        "within_1_s": 98,
    }
    assert histogram_figures(after, after)["p99_at_most_s"] is None
