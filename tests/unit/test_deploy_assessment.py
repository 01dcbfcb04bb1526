"""The assessment service's manifest, checked against the settings and the ops server it deploys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from services.assessment.settings import AssessmentSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def deployment() -> dict[str, Any]:
    documents = [doc for doc in yaml.safe_load_all((K8S / "assessment.yaml").read_text(encoding="utf-8")) if doc]
    (found,) = [doc for doc in documents if doc["kind"] == "Deployment"]
    return found


def container() -> dict[str, Any]:
    (main,) = deployment()["spec"]["template"]["spec"]["containers"]
    return main


def env() -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container().get("env", [])}


def test_kustomization_deploys_it() -> None:
    resources = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))["resources"]
    assert "assessment.yaml" in resources
    assert container()["command"] == ["python", "-m", "services.assessment"]


def test_environment_variables_are_ones_the_settings_read() -> None:
    prefix = AssessmentSettings.model_config["env_prefix"]
    names = {f"{prefix}{field}".upper() for field in AssessmentSettings.model_fields}
    assert {name for name in env() if name.startswith(prefix)} <= names


def test_the_probes_and_the_scrape_annotations_use_the_ops_port() -> None:
    port = int(env()["HOTLINE_ASSESSMENT_OPS_PORT"]["value"])
    assert port == AssessmentSettings.model_fields["ops_port"].default
    assert container()["ports"][0] == {"name": "ops", "containerPort": port}
    annotations = deployment()["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(port)
    ops_server = (ROOT / "services" / "engines" / "ops_server.py").read_text(encoding="utf-8")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert f'"{container()[probe]["httpGet"]["path"]}"' in ops_server


def test_the_database_url_is_the_records_database_with_its_driver() -> None:
    url = env()["HOTLINE_ASSESSMENT_DATABASE_URL"]["value"]
    assert url.startswith("postgresql+asyncpg://") and url.endswith("@hotline-records-rw:5432/records")
