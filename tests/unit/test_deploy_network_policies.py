"""The NetworkPolicies of namespace hotline (deploy/k8s/network-policies.yaml), evaluated as Kubernetes would for each
pod: everything is denied but what the code needs, and what each service needs is what its code connects to."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
NAMESPACE = "hotline"

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Peer:
    """A pod (namespace and labels) or an address outside the cluster."""

    namespace: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    ip: str | None = None


@cache
def policies() -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all((K8S / "network-policies.yaml").read_text(encoding="utf-8")) if doc]


@cache
def deployments() -> dict[str, Manifest]:
    found = {}
    for path in K8S.glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and doc.get("kind") == "Deployment":
                found[doc["metadata"]["name"]] = doc
    return found


def pod(name: str) -> Peer:
    return Peer(NAMESPACE, deployments()[name]["spec"]["template"]["metadata"]["labels"])


def selects(selector: Manifest, labels: dict[str, str]) -> bool:
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        value, operator = labels.get(expression["key"]), expression["operator"]
        if operator == "In" and value not in expression["values"]:
            return False
        if operator == "NotIn" and value in expression["values"]:
            return False
        if operator == "Exists" and value is None:
            return False
    return True


def peer_matches(rule_peer: Manifest, peer: Peer) -> bool:
    if "ipBlock" in rule_peer:
        if peer.ip is None:
            return False
        address = ipaddress.ip_address(peer.ip)
        block = rule_peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(excepted) for excepted in block.get("except", [])
        )
    if peer.ip is not None:
        return False
    if "namespaceSelector" in rule_peer:
        namespace_labels = {"kubernetes.io/metadata.name": peer.namespace}
        if not selects(rule_peer["namespaceSelector"], namespace_labels):
            return False
    elif peer.namespace != NAMESPACE:
        return False
    return selects(rule_peer.get("podSelector", {}), peer.labels)


def port_matches(ports: list[Manifest] | None, port: int, protocol: str) -> bool:
    if not ports:
        return True
    return any(
        entry.get("protocol", "TCP") == protocol and entry["port"] <= port <= entry.get("endPort", entry["port"])
        for entry in ports
    )


def allowed(source: Peer, destination: Peer, port: int, protocol: str = "TCP") -> bool:
    """Whether the policies let `source` open `port` on `destination` (both ends' policies, as Kubernetes does)."""
    return _side("Egress", source, destination, port, protocol) and _side(
        "Ingress", destination, source, port, protocol
    )


def _side(kind: str, subject: Peer, other: Peer, port: int, protocol: str) -> bool:
    if subject.namespace != NAMESPACE:
        return True  # other namespaces' policies are theirs
    applying = [
        policy["spec"]
        for policy in policies()
        if kind in policy["spec"]["policyTypes"] and selects(policy["spec"]["podSelector"], subject.labels)
    ]
    if not applying:
        return True
    key, peers = ("egress", "to") if kind == "Egress" else ("ingress", "from")
    return any(
        (not rule.get(peers) or any(peer_matches(rule_peer, other) for rule_peer in rule[peers]))
        and port_matches(rule.get("ports"), port, protocol)
        for spec in applying
        for rule in spec.get(key, [])
    )


NATS = Peer("nats", {"app.kubernetes.io/name": "nats"})
TEMPORAL_FRONTEND = Peer("temporal", {"app.kubernetes.io/name": "temporal", "app.kubernetes.io/component": "frontend"})
RECORDS_DATABASE = Peer(NAMESPACE, {"cnpg.io/cluster": "hotline-records", "cnpg.io/instanceRole": "primary"})
CNPG_OPERATOR = Peer("cnpg-system", {"app.kubernetes.io/name": "cloudnative-pg"})
INGRESS_CONTROLLER = Peer("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
PROMETHEUS = Peer("monitoring", {"app.kubernetes.io/name": "prometheus"})
KUBE_DNS = Peer("kube-system", {"k8s-app": "kube-dns"})
A_UNITS_WEBHOOK = Peer(ip="203.0.113.10")
CLOUD_METADATA = Peer(ip="169.254.169.254")
A_POD_ADDRESS = Peer(ip="10.244.3.7")
OBJECT_STORE = Peer(ip="10.30.0.20")  # the placeholder address of the city's S3 store


@cache
def uses(service: str, *needles: str) -> bool:
    """Whether the service's code (services/<name>) calls any of these."""
    source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "services" / service).rglob("*.py"))
    return any(needle in source for needle in needles)


