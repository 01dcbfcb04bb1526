"""Dashboard "Hotline / cases": what happens to the citizens' cases (opened, closed, deadlines breached, the
escalation ladder, deadlines counted without a holiday schedule), from the events the workflows publish."""

from __future__ import annotations

from collections.abc import Sequence

from grafana_foundation_sdk.builders.dashboard import Dashboard

from deploy.grafana.panels import Query, dashboard, numbered, row, stat, timeseries
from services.contracts.case_timeline import TimelineAction

UID = "hotline-cases"
CASE_EVENTS = "hotline_case_events_published_total"

# Counted in the workflows worker as each case event is published on CASE_EVENTS (label `kind`: a TimelineAction).
BREACHES = (TimelineAction.DEADLINE_BREACHED, TimelineAction.JOINT_TASK_DEADLINE_BREACHED)
LADDER = (
    TimelineAction.CHASE_UP,
    TimelineAction.ESCALATION_REQUESTED,
    TimelineAction.ESCALATED,
    TimelineAction.ESCALATION_HELD,
    TimelineAction.TOP_LEVEL_COORDINATION,
)
EXTENSIONS = (
    TimelineAction.EXTENSION_REQUESTED,
    TimelineAction.EXTENSION_APPROVED,
    TimelineAction.EXTENSION_REFUSED,
)
HANDOVERS = (
    TimelineAction.TRANSFERRED,
    TimelineAction.ARBITRATION_REQUESTED,
    TimelineAction.ARBITRATED,
    TimelineAction.REWORK,
)

# Every records replica counts the same table (services/records/case_gauges.py): one value per unit, not a sum.
OPEN_BY_UNIT = "max by (unit) (hotline_cases_open)"
OVERDUE_BY_UNIT = "max by (unit) (hotline_cases_overdue)"


def _kinds(actions: Sequence[TimelineAction]) -> str:
    return "|".join(action.value for action in actions)


def _per_hour(actions: Sequence[TimelineAction]) -> Query:
    return Query(f'sum by (kind) (increase({CASE_EVENTS}{{kind=~"{_kinds(actions)}"}}[1h]))', "{{kind}}")


def _in_range(action: TimelineAction) -> Query:
    return Query(f'sum(increase({CASE_EVENTS}{{kind="{action.value}"}}[$__range]))')


