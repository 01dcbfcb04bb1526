"""How the workers' Temporal SDK metrics are named, so the dashboard asks for the series that exist.

The Python SDK's Prometheus exporter (`temporalio.runtime.PrometheusConfig`) names its series by three flags. The
names below follow the flags in `PROMETHEUS_CONFIG`: durations in seconds with a `_seconds` unit suffix, counters
without `_total` (Temporal's own names: `temporal_request_failure`). The workers must export with the same flags;
tests/integration/test_metric_names.py runs a worker with them and scrapes the names the dashboards use.
"""

from __future__ import annotations

from typing import Final

PREFIX: Final = "temporal_"
# Keyword arguments of PrometheusConfig besides bind_address (the worker's Runtime must use the same).
PROMETHEUS_CONFIG: Final[dict[str, bool]] = {
    "counters_total_suffix": False,
    "unit_suffix": True,
    "durations_as_seconds": True,
}


def counter(name: str) -> str:
    """A counter's series name (`request_failure` → `temporal_request_failure`)."""
    return f"{PREFIX}{name}{'_total' if PROMETHEUS_CONFIG['counters_total_suffix'] else ''}"


def gauge(name: str) -> str:
    """A gauge's series name (`sticky_cache_size` → `temporal_sticky_cache_size`)."""
    return f"{PREFIX}{name}"


def duration_buckets(name: str) -> str:
    """A latency histogram's bucket series (`request_latency` → `temporal_request_latency_seconds_bucket`)."""
    unit = "_seconds" if PROMETHEUS_CONFIG["durations_as_seconds"] else "_milliseconds"
    return f"{PREFIX}{name}{unit if PROMETHEUS_CONFIG['unit_suffix'] else ''}_bucket"


def duration_unit() -> str:
    """The Grafana unit of those histograms' values."""
    return "s" if PROMETHEUS_CONFIG["durations_as_seconds"] else "ms"
