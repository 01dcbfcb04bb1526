"""Dashboard "Hotline / workflows worker": the Temporal SDK's own metrics from the workers (task slots, pollers,
schedule-to-start latency, sticky cache, failed requests and tasks) and the processes' garbage-collection pauses."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from deploy.grafana import published
from deploy.grafana.panels import Query, dashboard, numbered, row, text, timeseries
from deploy.grafana.temporal_sdk import counter, duration_buckets, duration_unit, gauge

UID = "hotline-workflows-worker"
RATE = "[$__rate_interval]"

ABOUT = """\
The Temporal SDK's metrics from our workers and clients, per task queue (`first-contact-cases`: the workflows
worker; `assessment`: the assessment service, where it exports them too). Schedule-to-start latency is how long a
task waited for a free slot of a worker: when it grows while slots are used up, add replicas or slots. The Temporal
server's side (frontend, history, matching, persistence) is in Temporal's own dashboards, linked at the top."""


def _p95(name: str, by: str) -> Query:
    return Query(
        f"histogram_quantile(0.95, sum by ({by}, le) (rate({duration_buckets(name)}{RATE})))",
        "{{" + by.split(", ")[-1] + "}}",
    )


def _rate(metric: str, by: str) -> str:
    return f"sum by ({by}) (rate({metric}{RATE}))"


def build() -> Dashboard:
    """The workflows worker's dashboard, panels numbered."""
    board = dashboard(
        uid=UID,
        title="Hotline / workflows worker",
        description="The Temporal SDK's metrics of our workers: slots, pollers, latencies, sticky cache, failures.",
        links=(published.TEMPORAL_SDK, published.TEMPORAL_SERVER),
    )
    board = board.with_panel(text("About", ABOUT, height=4))
    board = (
        board.with_row(row("Capacity"))
        .with_panel(
            timeseries(
                "Task slots used",
                "Workflow, activity and local activity tasks in hand, summed over the replicas.",
                [
                    Query(
                        f"sum by (task_queue, worker_type) ({gauge('worker_task_slots_used')})",
                        "{{task_queue}} {{worker_type}}",
                    )
                ],
                unit="short",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Task slots available",
                "Free slots: at 0 new tasks wait on the server (their schedule-to-start latency grows).",
                [
                    Query(
                        f"sum by (task_queue, worker_type) ({gauge('worker_task_slots_available')})",
                        "{{task_queue}} {{worker_type}}",
                    )
                ],
                unit="short",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Pollers",
                "Long polls open on each task queue, by kind.",
                [
                    Query(
                        f"sum by (task_queue, poller_type) ({gauge('num_pollers')})",
                        "{{task_queue}} {{poller_type}}",
                    )
                ],
                unit="short",
                width=8,
            )
        )
    )
    board = (
        board.with_row(row("Latency"))
        .with_panel(
            timeseries(
                "Workflow task schedule-to-start p95",
                "From a workflow task being scheduled to a worker picking it up.",
                [_p95("workflow_task_schedule_to_start_latency", "task_queue")],
                unit=duration_unit(),
                width=12,
            )
        )
        .with_panel(
            timeseries(
                "Activity schedule-to-start p95",
                "From an activity being scheduled to a worker starting it.",
                [_p95("activity_schedule_to_start_latency", "task_queue")],
                unit=duration_unit(),
                width=12,
            )
        )
        .with_panel(
            timeseries(
                "Workflow task execution p95",
                "Time the worker spends on one workflow task (replaying a case that was not cached takes longer).",
                [_p95("workflow_task_execution_latency", "task_queue")],
                unit=duration_unit(),
                width=12,
            )
        )
        .with_panel(
            timeseries(
                "Activity execution p95",
                "By activity: publishing events, computing deadlines, reports.",
                [_p95("activity_execution_latency", "activity_type")],
                unit=duration_unit(),
                width=12,
            )
        )
    )
    board = (
        board.with_row(row("Sticky cache"))
        .with_panel(
            timeseries(
                "Cached workflows",
                "Cases held in the workers' memory (HOTLINE_WORKFLOWS_MAX_CACHED_WORKFLOWS per replica).",
                [Query(f"sum by (task_queue) ({gauge('sticky_cache_size')})", "{{task_queue}}")],
                unit="short",
                width=12,
            )
        )
        .with_panel(
            timeseries(
                "Cache hits, misses and forced evictions",
                "Per second. Misses replay the case's history; forced evictions mean the cache is too small for the "
                "cases in flight.",
                [
                    Query(f"sum(rate({counter('sticky_cache_hit')}{RATE}))", "hits"),
                    Query(f"sum(rate({counter('sticky_cache_miss')}{RATE}))", "misses"),
                    Query(f"sum(rate({counter('sticky_cache_total_forced_eviction')}{RATE}))", "forced evictions"),
                ],
                unit="ops",
                width=12,
            )
        )
    )
    board = (
        board.with_row(row("Failures"))
        .with_panel(
            timeseries(
                "Failed requests to the Temporal server",
                "Per second by operation and status: calls (starts, queries, completions) and long polls.",
                [
                    Query(_rate(counter("request_failure"), "operation, status_code"), "{{operation}} {{status_code}}"),
                    Query(
                        _rate(counter("long_request_failure"), "operation, status_code"),
                        "poll {{operation}} {{status_code}}",
                    ),
                ],
                unit="ops",
                width=12,
            )
        )
        .with_panel(
            timeseries(
                "Failed workflow tasks and activities",
                "Per second. A failing workflow task is a bug or a non-determinism: the case is stuck until a fix is "
                "deployed (docs/workflow-versioning.md).",
                [
                    Query(_rate(counter("workflow_task_execution_failed"), "workflow_type"), "task {{workflow_type}}"),
                    Query(_rate(counter("activity_execution_failed"), "activity_type"), "activity {{activity_type}}"),
                ],
                unit="ops",
                width=12,
            )
        )
        .with_panel(
            timeseries(
                "Workflows completed and failed",
                "Per second, by workflow type.",
                [
                    Query(_rate(counter("workflow_completed"), "workflow_type"), "completed {{workflow_type}}"),
                    Query(_rate(counter("workflow_failed"), "workflow_type"), "failed {{workflow_type}}"),
                ],
                unit="ops",
                width=12,
            )
        )
        .with_panel(
            timeseries(
                "Garbage-collection pauses p99",
                "The Python collector's stop-the-world pauses by service and generation (2: a full collection; alert "
                "HotlineGcPausesLong).",
                [
                    Query(
                        f"histogram_quantile(0.99, sum by (service, generation, le) "
                        f"(rate(hotline_gc_pause_seconds_bucket{RATE})))",
                        "{{service}} gen {{generation}}",
                    )
                ],
                unit="s",
                width=12,
            )
        )
    )
    return numbered(board)
