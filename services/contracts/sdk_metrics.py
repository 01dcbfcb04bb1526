"""How the Temporal SDK's own metrics are named: the flags of its Prometheus exporter, one place for the services
that export them (`services/engines/temporal.py`) and the dashboards that read them (`deploy/grafana`).

Prometheus conventions, as our own metrics: durations in seconds with a `_seconds` suffix, counters ending in
`_total` (`temporal_request_failure_total`).
"""

from __future__ import annotations

from typing import Final

SDK_METRIC_PREFIX: Final = "temporal_"
# Keyword arguments of `temporalio.runtime.PrometheusConfig` besides `bind_address`.
SDK_PROMETHEUS_FLAGS: Final[dict[str, bool]] = {
    "counters_total_suffix": True,
    "unit_suffix": True,
    "durations_as_seconds": True,
}
