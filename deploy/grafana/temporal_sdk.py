"""How the workers' Temporal SDK metrics are named, so the dashboard asks for the series that exist.

The Python SDK's Prometheus exporter names its series by three flags; the services export with
`services/contracts/sdk_metrics.py`'s, and the names below follow the same. tests/integration/
test_temporal_sdk_metric_names.py runs a worker on the services' own runtime and scrapes the names the dashboards use.
"""

from __future__ import annotations

from typing import Final

from services.contracts.sdk_metrics import SDK_METRIC_PREFIX, SDK_PROMETHEUS_FLAGS

PREFIX: Final = SDK_METRIC_PREFIX
PROMETHEUS_CONFIG: Final = SDK_PROMETHEUS_FLAGS


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
