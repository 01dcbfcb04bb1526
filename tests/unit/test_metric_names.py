"""Every series a dashboard or an alert names is one something exports: our services (prometheus_client's registry
after importing them), intake's and the console's HTTP instrumentation, or the programs we deploy (a named list).
The Temporal SDK's series are checked against a running worker: tests/integration/test_temporal_sdk_metric_names.py.
"""

from __future__ import annotations

import pytest

from tests.support.metric_names import (
    EXTERNAL,
    TEMPORAL_SDK_PREFIX,
    dashboard_exprs,
    exported_by_instrumentator,
    exported_by_services,
    metric_names,
    named,
)


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        (
            "histogram_quantile(0.95, sum by (consumer, le) (rate(hotline_consumer_handle_seconds_bucket[10m]))) > 5",
            {"hotline_consumer_handle_seconds_bucket"},
        ),
        (
            'sum by (kind) (x_total unless x_total offset 15m) > 0 or absent(up{job="hotline", service="intake"})',
            {"x_total", "up"},
        ),
        ('(count(a{role="primary"} == 1) or vector(0)) == 0 and on() hour() < 14', {"a"}),
        ("time() - max(b) > 2 * 86400 and c / 1024^3 > 1e3", {"b", "c"}),
        ('sum(increase(d{kind=~"e|f"}[$__range])) * 60', {"d"}),
    ],
)
def test_the_names_of_an_expression_are_its_series_only(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_every_dashboard_has_queries() -> None:
    exprs = dashboard_exprs()
    assert len(exprs) >= 3
    assert all(exprs.values())


def test_every_series_named_is_exported() -> None:
    exported = exported_by_services() | exported_by_instrumentator() | EXTERNAL
    missing = {
        name: sorted(where)
        for name, where in named().items()
        if name not in exported and not name.startswith(TEMPORAL_SDK_PREFIX)
    }
    assert missing == {}, "named by a dashboard or an alert, exported by nothing"


def test_the_list_of_other_programs_series_holds_only_what_is_used() -> None:
    assert EXTERNAL - set(named()) == set()


def test_the_services_metrics_follow_prometheus_conventions() -> None:
    """Counters end in `_total` (prometheus_client adds it), durations in `_seconds` (STYLE.md, 9)."""
    ours = {name for name in exported_by_services() if name.startswith("hotline_")}
    assert ours
    for name in ours:
        assert not name.endswith("_total_total"), name
        if "latency" in name or "duration" in name or "time" in name.split("_"):
            assert "_seconds" in name, name
