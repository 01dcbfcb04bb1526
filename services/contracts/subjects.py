"""NATS subjects, JetStream streams, KV buckets and object stores, and Temporal task queues: every name in one
place."""

from __future__ import annotations

from dataclasses import dataclass

from services.contracts.case_event_log import CASE_EVENTS_PREFIX
from services.contracts.tickets import Channel

INTAKE_PREFIX = "cases.intake"
ROUTED_PREFIX = "cases.routed"
TRIAGE_SUBJECT = "cases.triage"
NOTIFY_PREFIX = "notify"

DAY = 24 * 3600.0


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: list[str]
    max_age_seconds: float
    duplicate_window_seconds: float = 120.0
    description: str = ""
    compressed: bool = False  # S2 compression of the stored messages (JSON compresses several times over)
    # JetStream counters (nats-server 2.12+): `Nats-Incr` adds on the server; only the total per subject is kept.
    counters: bool = False
    in_memory: bool = False  # counts that may be lost without harm: no disk


@dataclass(frozen=True)
class BucketSpec:
    name: str
    description: str = ""
    history: int = 1
    # How long a key lives after its last write (the bucket's max_age), in seconds; None: until deleted.
    ttl_seconds: float | None = None


@dataclass(frozen=True)
class ObjectStoreSpec:
    name: str
    description: str = ""
    # How long an object lives after it was put, in seconds; None: until deleted.
    ttl_seconds: float | None = None


CASE_INTAKE_STREAM = StreamSpec(
    name="CASE_INTAKE",
    subjects=[f"{INTAKE_PREFIX}.>"],
    max_age_seconds=365 * DAY,
    description="Tickets as received from platforms (the audit trail of intake).",
)
CASE_ROUTING_STREAM = StreamSpec(
    name="CASE_ROUTING",
    subjects=[f"{ROUTED_PREFIX}.>", TRIAGE_SUBJECT],
    max_age_seconds=365 * DAY,
    description="Cases routed to a unit, or sent to triage.",
)
NOTIFY_STREAM = StreamSpec(
    name="NOTIFY",
    subjects=[f"{NOTIFY_PREFIX}.>"],
    max_age_seconds=90 * DAY,
    description="Notification events for units and platforms.",
)
DEAD_LETTER_PREFIX = "notify_dead"
NOTIFY_DEAD_STREAM = StreamSpec(
    name="NOTIFY_DEAD",
    subjects=[f"{DEAD_LETTER_PREFIX}.>"],
    max_age_seconds=365 * DAY,
    description="Events whose delivery ran out of its retry budget; redelivered on request.",
)
CASE_EVENTS_STREAM = StreamSpec(
    name="CASE_EVENTS",
    subjects=[f"{CASE_EVENTS_PREFIX}.>"],
    # A feed, not the archive: the case records keep cases for years; 90 days is time enough to rebuild them.
    max_age_seconds=90 * DAY,
    # Wider than the default: a workflow task retried after a worker outage may publish an event again minutes
    # later; consumers still treat (case_id, sequence) as the identity beyond this window.
    duplicate_window_seconds=600.0,
    description="Every change of every case, per case in order (docs/case-events.md): the feed of the case records.",
    # Each event carries the case's view: the largest stream by far, stored compressed.
    compressed=True,
)
RATE_LIMIT_PREFIX = "ratelimit"


def rate_limit_stream(*, window_seconds: float) -> StreamSpec:
    """Intake's shared rate-limit counts (declared by intake alone): windows older than two of the longest go."""
    max_age = max(2 * window_seconds, 60.0)
    return StreamSpec(
        name="RATE_LIMITS",
        subjects=[f"{RATE_LIMIT_PREFIX}.>"],
        max_age_seconds=max_age,
        duplicate_window_seconds=min(120.0, max_age),
        description="Requests per client and window, shared by every intake instance (rate limits).",
        counters=True,
        in_memory=True,
    )


STREAMS: list[StreamSpec] = [
    CASE_INTAKE_STREAM,
    CASE_ROUTING_STREAM,
    NOTIFY_STREAM,
    NOTIFY_DEAD_STREAM,
    CASE_EVENTS_STREAM,
]

