"""Building blocks shared by the dashboards: a Prometheus data source chosen on the dashboard, panels with their
queries, and links between the hotline's dashboards and to the engines' published ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grafana_foundation_sdk.builders.common import StackingConfig, VizLegendOptions
from grafana_foundation_sdk.builders.dashboard import Dashboard, DashboardLink, DatasourceVariable, Row
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.builders.stat import Panel as StatPanel
from grafana_foundation_sdk.builders.text import Panel as TextPanel
from grafana_foundation_sdk.builders.timeseries import Panel as TimeseriesPanel
from grafana_foundation_sdk.models.common import LegendDisplayMode, LegendPlacement, StackingMode
from grafana_foundation_sdk.models.dashboard import DashboardLinkType, DataSourceRef
from grafana_foundation_sdk.models.text import TextMode

TAG = "hotline"
# Every panel reads the data source picked in the dashboard's `datasource` variable: the JSON imports into any
# Grafana without editing a data source uid.
PROMETHEUS = DataSourceRef(type_val="prometheus", uid="${datasource}")
FULL_WIDTH = 24
HEIGHT = 8


@dataclass(frozen=True)
class Query:
    """One PromQL expression of a panel and how its series are named in the legend."""

    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Link:
    """A link in the dashboard's header: to another dashboard or page, opened in a new tab."""

    title: str
    url: str
    tooltip: str = ""


def dashboard(*, uid: str, title: str, description: str, links: Sequence[Link] = ()) -> Dashboard:
    """A hotline dashboard: the data source variable, the last 6 hours, a menu of the other hotline dashboards."""
    board = (
        Dashboard(title)
        .uid(uid)
        .description(description)
        .tags([TAG])
        .editable()
        .refresh("1m")
        .time("now-6h", "now")
        .timezone("browser")
        .with_variable(DatasourceVariable("datasource").label("Prometheus").type("prometheus"))
        .link(
            DashboardLink("Hotline dashboards")
            .type(DashboardLinkType.DASHBOARDS)
            .tags([TAG])
            .as_dropdown(True)
            .include_vars(True)
            .keep_time(True)
        )
    )
    for link in links:
        board = board.link(
            DashboardLink(link.title)
            .type(DashboardLinkType.LINK)
            .url(link.url)
            .tooltip(link.tooltip)
            .target_blank(True)
        )
    return board


def row(title: str) -> Row:
    """A full-width heading over the panels that follow it."""
    return Row(title)


def _targets(queries: Sequence[Query], *, instant: bool = False) -> list[Dataquery]:
    targets = [
        Dataquery().expr(query.expr).legend_format(query.legend or "__auto").ref_id(chr(ord("A") + index))
        for index, query in enumerate(queries)
    ]
    return [target.instant() for target in targets] if instant else targets


def timeseries(
    title: str,
    description: str,
    queries: Sequence[Query],
    *,
    unit: str,
    width: int = 12,
    stacked: bool = False,
    minimum: float | None = 0,
) -> TimeseriesPanel:
    """A graph over time of one or more queries (`unit`: a Grafana unit id, e.g. `reqps`, `s`, `short`)."""
    panel = (
        TimeseriesPanel()
        .title(title)
        .description(description)
        .datasource(PROMETHEUS)
        .unit(unit)
        .span(width)
        .height(HEIGHT)
        .fill_opacity(10)
        .legend(
            VizLegendOptions()
            .display_mode(LegendDisplayMode.TABLE)
            .placement(LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["lastNotNull", "max"])
        )
    )
    if minimum is not None:
        panel = panel.min(minimum)
    if stacked:
        panel = panel.stacking(StackingConfig().mode(StackingMode.NORMAL))
    for target in _targets(queries):
        panel = panel.with_target(target)
    return panel


def stat(title: str, description: str, query: Query, *, unit: str, width: int = 6) -> StatPanel:
    """One number: `query` evaluated once, at the end of the time range (`$__range` spans all of it)."""
    panel = StatPanel().title(title).description(description).datasource(PROMETHEUS).unit(unit).span(width).height(4)
    for target in _targets([query], instant=True):
        panel = panel.with_target(target)
    return panel


def text(title: str, markdown: str, *, width: int = FULL_WIDTH, height: int = 5) -> TextPanel:
    """Words for whoever reads the dashboard: what is not shown here, and where to find it."""
    return TextPanel().title(title).mode(TextMode.MARKDOWN).content(markdown).span(width).height(height)


def numbered(board: Dashboard) -> Dashboard:
    """Give every panel and row an id (1, 2, ...) in the order they were added: links and alerts need them."""
    panels = board.build().panels or []
    for number, panel in enumerate(panels, start=1):
        panel.id_val = number
    return board
