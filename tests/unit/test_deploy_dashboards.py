"""The Grafana dashboards (deploy/grafana): the committed JSON is what the code makes, each panel reads the chosen
Prometheus, the layout holds, the event kinds asked for exist, and the engines' dashboards are linked."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.grafana import generate, published
from services.contracts.case_timeline import TimelineAction
from services.contracts.events import EventKind
from tests.support.metric_names import dashboard_exprs

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))

Panel = dict[str, Any]


def load(path: Path) -> dict[str, Any]:
    board: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return board


def test_the_committed_dashboards_are_what_the_generator_makes(tmp_path: Path) -> None:
    assert generate.stale() == [], "run: python -m deploy.grafana.generate"
    generate.write(tmp_path)
    assert sorted(path.name for path in tmp_path.glob("*.json")) == [path.name for path in DASHBOARDS]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.stem)
def test_every_query_reads_the_prometheus_chosen_on_the_dashboard(path: Path) -> None:
    board = load(path)
    variables = {variable["name"]: variable for variable in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    for panel in board["panels"]:
        if panel.get("targets"):
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
            assert [target["refId"] for target in panel["targets"]] == [
                chr(ord("A") + index) for index in range(len(panel["targets"]))
            ]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda path: path.stem)
def test_panels_have_ids_titles_and_do_not_overlap(path: Path) -> None:
    board = load(path)
    assert board["uid"] == path.stem and "hotline" in board["tags"]
    panels: list[Panel] = board["panels"]
    assert [panel["id"] for panel in panels] == list(range(1, len(panels) + 1))
    taken: set[tuple[int, int]] = set()
    for panel in panels:
        assert panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {
            (x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


def _label_values(label: str, metric: str) -> set[str]:
    values: set[str] = set()
    for exprs in dashboard_exprs().values():
        for expr in exprs:
            for selector in re.findall(rf"{metric}\{{([^}}]*)\}}", expr):
                for matched in re.findall(rf'{label}=~?"([^"]+)"', selector):
                    values |= set(matched.split("|"))
    return values


def test_the_case_event_kinds_asked_for_are_timeline_actions() -> None:
    kinds = _label_values("kind", "hotline_case_events_published_total")
    assert {TimelineAction.DEADLINE_BREACHED.value, TimelineAction.ESCALATED.value} <= kinds
    assert kinds - {action.value for action in TimelineAction} == set()


def test_the_notification_kinds_asked_for_are_event_kinds() -> None:
    for metric in ("hotline_notification_events_published_total", "hotline_notifier_dead_letters_total"):
        assert _label_values("kind", metric) - {kind.value for kind in EventKind} == set()


def test_the_engines_published_dashboards_are_linked_from_ours_and_the_readme() -> None:
    readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    linked = {link["url"] for path in DASHBOARDS for link in load(path)["links"] if link["type"] == "link"}
    for engine in published.ENGINES:
        assert engine.url in linked, engine.title
        assert engine.url in readme, engine.title


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_makes_one_configmap_for_grafanas_sidecar() -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(GRAFANA)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    objects = [doc for doc in yaml.safe_load_all(rendered) if doc]
    assert [(doc["kind"], doc["metadata"]["name"]) for doc in objects] == [("ConfigMap", "hotline-dashboards")]
    config_map = objects[0]
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert sorted(config_map["data"]) == [path.name for path in DASHBOARDS]
    for path in DASHBOARDS:
        assert json.loads(config_map["data"][path.name]) == load(path)
