"""The production manifests of the case records: the PostgreSQL cluster and its backups, the records Deployment, and
the Prometheus jobs and alerts, checked against each other and against the code they deploy."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.contracts.subjects import RECORDS_DURABLE
from services.records.settings import RecordsSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
POSTGRES = K8S / "postgres"
PROMETHEUS = DEPLOY / "prometheus"
SERVICES = ROOT / "services"

Manifest = dict[str, Any]


def documents(path: Path) -> list[Manifest]:
    """Every YAML document of a file, empty ones left out."""
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def one(path: Path, kind: str) -> Manifest:
    """The only object of a kind in a file."""
    found = [doc for doc in documents(path) if doc.get("kind") == kind]
    assert len(found) == 1, f"{path.name}: {len(found)} {kind} objects"
    return found[0]


def container(deployment: Manifest) -> Manifest:
    containers: list[Manifest] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def env(deployment: Manifest) -> dict[str, Manifest]:
    return {item["name"]: item for item in container(deployment).get("env", [])}


def cluster() -> Manifest:
    return one(POSTGRES / "cluster.yaml", "Cluster")


def records() -> Manifest:
    return one(K8S / "records.yaml", "Deployment")


def alert_rules() -> dict[str, Manifest]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"]}


def scrape_jobs() -> dict[str, Manifest]:
    config = yaml.safe_load((PROMETHEUS / "scrape.yml").read_text(encoding="utf-8"))
    return {job["job_name"]: job for job in config["scrape_configs"]}


def services_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in SERVICES.rglob("*.py"))


MANIFEST_FILES = sorted([*K8S.glob("*.yaml"), *POSTGRES.glob("*.yaml"), *PROMETHEUS.glob("*.yml")])


@pytest.mark.parametrize("path", MANIFEST_FILES, ids=lambda path: str(path.relative_to(DEPLOY)))
def test_every_manifest_parses(path: Path) -> None:
    assert documents(path), f"{path} holds no YAML document"


@pytest.mark.parametrize(
    ("kustomization", "resource"),
    [(K8S, "records.yaml"), (POSTGRES, "cluster.yaml"), (POSTGRES, "backups.yaml")],
)
def test_kustomizations_list_the_records_manifests(kustomization: Path, resource: str) -> None:
    listed = yaml.safe_load((kustomization / "kustomization.yaml").read_text(encoding="utf-8"))["resources"]
    assert resource in listed


def test_the_cluster_is_a_primary_and_two_replicas_with_a_synchronous_quorum() -> None:
    spec = cluster()["spec"]
    assert spec["instances"] == 3
    assert spec["postgresql"]["synchronous"] == {"method": "any", "number": 1, "dataDurability": "required"}
    assert spec["affinity"]["podAntiAffinityType"] == "required", "two instances on one node lose the quorum with it"
    assert re.fullmatch(r"ghcr\.io/cloudnative-pg/postgresql:18(\.\d+)?-(minimal|standard)-\w+", spec["imageName"])


def test_the_cluster_parameters_are_strings() -> None:
    """CloudNativePG accepts only strings: YAML's `on`, numbers and booleans must be quoted."""
    parameters: dict[str, object] = cluster()["spec"]["postgresql"]["parameters"]
    assert {name: value for name, value in parameters.items() if not isinstance(value, str)} == {}


def test_the_database_belongs_to_the_role_the_records_service_uses() -> None:
    initdb = cluster()["spec"]["bootstrap"]["initdb"]
    assert (initdb["database"], initdb["owner"]) == ("records", "records")


def test_wal_is_archived_to_an_object_store_with_a_30_day_window() -> None:
    archivers = [plugin for plugin in cluster()["spec"]["plugins"] if plugin.get("isWALArchiver")]
    assert len(archivers) == 1
    store = one(POSTGRES / "backups.yaml", "ObjectStore")
    assert archivers[0]["parameters"]["barmanObjectName"] == store["metadata"]["name"]
    assert store["spec"]["retentionPolicy"] == "30d"
    assert store["spec"]["configuration"]["destinationPath"].startswith("s3://")


def test_a_base_backup_is_scheduled_daily_through_the_plugin() -> None:
    scheduled = one(POSTGRES / "backups.yaml", "ScheduledBackup")["spec"]
    archiver = next(plugin for plugin in cluster()["spec"]["plugins"] if plugin.get("isWALArchiver"))
    assert scheduled["cluster"]["name"] == cluster()["metadata"]["name"]
    assert (scheduled["method"], scheduled["pluginConfiguration"]["name"]) == ("plugin", archiver["name"])
    seconds, minutes, hours, day_of_month, month, day_of_week = scheduled["schedule"].split()
    assert (day_of_month, month, day_of_week) == ("*", "*", "*"), "every day"
    assert all(field.isdigit() for field in (seconds, minutes, hours)), "once a day"


def test_the_records_deployment_runs_the_records_service() -> None:
    spec = records()["spec"]
    assert container(records())["command"] == ["python", "-m", "services.records"]
    assert spec["replicas"] == 2
    assert spec["strategy"]["rollingUpdate"]["maxSurge"] == 1, "the first new pod migrates before the next starts"