# Create-only record per case id: "duplicate ticket → 200, same case id" from NATS alone for as long as platforms
# retry (the key's lifetime, `HOTLINE_CASE_INDEX_TTL_DAYS`); older resubmissions are answered from the case records.
CASE_INDEX_TTL_DAYS = 30.0
CASE_INDEX_BUCKET = BucketSpec(
    name="case_index",
    description="Case id → intake's record of the received ticket, kept for the platforms' retry horizon.",
    ttl_seconds=CASE_INDEX_TTL_DAYS * DAY,
)
UNIT_CHANNELS_BUCKET = BucketSpec(name="unit_channels", description="Unit code → delivery channels.")
# Official holiday schedules operators load for years the calendar library does not know (key: the year).
HOLIDAY_SCHEDULES_BUCKET = BucketSpec(
    name="holiday_schedules", description="Year → official holiday schedule.", history=5
)
# Every catalog version ever imported or approved (`version.<n>`, immutable) and the pointer `current`.
CATALOG_BUCKET = BucketSpec(name="catalog", description="Responsibility catalog versions and the current one.")
# One record per catalog change by application (key: the change id), as its `CatalogChange` workflow last saw it.
CATALOG_CHANGES_BUCKET = BucketSpec(name="catalog_changes", description="Catalog change id → application and outcome.")
# One record per triage decision (key: the case id): ticket title, original classification and the chosen item,
# for curating the router's synonym data.
TRIAGE_DECISIONS_BUCKET = BucketSpec(name="triage_decisions", description="Case id → the coordination centre's triage.")
# Every event's delivery record (`<case_id>.<stream>.<seq>`), events parked for want of a channel
# (`<unit>.<record key>`), and how far each case's platform callbacks have got (`<case_id>`).
DELIVERIES_BUCKET = BucketSpec(name="deliveries", description="Event id → delivery record.")
PARKED_EVENTS_BUCKET = BucketSpec(name="parked_events", description="Events waiting for a unit to set a channel.")
CALLBACK_PROGRESS_BUCKET = BucketSpec(name="callback_progress", description="Case → last platform callback sent.")
# Every version of the district's township, community and grid boundaries ever imported (`version.<n>`: its
# record, immutable; its GeoJSON is `version.<n>.geojson` in the object store of the same name) and the pointer
# `current` (docs/places.md).
BOUNDARIES_BUCKET = BucketSpec(name="boundaries", description="District boundary versions and the current one.")
# API keys of the clients (platforms, units, coordination centre, leaders, admin, operators), hashed.
CREDENTIALS_BUCKET = BucketSpec(name="credentials", description="Key id → hashed API key and its client.")
BUCKETS: list[BucketSpec] = [
    CREDENTIALS_BUCKET,
    DELIVERIES_BUCKET,
    PARKED_EVENTS_BUCKET,
    CALLBACK_PROGRESS_BUCKET,
    CASE_INDEX_BUCKET,
    UNIT_CHANNELS_BUCKET,
    HOLIDAY_SCHEDULES_BUCKET,
    CATALOG_BUCKET,
    CATALOG_CHANGES_BUCKET,
    TRIAGE_DECISIONS_BUCKET,
    BOUNDARIES_BUCKET,
]
# Each report's rendered files (`<report_id>.html`, `<report_id>.xlsx`), put before its notices are published and
# read by the notifier for the email. Kept until deleted: a report is immutable and a dead-lettered notice may be
# redelivered months later (a year of weekly to quarterly reports is a few MB).
REPORTS_OBJECT_STORE = ObjectStoreSpec(name="reports", description="Report id → its HTML page and XLSX workbook.")
# Each boundary version's GeoJSON (a city's can be megabytes: more than a KV value may hold), kept until deleted.
BOUNDARIES_OBJECT_STORE = ObjectStoreSpec(name="boundaries", description="Boundary version → its GeoJSON.")
OBJECT_STORES: list[ObjectStoreSpec] = [REPORTS_OBJECT_STORE, BOUNDARIES_OBJECT_STORE]
# Published (core NATS) after a new catalog version becomes current: `{"version": n}`.
CATALOG_UPDATED_SUBJECT = "catalog.updated"

ROUTER_DURABLE = "router"
CASE_STARTER_DURABLE = "case-starter"
TRIAGE_STARTER_DURABLE = "triage-starter"
NOTIFIER_DURABLE = "notifier"
RECORDS_DURABLE = "records"

CASE_TASK_QUEUE = "first-contact-cases"
# The assessment service's workflows: reports, classes of cases, special rectifications.
ASSESSMENT_TASK_QUEUE = "assessment"


@dataclass(frozen=True)
class ConsumerSpec:
    stream: StreamSpec
    durable: str
    filter_subject: str
    # How soon a message delivered to a service that then crashed is delivered again. A handler that takes longer
    # says it is still working (`run_pull_consumer`, every third of this), so this need not cover the slowest one.
    ack_wait_seconds: float = 10.0
    max_ack_pending: int = 1000


ROUTER_CONSUMER = ConsumerSpec(CASE_INTAKE_STREAM, ROUTER_DURABLE, f"{INTAKE_PREFIX}.>")
CASE_STARTER_CONSUMER = ConsumerSpec(CASE_ROUTING_STREAM, CASE_STARTER_DURABLE, f"{ROUTED_PREFIX}.>")
TRIAGE_STARTER_CONSUMER = ConsumerSpec(CASE_ROUTING_STREAM, TRIAGE_STARTER_DURABLE, TRIAGE_SUBJECT)
# Events waiting for a receiver that is down stay unacknowledged: allow many, so one unit's outage does not
# stall every other unit's deliveries.
NOTIFIER_CONSUMER = ConsumerSpec(NOTIFY_STREAM, NOTIFIER_DURABLE, f"{NOTIFY_PREFIX}.>", max_ack_pending=50_000)


# The case records follow every case's event log.
RECORDS_CONSUMER = ConsumerSpec(CASE_EVENTS_STREAM, RECORDS_DURABLE, f"{CASE_EVENTS_PREFIX}.>")


def intake_subject(channel: Channel | str) -> str:
    return f"{INTAKE_PREFIX}.{Channel(channel).value}"


def routed_subject(unit_code: str) -> str:
    return f"{ROUTED_PREFIX}.{unit_code}"


def notify_subject(unit_code: str, event: str) -> str:
    return f"{NOTIFY_PREFIX}.{unit_code}.{event}"


def dead_letter_subject(unit_code: str, event: str) -> str:
    return f"{DEAD_LETTER_PREFIX}.{unit_code}.{event}"


REPORT_HTML = "html"
REPORT_XLSX = "xlsx"


def report_object_name(report_id: str, extension: str) -> str:
    """A report's file in the reports object store: `weekly-week-2026-11-30-v1.xlsx`."""
    return f"{report_id}.{extension}"
