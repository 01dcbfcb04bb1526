"""What the city's networks reach (deploy/k8s/ingress.yaml) and the production Temporal Web UI
(deploy/helm/temporal-values.yaml): the published paths, TLS, the codec server between the two, the UI's sign-in and
read-only mode."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"

Manifest = dict[str, Any]

# Environment the Temporal UI server's configuration template reads (temporalio/ui, server/config/docker.yaml), of
# those a production UI sets.
UI_SERVER_VARIABLES = {
    "TEMPORAL_DEFAULT_NAMESPACE",
    "TEMPORAL_AUTH_ENABLED",
    "TEMPORAL_AUTH_TYPE",
    "TEMPORAL_AUTH_LABEL",
    "TEMPORAL_AUTH_PROVIDER_URL",
    "TEMPORAL_AUTH_ISSUER_URL",
    "TEMPORAL_AUTH_CLIENT_ID",
    "TEMPORAL_AUTH_CLIENT_SECRET",
    "TEMPORAL_AUTH_CALLBACK_URL",
    "TEMPORAL_AUTH_SCOPES",
    "TEMPORAL_DISABLE_WRITE_ACTIONS",
    "TEMPORAL_CODEC_ENDPOINT",
    "TEMPORAL_CODEC_PASS_ACCESS_TOKEN",
    "TEMPORAL_CORS_ORIGINS",
    "TEMPORAL_CSRF_COOKIE_INSECURE",
}


def documents(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def ingresses() -> dict[str, Manifest]:
    return {doc["metadata"]["name"]: doc for doc in documents(K8S / "ingress.yaml") if doc["kind"] == "Ingress"}


def routes(ingress: Manifest) -> dict[tuple[str, str], str]:
    """(host, path) → the Service it goes to."""
    return {
        (rule["host"], path["path"]): path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }


def deployment(name: str) -> Manifest:
    return next(doc for doc in documents(K8S / f"{name}.yaml") if doc["kind"] == "Deployment")


def env(name: str) -> dict[str, str]:
    container = deployment(name)["spec"]["template"]["spec"]["containers"][0]
    return {item["name"]: item.get("value", "") for item in container.get("env", [])}


def web() -> Manifest:
    values: Manifest = yaml.safe_load((ROOT / "deploy" / "helm" / "temporal-values.yaml").read_text(encoding="utf-8"))
    return values["web"]


def web_env() -> dict[str, str]:
    return {item["name"]: str(item["value"]) for item in web()["additionalEnv"]}


def test_the_ingresses_are_deployed_with_the_services() -> None:
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))["resources"]
    assert {"ingress.yaml", "network-policies.yaml"} <= set(listed)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_ingresses_and_policies_into_namespace_hotline() -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    objects = [doc for doc in yaml.safe_load_all(rendered) if doc]
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in objects}
    assert {("Ingress", name) for name in ingresses()} <= kinds
    assert ("NetworkPolicy", "default-deny") in kinds
    assert {doc["metadata"]["namespace"] for doc in objects if doc["kind"] in ("Ingress", "NetworkPolicy")} == {
        "hotline"
    }


def test_intake_publishes_its_apis_and_its_codec_server_only() -> None:
    published = {
        path
        for ingress in ingresses().values()
        for (_, path), service in routes(ingress).items()
        if service == "intake"
    }
    assert published == {"/v1/", "/open311/", "/codec/"}


def test_the_codec_server_is_for_the_operators_network_only() -> None:
    codec = ingresses()["intake-codec"]
    assert set(routes(codec).values()) == {"intake"}
    assert codec["metadata"]["annotations"]["nginx.ingress.kubernetes.io/whitelist-source-range"]
    assert "whitelist-source-range" not in str(ingresses()["intake-api"]["metadata"].get("annotations", {}))


def test_the_consoles_probes_and_metrics_are_not_published() -> None:
    console = routes(ingresses()["console"])
    hidden = {path for (_, path), service in console.items() if service != "console"}
    assert hidden == {"/metrics", "/healthz", "/livez"}
    nowhere = next(doc for doc in documents(K8S / "ingress.yaml") if doc["metadata"]["name"] == "not-published")
    assert nowhere["kind"] == "Service" and "selector" not in nowhere["spec"], "no endpoints: the controller says 503"


def test_every_published_host_is_served_over_tls() -> None:
    for name, ingress in ingresses().items():
        hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
        covered = {host for tls in ingress["spec"]["tls"] for host in tls["hosts"]}
        assert hosts <= covered, name
        assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"] == "true", name


def test_the_web_ui_signs_people_in_and_writes_nothing() -> None:
    variables = web_env()
    assert set(variables) <= UI_SERVER_VARIABLES
    assert variables["TEMPORAL_AUTH_ENABLED"] == "true" and variables["TEMPORAL_AUTH_TYPE"] == "oidc"
    assert variables["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    assert variables["TEMPORAL_DEFAULT_NAMESPACE"] == "hotline"
    assert "TEMPORAL_AUTH_CLIENT_SECRET" not in variables, "from Secret web.additionalEnvSecretName"
    assert web()["additionalEnvSecretName"]
    callback = urlsplit(variables["TEMPORAL_AUTH_CALLBACK_URL"])
    assert callback.scheme == "https" and callback.path == "/auth/sso/callback"
    assert callback.hostname in web()["ingress"]["hosts"]
    assert variables["TEMPORAL_CORS_ORIGINS"] == f"https://{callback.hostname}"


def test_the_web_ui_decodes_through_intakes_codec_server_with_the_users_token() -> None:
    variables = web_env()
    endpoint = urlsplit(variables["TEMPORAL_CODEC_ENDPOINT"])
    codec_routes = routes(ingresses()["intake-codec"])
    assert endpoint.scheme == "https" and (endpoint.hostname, endpoint.path + "/") in codec_routes
    assert variables["TEMPORAL_CODEC_PASS_ACCESS_TOKEN"] == "true"
    # Intake answers the UI's browsers (CORS) from the UI's origin only.
    assert env("intake")["HOTLINE_CODEC_UI_ORIGINS"] == variables["TEMPORAL_CORS_ORIGINS"]