def test_the_records_service_reads_the_payload_keys_secret_like_the_other_services() -> None:
    workflows = one(K8S / "workflows.yaml", "Deployment")
    payload_keys = [ref for ref in container(workflows)["envFrom"] if "secretRef" in ref]
    assert payload_keys
    for ref in payload_keys:
        assert ref in container(records())["envFrom"]


@pytest.mark.parametrize(
    ("manifest", "secret"),
    [(K8S / "records.yaml", "hotline-records-app"), (K8S / "intake.yaml", "hotline-records-intake")],
    ids=["records", "intake"],
)
def test_the_database_url_names_the_driver_the_primary_and_the_database(manifest: Path, secret: str) -> None:
    variables = env(one(manifest, "Deployment"))
    url = variables["HOTLINE_RECORDS_DATABASE_URL"]["value"]
    name = cluster()["metadata"]["name"]
    assert url.startswith("postgresql+asyncpg://"), "SQLAlchemy needs the driver; the operator's `uri` lacks it"
    assert f"@{name}-rw:5432/records" in url
    for variable in re.findall(r"\$\((\w+)\)", url):
        assert variable in variables, f"$({variable}) is not defined"
        assert variables[variable]["valueFrom"]["secretKeyRef"]["name"] == secret


def test_the_records_app_secret_is_the_one_the_operator_generates() -> None:
    """CloudNativePG names the owner's Secret `<cluster>-app`."""
    secrets = {item["valueFrom"]["secretKeyRef"]["name"] for item in env(records()).values() if "valueFrom" in item}
    assert secrets == {f"{cluster()['metadata']['name']}-app"}


def test_environment_variables_are_ones_the_records_settings_read() -> None:
    prefix = RecordsSettings.model_config["env_prefix"]
    names = {f"{prefix}{field}".upper() for field in RecordsSettings.model_fields}
    assert {name for name in env(records()) if name.startswith(prefix)} <= names


def test_the_probes_and_the_scrape_job_use_the_ops_port_and_its_paths() -> None:
    main = container(records())
    port = int(env(records())["HOTLINE_RECORDS_OPS_PORT"]["value"])
    assert port == RecordsSettings.model_fields["ops_port"].default
    assert main["ports"] == [{"name": "ops", "containerPort": port}]
    ops_server = (SERVICES / "engines" / "ops_server.py").read_text(encoding="utf-8")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        path = main[probe]["httpGet"]["path"]
        assert f'"{path}"' in ops_server, f"{probe}: the ops server serves no {path}"
    job = scrape_jobs()["records"]
    assert job["metrics_path"] == "/metrics/"
    keep = next(rule for rule in job["relabel_configs"] if rule.get("action") == "keep")
    assert keep["regex"] == f"{records()['metadata']['name']};{main['ports'][0]['name']}"


def test_records_pods_are_left_to_their_own_scrape_job() -> None:
    """The `hotline` job keeps annotated pods only: records pods carry no annotation, so no double scrape."""
    annotations = records()["spec"]["template"]["metadata"].get("annotations", {})
    assert "prometheus.io/scrape" not in annotations


def test_alerts_name_metrics_the_services_export() -> None:
    source = services_source()
    expressions = " ".join(str(rule["expr"]) for rule in alert_rules().values())
    for metric in sorted(set(re.findall(r"\bhotline_[a-z_]+", expressions))):
        exported = re.sub(r"_(bucket|count|sum)$", "", metric)
        assert f'"{exported}"' in source, f"no service exports {exported}"


@pytest.mark.parametrize(
    ("alert", "needle"),
    [
        ("HotlineRecordsLagging", "hotline_records_lag_seconds_bucket"),
        ("HotlineRecordsDown", 'absent(up{job="records"}'),
        ("HotlineConsumerBacklog", RECORDS_DURABLE),
        ("HotlineConsumerStalled", RECORDS_DURABLE),
        ("HotlineRecordsWalArchivingFailing", "cnpg_pg_stat_archiver_last_failed_time"),
        ("HotlineRecordsBackupStale", "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp"),
    ],
)
def test_the_records_and_their_database_are_alerted_on(alert: str, needle: str) -> None:
    assert needle in alert_rules()[alert]["expr"]


def test_lag_alert_is_p99_over_5_minutes_above_5_seconds_for_10_minutes() -> None:
    rule = alert_rules()["HotlineRecordsLagging"]
    assert "histogram_quantile(0.99" in rule["expr"] and "[5m]" in rule["expr"]
    assert rule["expr"].strip().endswith("> 5")
    assert rule["for"] == "10m"


def test_database_alerts_select_the_cluster_that_is_deployed() -> None:
    name = cluster()["metadata"]["name"]
    for alert, rule in alert_rules().items():
        for selected in re.findall(r'cluster="([^"]+)"', rule["expr"]):
            assert selected == name, alert


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("directory", [K8S, POSTGRES], ids=["k8s", "k8s/postgres"])
def test_kustomize_renders_into_namespace_hotline(directory: Path) -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    objects = [doc for doc in yaml.safe_load_all(rendered) if doc]
    assert {doc["metadata"].get("namespace") for doc in objects if doc["kind"] != "Namespace"} == {"hotline"}
    if directory == K8S:
        assert ("Deployment", "records") in {(doc["kind"], doc["metadata"]["name"]) for doc in objects}