def build() -> Dashboard:
    """The cases dashboard, panels numbered."""
    board = dashboard(
        uid=UID,
        title="Hotline / cases",
        description="What happens to the cases: opened, resolved, closed, deadlines breached, escalations, provisional "
        "deadlines.",
    )
    board = (
        board.with_row(row("Open now"))
        .with_panel(
            stat(
                "Open cases",
                "Cases not closed, all units (counted from the case records every minute).",
                Query(f"sum({OPEN_BY_UNIT})"),
                unit="short",
                width=4,
            )
        )
        .with_panel(
            stat(
                "Overdue",
                "Open cases past a deadline, all units.",
                Query(f"sum({OVERDUE_BY_UNIT})"),
                unit="short",
                width=4,
            )
        )
        .with_panel(
            stat(
                "Counted",
                "Seconds since the case records last counted them (more than a few minutes: the records service or "
                "its database is not answering).",
                Query("time() - max(hotline_cases_counted_timestamp_seconds)"),
                unit="s",
                width=4,
            )
        )
        .with_panel(
            timeseries(
                "Open cases by unit",
                "The 15 units with the most open cases (`none`: in triage, no unit yet).",
                [Query(f"topk(15, {OPEN_BY_UNIT})", "{{unit}}")],
                unit="short",
            )
        )
        .with_panel(
            timeseries(
                "Overdue cases by unit",
                "The 15 units with the most open cases past a deadline.",
                [Query(f"topk(15, {OVERDUE_BY_UNIT})", "{{unit}}")],
                unit="short",
            )
        )
    )
    board = (
        board.with_row(row("In the time range"))
        .with_panel(
            stat(
                "Cases opened",
                "Case workflows started (not redeliveries).",
                Query('sum(increase(hotline_case_workflow_starts_total{result="started"}[$__range]))'),
                unit="short",
                width=4,
            )
        )
        .with_panel(
            stat(
                "Resolved",
                "Cases a unit reported as resolved.",
                _in_range(TimelineAction.RESOLVED),
                unit="short",
                width=4,
            )
        )
        .with_panel(stat("Closed", "Cases closed.", _in_range(TimelineAction.CLOSED), unit="short", width=4))
        .with_panel(
            stat(
                "Deadlines breached",
                "Sign-for, feedback, resolution and joint-task deadlines missed.",
                Query(f'sum(increase({CASE_EVENTS}{{kind=~"{_kinds(BREACHES)}"}}[$__range]))'),
                unit="short",
                width=4,
            )
        )
        .with_panel(
            stat(
                "Escalations",
                "Steps up the escalation ladder.",
                _in_range(TimelineAction.ESCALATED),
                unit="short",
                width=4,
            )
        )
        .with_panel(
            stat(
                "Provisional deadlines",
                "Deadlines counted Monday to Friday because their year has no holiday schedule loaded "
                "(docs/holiday-schedules.md): load the official schedule.",
                Query("sum(increase(hotline_provisional_deadlines_total[$__range]))"),
                unit="short",
                width=4,
            )
        )
    )
    board = (
        board.with_row(row("Flow of cases"))
        .with_panel(
            timeseries(
                "Opened, resolved and closed per hour",
                "Cases opened (workflows started), resolved and closed per hour: opened above closed for long means "
                "the open cases pile up.",
                [
                    Query('sum(increase(hotline_case_workflow_starts_total{result="started"}[1h]))', "opened"),
                    Query(f'sum(increase({CASE_EVENTS}{{kind="{TimelineAction.RESOLVED.value}"}}[1h]))', "resolved"),
                    Query(f'sum(increase({CASE_EVENTS}{{kind="{TimelineAction.CLOSED.value}"}}[1h]))', "closed"),
                ],
                unit="short",
            )
        )
        .with_panel(
            timeseries(
                "Triage",
                "Tickets the router could not place, sent to the coordination centre, and its decisions, per hour.",
                [
                    Query(
                        'sum(increase(hotline_triage_workflow_starts_total{result="started"}[1h]))', "sent to triage"
                    ),
                    Query("sum(increase(hotline_triage_decisions_total[1h]))", "triaged"),
                ],
                unit="short",
            )
        )
    )
    board = (
        board.with_row(row("Deadlines and escalation"))
        .with_panel(timeseries("Deadlines breached per hour", "By kind of event.", [_per_hour(BREACHES)], unit="short"))
        .with_panel(
            timeseries(
                "The escalation ladder per hour",
                "Chase-ups, requests, escalations, steps held for the coordination centre's judgement, and cases "
                "that reached the top level.",
                [_per_hour(LADDER)],
                unit="short",
            )
        )
        .with_panel(
            timeseries("Extensions per hour", "Requested, approved, refused.", [_per_hour(EXTENSIONS)], unit="short")
        )
        .with_panel(
            timeseries(
                "Transfers, arbitration and rework per hour",
                "Cases handed between units or sent back.",
                [_per_hour(HANDOVERS)],
                unit="short",
            )
        )
    )
    board = (
        board.with_row(row("Provisional deadlines"))
        .with_panel(
            timeseries(
                "Deadlines counted without a holiday schedule",
                "Per hour, by year: that year's official schedule is not loaded, so its deadlines skip only "
                "weekends. Load it (docs/holiday-schedules.md); open cases are then counted again.",
                [Query("sum by (year) (increase(hotline_provisional_deadlines_total[1h]))", "{{year}}")],
                unit="short",
            )
        )
        .with_panel(
            timeseries(
                "Open cases asked to recount",
                "After a holiday schedule was loaded or changed, per hour.",
                [Query("sum(increase(hotline_provisional_recomputes_total[1h]))", "recounts")],
                unit="short",
            )
        )
    )
    board = board.with_row(row("What recipients are told")).with_panel(
        timeseries(
            "Notification events published per hour",
            "By kind (docs/notifications.md): what units, leaders and platforms are sent.",
            [Query("sum by (kind) (increase(hotline_notification_events_published_total[1h]))", "{{kind}}")],
            unit="short",
            width=24,
        )
    )
    return numbered(board)
