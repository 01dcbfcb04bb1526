"""deploy/: every process with a Temporal client serves the SDK's metrics on the port its pod declares, and
Prometheus scrapes that port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from services.contracts.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
TEMPORAL_CLIENTS = ("intake", "workflows", "assessment")
PORT_NAME = "sdk-metrics"


def container(service: str) -> dict[str, Any]:
    documents = yaml.safe_load_all((K8S / f"{service}.yaml").read_text(encoding="utf-8"))
    deployment = next(d for d in documents if d and d["kind"] == "Deployment")
    found: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
    return found


@pytest.mark.parametrize("service", TEMPORAL_CLIENTS)
def test_the_pod_declares_the_port_the_settings_bind(service: str) -> None:
    env = {entry["name"]: entry["value"] for entry in container(service)["env"] if "value" in entry}
    address = env["HOTLINE_TEMPORAL_METRICS_ADDRESS"]
    assert ServiceSettings(temporal_metrics_address=address).temporal_metrics_address == address
    host, _, port = address.rpartition(":")
    assert host == "0.0.0.0", "reachable from Prometheus, outside the pod"
    assert {"name": PORT_NAME, "containerPort": int(port)} in container(service)["ports"]


def test_prometheus_scrapes_that_port_once() -> None:
    jobs = {
        job["job_name"]: job
        for job in yaml.safe_load((ROOT / "deploy/prometheus/scrape.yml").read_text())["scrape_configs"]
    }
    keep = jobs["temporal-sdk"]["relabel_configs"][0]
    assert keep["action"] == "keep" and keep["regex"].endswith(f";{PORT_NAME}")
    # The services' own job leaves that port out, or it would scrape the ops port a second time.
    assert any(
        rule.get("action") == "drop" and rule.get("regex") == PORT_NAME for rule in jobs["hotline"]["relabel_configs"]
    )
