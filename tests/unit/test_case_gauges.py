"""The open and overdue gauges: set per unit, and a unit whose cases are all closed reads 0 rather than vanishing."""

from __future__ import annotations

from prometheus_client import REGISTRY

from services.records.case_gauges import publish


def gauge(name: str, unit: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"unit": unit})


def test_each_unit_gets_its_counts_and_a_unit_with_none_left_reads_zero() -> None:
    units = publish({"gauge-water": (7, 2), "gauge-transport": (3, 0)}, previous=set())
    assert (gauge("hotline_cases_open", "gauge-water"), gauge("hotline_cases_overdue", "gauge-water")) == (7, 2)

    units = publish({"gauge-transport": (4, 1)}, previous=units)

    assert units == {"gauge-water", "gauge-transport"}
    assert (gauge("hotline_cases_open", "gauge-water"), gauge("hotline_cases_overdue", "gauge-water")) == (0, 0)
    assert (gauge("hotline_cases_open", "gauge-transport"), gauge("hotline_cases_overdue", "gauge-transport")) == (4, 1)
    assert REGISTRY.get_sample_value("hotline_cases_counted_timestamp_seconds") > 0
