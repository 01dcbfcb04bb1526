"""Which series the dashboards and the alert rules name, and which ones our code and the programs we deploy export:
the two sides of tests/unit/test_metric_names.py and tests/integration/test_temporal_sdk_metric_names.py."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator

import services

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"

# Series of programs we deploy but do not write, listed by name because no test runs them. Each entry must be used
# by a dashboard or an alert (the test says which are not), so the list stays what we depend on.
EXTERNAL = {
    # Prometheus itself: one `up` per scrape target (deploy/prometheus/scrape.yml).
    "up",
    # prometheus-nats-exporter as the NATS chart's sidecar runs it, `-jsz=all -prefix=nats`: its JetStream series
    # are `nats_server_*`, `nats_stream_*`, `nats_consumer_*` (collector/jsz.go: the prefix replaces the default
    # `jetstream`, as it replaces `gnatsd` in the server's `nats_varz_*`).
    "nats_server_jetstream_disabled",
    "nats_server_total_message_bytes",
    "nats_server_max_storage",
    "nats_consumer_num_pending",
    "nats_consumer_num_ack_pending",
    "nats_consumer_num_redelivered",
    "nats_consumer_delivered_stream_seq",
    # CloudNativePG's exporter in each instance of the records' PostgreSQL, and its Barman Cloud plugin.
    "cnpg_collector_up",
    "cnpg_collector_pg_wal",
    "cnpg_pg_replication_in_recovery",
    "cnpg_pg_replication_is_wal_receiver_up",
    "cnpg_pg_replication_lag",
    "cnpg_pg_stat_archiver_last_failed_time",
    "cnpg_pg_stat_archiver_last_archived_time",
    "cnpg_pg_database_size_bytes",
    "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp",
}

# The Temporal SDK's series: checked against a worker's scrape (tests/integration/test_temporal_sdk_metric_names.py).
TEMPORAL_SDK_PREFIX = "temporal_"

_WORD = re.compile(r"(?<![\w.:])[A-Za-z_:][A-Za-z0-9_:]*")
_NOT_NAMES = {"and", "or", "unless", "bool", "offset", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """The series names in a PromQL expression (not functions, keywords, labels, durations or variables)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values and function arguments in quotes
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries ($__rate_interval, 15m)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)  # label lists
    text = re.sub(r"\boffset\s+-?[\w$]+", " ", text)
    names = set()
    for match in _WORD.finditer(text):
        word = match.group()
        if word in _NOT_NAMES or text[match.end() :].lstrip().startswith("("):  # a function is called
            continue
        names.add(word)
    return names


def _targets(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield from panel.get("targets", [])
        yield from _targets(panel.get("panels", []))  # panels inside collapsed rows


def dashboard_exprs() -> dict[str, list[str]]:
    """Each dashboard file's PromQL expressions."""
    return {
        path.name: [target["expr"] for target in _targets(json.loads(path.read_text(encoding="utf-8"))["panels"])]
        for path in sorted(DASHBOARDS.glob("*.json"))
    }


def alert_exprs() -> dict[str, str]:
    """Each alert's PromQL expression."""
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    return {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}


def named() -> dict[str, set[str]]:
    """Every series name a dashboard or an alert uses, with where it is used."""
    uses: dict[str, set[str]] = {}
    for dashboard, exprs in dashboard_exprs().items():
        for expr in exprs:
            for name in metric_names(expr):
                uses.setdefault(name, set()).add(dashboard)
    for alert, expr in alert_exprs().items():
        for name in metric_names(expr):
            uses.setdefault(name, set()).add(alert)
    return uses


def _exposed(registry: CollectorRegistry) -> set[str]:
    """The names a registry's metrics are scraped under, whether or not a labelled one has a child yet."""
    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_count", "_sum", "_created"),
        "summary": ("", "_count", "_sum", "_created"),
        "info": ("_info",),
    }
    return {f"{family.name}{suffix}" for family in registry.collect() for suffix in suffixes.get(family.type, ("",))}


def exported_by_services() -> set[str]:
    """Every metric our code registers: each module of `services` imported, then prometheus_client's registry read."""
    for module in pkgutil.walk_packages(services.__path__, f"{services.__name__}."):
        if module.name.endswith(".__main__") or ".migrations" in module.name:
            continue  # a program's entry point, or alembic's scripts: they run when imported
        importlib.import_module(module.name)
    return _exposed(REGISTRY)


def exported_by_instrumentator() -> set[str]:
    """prometheus-fastapi-instrumentator's metrics as intake and the console instrument their apps."""
    registry = CollectorRegistry()
    app = FastAPI()

    @app.get("/probe")
    def probe() -> dict[str, str]:
        return {}

    Instrumentator(registry=registry, excluded_handlers=["/metrics", "/healthz"]).instrument(app)
    TestClient(app).get("/probe")  # the middleware makes its metrics when the app first serves
    return _exposed(registry)
