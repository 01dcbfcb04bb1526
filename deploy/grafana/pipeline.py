"""Dashboard "Hotline / pipeline": a ticket's way from intake through NATS, the router and the case starters to the
notifier and the case records, as rates, latencies and backlogs."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from deploy.grafana import published
from deploy.grafana.panels import Query, dashboard, numbered, row, stat, text, timeseries
from services.contracts import subjects
from services.contracts.subjects import ConsumerSpec

UID = "hotline-pipeline"
RATE = "[$__rate_interval]"
INTAKE = 'service="intake"'


def durables() -> str:
    """Every durable consumer of the services, as a PromQL regex (names from services/contracts/subjects.py)."""
    return "|".join(spec.durable for spec in vars(subjects).values() if isinstance(spec, ConsumerSpec))


def _leader(metric: str) -> str:
    # Every server of the cluster reports the consumers it holds a copy of; the leader's view is the consumer's.
    return f'max by (consumer_name) ({metric}{{is_consumer_leader="true", consumer_name=~"{durables()}"}})'


def _quantile(q: float, metric: str, selector: str = "", by: str = "le") -> str:
    return f"histogram_quantile({q}, sum by ({by}) (rate({metric}_bucket{{{selector}}}{RATE})))"


def _per_minute(metric: str, by: str, selector: str = "") -> str:
    return f"sum by ({by}) (rate({metric}{{{selector}}}{RATE})) * 60"


def _in_range(metric: str, selector: str = "") -> str:
    return f"sum(increase({metric}{{{selector}}}[$__range]))"


def build() -> Dashboard:
    """The pipeline dashboard, panels numbered."""
    board = dashboard(
        uid=UID,
        title="Hotline / pipeline",
        description="Intake → NATS → router → case and triage starters → Temporal → notifier, and the case records.",
        links=published.ENGINES,
    )
    board = (
        board.with_row(row("Intake API"))
        .with_panel(
            timeseries(
                "Requests by status",
                "Intake's answers per second by status class (the instrumentator's http_requests_total).",
                [Query(f"sum by (status) (rate(http_requests_total{{{INTAKE}}}{RATE}))", "{{status}}")],
                unit="reqps",
                width=8,
                stacked=True,
            )
        )
        .with_panel(
            timeseries(
                "Latency",
                "Time to answer, all routes (the instrumentator's fine-grained histogram).",
                [
                    Query(_quantile(q, "http_request_duration_highr_seconds", INTAKE), f"p{round(q * 100)}")
                    for q in (0.5, 0.95, 0.99)
                ],
                unit="s",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Slowest routes (mean)",
                "The five routes with the longest mean answer time.",
                [
                    Query(
                        f"topk(5, sum by (handler) (rate(http_request_duration_seconds_sum{{{INTAKE}}}{RATE}))"
                        f" / sum by (handler) (rate(http_request_duration_seconds_count{{{INTAKE}}}{RATE})))",
                        "{{handler}}",
                    )
                ],
                unit="s",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Tickets by result",
                "Tickets submitted per minute: created, duplicate (a platform's retry: same case id), unavailable "
                "(503 while the case records do not answer an old ticket's lookup).",
                [Query(_per_minute("hotline_intake_tickets_total", "result"), "{{result}}")],
                unit="short",
                width=8,
                stacked=True,
            )
        )
        .with_panel(
            timeseries(
                "Authentication and authorization refusals",
                "401 (no key, unknown or revoked key) and 403 (a key of the wrong kind) per minute, by reason.",
                [Query(_per_minute("hotline_auth_refusals_total", "status, reason"), "{{status}} {{reason}}")],
                unit="short",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Rate limited (429)",
                "Requests refused for their client's rate per minute, by what the client was known by.",
                [Query(_per_minute("hotline_rate_limited_requests_total", "by"), "{{by}}")],
                unit="short",
                width=8,
            )
        )
    )
    board = (
        board.with_row(row("NATS JetStream consumers"))
        .with_panel(
            timeseries(
                "Consumer lag",
                "Messages in the stream not yet delivered to the consumer (prometheus-nats-exporter, leader's view). "
                "Alert HotlineConsumerBacklog at 1000 for 10 minutes.",
                [Query(_leader("nats_consumer_num_pending"), "{{consumer_name}}")],
                unit="short",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Waiting for their ack",
                "Delivered, not yet acknowledged: in hand, or NAKed to be retried later. At max_ack_pending "
                "(1000; notifier 50000) the consumer gets nothing more.",
                [Query(_leader("nats_consumer_num_ack_pending"), "{{consumer_name}}")],
                unit="short",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Redelivered",
                "Messages delivered more than once and not yet acknowledged.",
                [Query(_leader("nats_consumer_num_redelivered"), "{{consumer_name}}")],
                unit="short",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Messages by outcome",
                "What the services' handlers did per second: ack, nak (retry later), term (gave up: alert "
                "HotlineMessageTerminated).",
                [
                    Query(
                        f"sum by (consumer, outcome) (rate(hotline_consumer_messages_total{RATE}))",
                        "{{consumer}} {{outcome}}",
                    )
                ],
                unit="ops",
                width=12,
            )
        )
        .with_panel(
            timeseries(
                "Handling time p95",
                "Time to handle one message, by consumer (the notifier's includes the receivers' answers).",
                [Query(_quantile(0.95, "hotline_consumer_handle_seconds", by="consumer, le"), "{{consumer}}")],
                unit="s",
                width=12,
            )
        )
    )
    board = (
        board.with_row(row("Routing and starting cases"))
        .with_panel(
            timeseries(
                "Routed",
                "Tickets routed per minute by method, to a unit or to manual triage (alert HotlineRouterTriageHigh).",
                [
                    Query(
                        _per_minute("hotline_router_cases_total", "method, destination"), "{{method}} → {{destination}}"
                    )
                ],
                unit="short",
                width=8,
                stacked=True,
            )
        )
        .with_panel(
            timeseries(
                "Workflows started",
                "Case and triage workflows started per minute; `duplicate` is a redelivered message whose workflow "
                "already ran (harmless).",
                [
                    Query(_per_minute("hotline_case_workflow_starts_total", "result"), "case {{result}}"),
                    Query(_per_minute("hotline_triage_workflow_starts_total", "result"), "triage {{result}}"),
                ],
                unit="short",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Text classifier confidence",
                "Median and 10th percentile confidence of the best catalog item for tickets routed by their text.",
                [
                    Query(_quantile(0.5, "hotline_router_text_confidence_ratio"), "p50"),
                    Query(_quantile(0.1, "hotline_router_text_confidence_ratio"), "p10"),
                ],
                unit="percentunit",
                width=8,
            )
        )
    )
    board = (
        board.with_row(row("Notifications"))
        .with_panel(
            stat(
                "Delivered",
                "Channel deliveries and platform callbacks that succeeded in the dashboard's time range.",
                Query(_in_range("hotline_notifier_delivery_attempts_total", 'result="delivered"')),
                unit="short",
            )
        )
        .with_panel(
            stat(
                "Failed attempts",
                "Attempts that failed and were (or will be) retried, in the time range.",
                Query(_in_range("hotline_notifier_delivery_attempts_total", 'result="failed"')),
                unit="short",
            )
        )
        .with_panel(
            stat(
                "Dead-lettered",
                "Events whose retry budget (24 h) ran out, in the time range: their recipients were never told "
                "(alert HotlineNotificationsDeadLettered; POST /v1/notifications/{id}/redeliver).",
                Query(_in_range("hotline_notifier_dead_letters_total")),
                unit="short",
            )
        )
        .with_panel(
            stat(
                "Parked (no channel)",
                "Events kept for a recipient with no channel, in the time range; sent when it sets one.",
                Query(_in_range("hotline_notifier_delivery_attempts_total", 'result="no_channel"')),
                unit="short",
            )
        )
        .with_panel(
            timeseries(
                "Delivery attempts",
                "Per minute, by channel (webhook, email, dingtalk, wecom, sms, callback) and result.",
                [
                    Query(
                        _per_minute("hotline_notifier_delivery_attempts_total", "channel, result"),
                        "{{channel}} {{result}}",
                    )
                ],
                unit="short",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Time to deliver, by channel",
                "p95 of one delivery attempt per channel: a receiver's answer (webhook, robots, the SMS gateway, a "
                "platform's callback) or an SMTP exchange. A receiver held by its circuit breaker is not attempted.",
                [Query(_quantile(0.95, "hotline_notifier_delivery_seconds", by="le, channel"), "{{channel}} p95")],
                unit="s",
                width=8,
            )
        )
        .with_panel(
            timeseries(
                "Dead letters by kind",
                "Events dead-lettered per hour, by event kind.",
                [Query("sum by (kind) (increase(hotline_notifier_dead_letters_total[1h]))", "{{kind}}")],
                unit="short",
                width=8,
            )
        )
    )
    board = (
        board.with_row(row("Case records"))
        .with_panel(
            timeseries(
                "Records behind their cases",
                "From an event's time to its record being written (alert HotlineRecordsLagging: p99 over 5 s).",
                [Query(_quantile(q, "hotline_records_lag_seconds"), f"p{round(q * 100)}") for q in (0.5, 0.99)],
                unit="s",
                width=12,
            )
        )
        .with_panel(
            timeseries(
                "Events taken",
                "Case events per second by placement (apply, duplicate, gap: an earlier event still on its way), "
                "and database failures (each retried).",
                [
                    Query(f"sum by (placement) (rate(hotline_records_events_total{RATE}))", "{{placement}}"),
                    Query(f"sum(rate(hotline_records_db_errors_total{RATE}))", "database failures"),
                ],
                unit="ops",
                width=12,
            )
        )
        .with_panel(
            text(
                "Elsewhere",
                "The engines' own dashboards are linked at the top (Temporal server and SDK, NATS servers and "
                "JetStream). Alerts and what to do about each: docs/runbooks.md.",
                height=3,
            )
        )
    )
    return numbered(board)
