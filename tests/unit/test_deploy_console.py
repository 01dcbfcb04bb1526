"""The staff console's manifest and its place in `make run`, checked against its settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from services.console.settings import ConsoleSettings
from services.devstack.banner import ENDPOINTS, SIGN_IN_AS, sign_in_lines
from services.devstack.dev_credentials import generate

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def documents() -> dict[str, dict[str, Any]]:
    found = [doc for doc in yaml.safe_load_all((K8S / "console.yaml").read_text(encoding="utf-8")) if doc]
    return {doc["kind"]: doc for doc in found}


def container() -> dict[str, Any]:
    (main,) = documents()["Deployment"]["spec"]["template"]["spec"]["containers"]
    return main


def env() -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container()["env"]}


def test_kustomization_deploys_it() -> None:
    resources = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))["resources"]
    assert "console.yaml" in resources
    assert container()["command"] == ["python", "-m", "services.console"]
    assert set(documents()) == {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"}


def test_environment_variables_are_ones_the_settings_read() -> None:
    prefix = ConsoleSettings.model_config["env_prefix"]
    names = {f"{prefix}{field}".upper() for field in ConsoleSettings.model_fields}
    assert set(env()) <= names


def test_the_secrets_come_from_a_secret_and_the_api_is_the_intake_service() -> None:
    for name, key in (
        ("HOTLINE_CONSOLE_API_KEY", "api-key"),
        ("HOTLINE_CONSOLE_SESSION_SECRET", "session-secret"),
        ("HOTLINE_CONSOLE_OIDC_CLIENT_SECRET", "oidc-client-secret"),
    ):
        assert env()[name]["valueFrom"]["secretKeyRef"] == {"name": "hotline-console", "key": key}
    intake = {doc["kind"]: doc for doc in yaml.safe_load_all((K8S / "intake.yaml").read_text()) if doc}["Service"]
    assert env()["HOTLINE_CONSOLE_API_URL"]["value"] == f"http://{intake['metadata']['name']}:8000"
    # Least privilege: no payload keys (the console never sees a Temporal payload).
    assert container()["envFrom"] == [{"configMapRef": {"name": "hotline-common"}}]


def test_the_settings_of_the_manifest_start_outside_development_without_payload_keys() -> None:
    values = {name: item.get("value", "a-secret-of-more-than-32-characters-000") for name, item in env().items()}
    settings = ConsoleSettings(  # type: ignore[call-arg]
        _env_file=None,
        environment="production",
        **{name.removeprefix("HOTLINE_CONSOLE_").lower(): v for name, v in values.items()},
    )
    assert settings.port == 8090 and settings.host == "0.0.0.0"
    assert not settings.key_sign_in and settings.secure_cookie
    probes = {container()[probe]["httpGet"]["path"] for probe in ("startupProbe", "readinessProbe", "livenessProbe")}
    assert probes == {"/healthz", "/livez"}
    assert container()["ports"] == [{"name": "http", "containerPort": settings.port}]


def test_make_run_starts_it_and_the_banner_says_how_to_sign_in(tmp_path: Path) -> None:
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    assert "console: python -m services.console" in procfile
    port = ConsoleSettings.model_fields["port"].default
    assert ENDPOINTS["staff console"] == f"http://127.0.0.1:{port}/healthz"
    keys = generate(tmp_path / "dev-credentials.json")
    lines = sign_in_lines(tmp_path / "dev-credentials.json")
    for name in SIGN_IN_AS:
        assert f"{name} " in lines and keys[name] in lines
    assert keys["console"] not in lines and keys["operator"] not in lines  # only people's keys
