"""The alert rules: valid for Prometheus, each tested on synthetic series (`promtool test rules`), each linked to its
runbook, and watching every consumer and service the code and the manifests have."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.contracts import subjects
from services.contracts.subjects import ConsumerSpec

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
ALERTS = PROMETHEUS / "alerts.yml"
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
RUNBOOKS = ROOT / "docs" / "runbooks.md"
K8S = ROOT / "deploy" / "k8s"

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool is not installed (Debian's `prometheus` package; .ci/run installs it)"
)

Rule = dict[str, Any]


def alert_rules() -> dict[str, Rule]:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"]}


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


@needs_promtool
def test_the_rules_pass_promtools_check() -> None:
    checked = promtool("check", "rules", str(ALERTS))
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_every_alert_fires_and_stays_quiet_as_its_tests_expect() -> None:
    tested = promtool("test", "rules", *map(str, RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_has_a_case_where_it_fires_and_one_where_it_does_not() -> None:
    fires: set[str] = set()
    quiet: set[str] = set()
    for path in RULE_TESTS:
        for test in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]:
            for case in test.get("alert_rule_test", []):
                (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
    alerts = set(alert_rules())
    assert alerts - fires == set(), "never seen firing"
    assert alerts - quiet == set(), "never seen staying quiet"
    assert (fires | quiet) - alerts == set(), "tests of alerts that do not exist"


def runbook_sections() -> set[str]:
    return set(re.findall(r"^## (\S+)$", RUNBOOKS.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_every_alert_links_its_own_runbook_section_under_one_base() -> None:
    bases = set()
    for name, rule in alert_rules().items():
        url = rule["annotations"]["runbook_url"]
        base, _, anchor = url.partition("#")
        assert anchor == name.lower(), f"{name}: {url}"  # a `## Name` heading's anchor on GitHub and GitLab
        assert base.endswith("/docs/runbooks.md"), f"{name}: {url}"
        bases.add(base)
    assert len(bases) == 1, "one base, replaced once for the city's repository (deploy/README.md)"


def test_the_runbooks_have_a_section_for_each_alert_and_no_other() -> None:
    assert runbook_sections() == set(alert_rules())


def durables() -> set[str]:
    return {spec.durable for spec in vars(subjects).values() if isinstance(spec, ConsumerSpec)}


@pytest.mark.parametrize("alert", ["HotlineConsumerBacklog", "HotlineConsumerStalled"])
def test_the_consumer_alerts_watch_every_durable_consumer(alert: str) -> None:
    selectors = re.findall(r'consumer_name=~"([^"]+)"', alert_rules()[alert]["expr"])
    assert selectors
    for selector in selectors:
        assert set(selector.split("|")) == durables()


def test_the_triage_starter_is_watched_for_retries_like_the_case_starter() -> None:
    expr = alert_rules()["HotlineConsumerRetrying"]["expr"]
    for selector in re.findall(r'consumer=~"([^"]+)"', expr):
        assert {subjects.CASE_STARTER_DURABLE, subjects.TRIAGE_STARTER_DURABLE} <= set(selector.split("|"))


def scraped_deployments() -> set[str]:
    """Deployments whose pods the `hotline` scrape job keeps (prometheus.io/scrape annotations)."""
    names = set()
    for path in K8S.glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and doc.get("kind") == "Deployment":
                annotations = doc["spec"]["template"]["metadata"].get("annotations", {})
                if annotations.get("prometheus.io/scrape") == "true":
                    names.add(doc["metadata"]["name"])
    return names


def test_a_service_with_no_pods_at_all_is_seen_by_absent() -> None:
    """`sum by (service) (up)` has no series for a Deployment with no pods: each one needs its absent()."""
    expr = alert_rules()["HotlineServiceDown"]["expr"]
    absent = set(re.findall(r'absent\(up\{job="hotline", service="([\w-]+)"\}\)', expr))
    assert absent == scraped_deployments()
    assert "records" not in absent  # its own job and HotlineRecordsDown
    assert alert_rules()["HotlineRecordsDown"]["expr"].startswith('absent(up{job="records"}')