def test_every_pod_is_denied_everything_by_default() -> None:
    default = [policy["spec"] for policy in policies() if policy["metadata"]["name"] == "default-deny"]
    assert default == [{"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}]


@pytest.mark.parametrize("name", sorted(deployments()))
def test_each_service_reaches_the_engines_its_code_connects_to_and_no_other(name: str) -> None:
    source = pod(name)
    assert allowed(source, NATS, 4222) == uses(name, "open_jetstream(")
    assert allowed(source, TEMPORAL_FRONTEND, 7233) == uses(name, "connect_temporal(")
    container = deployments()[name]["spec"]["template"]["spec"]["containers"][0]
    database = any("@hotline-records-rw:5432" in str(item.get("value", "")) for item in container.get("env", []))
    assert allowed(source, RECORDS_DATABASE, 5432) == database
    assert allowed(source, KUBE_DNS, 53, "UDP")


@pytest.mark.parametrize("name", sorted(deployments()))
def test_the_services_that_store_attachments_reach_the_object_store(name: str) -> None:
    # The notifier reaches the city's intranet anyway (its receivers are there too).
    assert allowed(pod(name), OBJECT_STORE, 443) == (uses(name, "ObjectStore(") or name == "notifier")


def reaches_others_urls(name: str) -> bool:
    """Whether the service sends to, or fetches from, URLs others gave it (guarded by `outbound_guard`)."""
    return uses(name, "guarded_session(")


@pytest.mark.parametrize("name", sorted(deployments()))
def test_only_the_services_that_use_others_urls_reach_outside_the_cluster(name: str) -> None:
    assert allowed(pod(name), A_UNITS_WEBHOOK, 443) == reaches_others_urls(name)
    assert {name for name in deployments() if reaches_others_urls(name)} == {"notifier", "intake"}
    assert not allowed(pod(name), CLOUD_METADATA, 80)
    assert not allowed(pod(name), A_POD_ADDRESS, 8080), "in-cluster addresses only through a selector"


def test_the_notifier_delivers_to_any_port_a_receiver_names() -> None:
    for port in (443, 8443, 25, 465, 587):
        assert allowed(pod("notifier"), A_UNITS_WEBHOOK, port)


def test_intake_is_reached_by_the_ingress_controller_and_the_console_only() -> None:
    intake = pod("intake")
    assert allowed(INGRESS_CONTROLLER, intake, 8000)
    assert allowed(pod("console"), intake, 8000)
    for other in ("router", "workflows", "notifier", "records", "assessment"):
        assert not allowed(pod(other), intake, 8000), other
    assert not allowed(INGRESS_CONTROLLER, pod("router"), 9101)


def test_the_console_is_reached_by_the_ingress_controller() -> None:
    assert allowed(INGRESS_CONTROLLER, pod("console"), 8090)
    assert not allowed(pod("intake"), pod("console"), 8090)


def metrics_port(deployment: Manifest) -> int:
    annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
    if "prometheus.io/port" in annotations:
        return int(annotations["prometheus.io/port"])
    ports = deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
    return int(next(port["containerPort"] for port in ports if port["name"] == "ops"))  # the `records` job


@pytest.mark.parametrize("name", sorted(deployments()))
def test_prometheus_scrapes_every_service(name: str) -> None:
    assert allowed(PROMETHEUS, pod(name), metrics_port(deployments()[name]))


def test_the_records_database_takes_its_clients_its_peers_and_its_operator() -> None:
    replica = Peer(NAMESPACE, {"cnpg.io/cluster": "hotline-records", "cnpg.io/instanceRole": "replica"})
    assert allowed(replica, RECORDS_DATABASE, 5432), "streaming replication"
    assert allowed(CNPG_OPERATOR, RECORDS_DATABASE, 8000)
    assert allowed(PROMETHEUS, RECORDS_DATABASE, 9187)
    assert allowed(RECORDS_DATABASE, Peer(ip="198.51.100.20"), 443), "the object store and the Kubernetes API"
    assert not allowed(pod("console"), RECORDS_DATABASE, 5432)
    assert not allowed(RECORDS_DATABASE, Peer(ip="198.51.100.20"), 5432)
