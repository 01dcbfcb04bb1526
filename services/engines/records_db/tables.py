"""The records' tables (SQLAlchemy Core): one row a case, one row an event of its log, one row a read of a caller's
contact. The records service's migrations create them (services/records/migrations)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

# A case whose handling unit asked for more time and awaits the coordination centre's decision: what the records'
# view of it says (`extensions[].status`), so finding such cases needs no column of its own. The partial index below
# holds only those cases (a handful among a million), and a query must spell its condition exactly so (not as a bound
# parameter) for PostgreSQL to use it.
EXTENSION_PENDING = """(view -> 'extensions') @> '[{"status": "pending"}]'::jsonb"""

# The case as its last applied event left it; `last_sequence` says how far its log has been applied.
case_records = Table(
    "case_records",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("last_sequence", BigInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("title", Text),
    Column("urgency", String(16), nullable=False),
    Column("catalog_item", String(32)),
    Column("catalog_version", String(64)),
    Column("policy_version", String(64)),
    Column("first_contact_unit", String(64)),
    Column("handling_unit", String(64)),
    Column("township", String(64)),
    Column("calling_unit", String(64)),
    # The routing's place (revision 0010): the finest boundary the ticket's location lies in or names, a dotted code
    # (`district.township.community.grid`). Byte order ("C"), so that its index answers a search of a place and
    # every place under it (a range of codes) whatever the database's collation.
    Column("place", Text(collation="C")),
    # Every unit the case is or was in the hands of (first contact, handling, transfers, joint tasks, the calling
    # unit): who may find it. `joint_units`: participants whose joint task is still open (their queue).
    Column("units", ARRAY(String(64)), nullable=False, server_default=text("'{}'")),
    Column("joint_units", ARRAY(String(64)), nullable=False, server_default=text("'{}'")),
    Column("escalation_level", Integer, nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("reworks", Integer, nullable=False),
    Column("sign_for_due", DateTime(timezone=True)),
    Column("feedback_due", DateTime(timezone=True)),
    Column("resolution_due", DateTime(timezone=True)),
    Column("rating_outcome", String(32)),
    Column("received_at", DateTime(timezone=True)),
    Column("reported_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("closed_reason", String(64)),
    # What the caller said and how to reach them, each column sealed on its own (AES-256-GCM, nonce || ciphertext)
    # under the payload key `personal_key_id` (personal_columns.py); never stored in clear.
    Column("personal_key_id", String(64)),
    Column("description_sealed", LargeBinary),
    Column("address_sealed", LargeBinary),
    Column("caller_name_sealed", LargeBinary),
    Column("caller_phone_sealed", LargeBinary),
    Column("location_sealed", LargeBinary),  # the ticket's point (WGS-84) and grid code, as JSON
    Column("caller_confidential", Boolean, nullable=False, server_default=text("false")),
    Column("view", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # A ticket's identity (what intake keys resubmissions by): one case each, for ever.
    Index(
        "case_records_identity",
        "channel",
        "calling_unit",
        "external_id",
        unique=True,
        postgresql_nulls_not_distinct=True,
    ),
    Index("case_records_received", "received_at", "case_id"),
    # A filter's cases newest first, read in received order (revision 0003; docs/case-records.md, "Finding cases").
    Index("case_records_township_received", "township", "received_at"),
    Index("case_records_handling_received", "handling_unit", "received_at"),
    Index("case_records_item_received", "catalog_item", "received_at"),
    Index("case_records_place", "place"),
    Index("case_records_overdue_received", "received_at", postgresql_where=text("overdue")),
    Index("case_records_escalated_received", "received_at", postgresql_where=text("escalation_level > 0")),
    Index("case_records_extension_pending", "received_at", postgresql_where=text(EXTENSION_PENDING)),
    Index("case_records_units", "units", postgresql_using="gin"),
    Index("case_records_joint_units", "joint_units", postgresql_using="gin"),
    Index(
        "case_records_open_by_unit",
        "handling_unit",
        "resolution_due",
        postgresql_where=text("closed_at IS NULL"),
    ),
)

# Keyed hashes of the words of a case's title, description and address (search_tokens.py): searchable, not
# readable. Written once, with the ticket: apart from the case's row, which every event rewrites, so its large GIN
# index is not rewritten with it.
case_search = Table(
    "case_search",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("key_id", String(64), nullable=False),
    Column("tokens", ARRAY(BigInteger), nullable=False),
    # Keyed hashes of the normalised address and of its community (address_keys.py): "the same place" for the
    # classes of cases (revision 0005), under the same payload key as the tokens.
    Column("address_key", BigInteger),
    Column("community_key", BigInteger),
    # The case's received time (revision 0006), copied from its row: a word search reads the newest matches first
    # from this table alone, in the order of the page, and stops when the page is full.
    Column("received_at", DateTime(timezone=True)),
    Index("case_search_tokens", "tokens", postgresql_using="gin"),
    Index("case_search_received", "received_at", "case_id"),
)

# Every event of every case, once: the timeline, with the typed fields (the view is on the case's row).
case_events = Table(
    "case_events",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("sequence", BigInteger, primary_key=True),
    Column("event_id", String(80), nullable=False, unique=True),
    Column("source", String(16), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("detail", Text, nullable=False, server_default=text("''")),
    Column("fields", JSONB, nullable=False),
)

# Who read a caller's contact (or a caller's file), when, on which case, and why: admins read it.
access_log = Table(
    "access_log",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("client_id", String(64), nullable=False),
    Column("client_kind", String(32), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("masked", Boolean, nullable=False),
    Index("access_log_at", "at", "id"),
    Index("access_log_case", "case_id", "at"),
)

# One unit's part in one case (services/contracts/assessment.py): a handling stint or a joint task, derived from the
# case's events by the records service in the transaction that applies them. What the rates count.
unit_case_facts = Table(
    "unit_case_facts",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("unit", String(64), primary_key=True),
    Column("role", String(16), primary_key=True),
    # The how-many-th time this unit holds the case in this role (a case transferred back comes back as stint 2).
    Column("stint", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("catalog_item", String(32)),
    Column("township", String(64)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
    Column("feedback_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("left_at", DateTime(timezone=True)),
    Column("rated_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    # Each deadline's verdict (null: still running, or not asked of the unit) and when it was reached: a report
    # "as of" a cutoff before that time reads it as not known yet.
    Column("sign_for_on_time", Boolean),
    Column("sign_for_known_at", DateTime(timezone=True)),
    Column("feedback_on_time", Boolean),
    Column("feedback_known_at", DateTime(timezone=True)),
    Column("resolution_on_time", Boolean),
    Column("resolution_known_at", DateTime(timezone=True)),
    Column("extended", Boolean, nullable=False, server_default=text("false")),
    Column("extended_at", DateTime(timezone=True)),
    Column("arbitration_lost", Boolean, nullable=False, server_default=text("false")),
    Column("transferred_out", Boolean, nullable=False, server_default=text("false")),
    Column("still_open", Boolean, nullable=False),
    Column("rating", String(32)),
    # The counts, and the time of each counted event (ascending), for a count as of a cutoff.
    Column("reworks", Integer, nullable=False, server_default=text("0")),
    Column("rework_times", ARRAY(DateTime(timezone=True)), nullable=False, server_default=text("'{}'")),
    Column("breaches", Integer, nullable=False, server_default=text("0")),
    Column("breach_times", ARRAY(DateTime(timezone=True)), nullable=False, server_default=text("'{}'")),
    Column("escalations", Integer, nullable=False, server_default=text("0")),
    Column("escalation_times", ARRAY(DateTime(timezone=True)), nullable=False, server_default=text("'{}'")),
    Column("handling_hours", Float),
    # A period's facts by each time a measure may count them by.
    Index("unit_case_facts_received", "received_at"),
    Index("unit_case_facts_resolved", "resolved_at"),
    Index("unit_case_facts_rated", "rated_at"),
    Index("unit_case_facts_left", "left_at"),
)

# The townships' rating of departments for a period (以下看上), imported by the coordination centre.
township_ratings = Table(
    "township_ratings",
    metadata,
    Column("period_key", String(64), primary_key=True),
    Column("township", String(64), primary_key=True),
    Column("unit", String(64), primary_key=True),
    Column("score", Float, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("imported_by", String(64), nullable=False),
)

# Bulletins and special reports, immutable: a re-run for the same kind and period is the next version.
assessment_reports = Table(
    "assessment_reports",
    metadata,
    Column("report_id", String(128), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("period_key", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("cutoff", DateTime(timezone=True), nullable=False),
    Column("generated_at", DateTime(timezone=True), nullable=False),
    Column("definitions_version", String(64), nullable=False),
    Column("body", JSONB, nullable=False),
    Column("html", Text, nullable=False),
    Column("xlsx", LargeBinary, nullable=False),
    # The workflow run that stored it (revision 0007): a retried attempt of that run knows the report as its own.
    Column("made_by", String(200)),
    Index("assessment_reports_version", "kind", "period_key", "version", unique=True),
    Index("assessment_reports_generated", "generated_at"),
)

# Classes of cases (类案): recurring matters the hotspot scan found (services/assessment/classes), one row a class.
# A class keeps its id while cases keep joining it; `active_until` is its last case's time plus its kind's window.
case_classes = Table(
    "case_classes",
    metadata,
    Column("class_id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("kind_name", String(64), nullable=False),  # as the thresholds in force when found named it
    Column("catalog_item", String(32)),
    Column("township", String(64)),
    # The place, for kinds grouped by it: keyed hashes (case_search), under the payload key `key_id`.
    Column("key_id", String(64)),
    Column("address_key", BigInteger),
    Column("community_key", BigInteger),
    Column("place", Text(collation="C")),  # the grid, for kinds grouped by the routing's place
    Column("label", Text, nullable=False),
    Column("first_received_at", DateTime(timezone=True), nullable=False),
    Column("last_received_at", DateTime(timezone=True), nullable=False),
    Column("active_until", DateTime(timezone=True), nullable=False),
    Column("case_count", Integer, nullable=False),
    Column("case_ids", ARRAY(String(36)), nullable=False),
    Column("thresholds_version", String(64), nullable=False),
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Set once the coordination centre has been told of the class: it is told once.
    Column("notified_at", DateTime(timezone=True)),
    Column("rectification_id", String(36)),
    # Newest first, by detection (the hotspots' pages); the scan's active classes; a township's or an item's.
    Index("case_classes_detected", "detected_at", "class_id"),
    Index("case_classes_active", "active_until"),
    Index("case_classes_item_township", "catalog_item", "township"),
)

# Special rectifications (专项整治), as their `SpecialRectification` workflows last recorded them; `view` is the whole
# public view (progress reports, cases, timeline), the columns what lists and the bulletin filter on.
rectifications = Table(
    "rectifications",
    metadata,
    Column("rectification_id", String(36), primary_key=True),
    Column("class_id", String(36)),
    Column("title", Text, nullable=False),
    Column("lead_unit", String(64), nullable=False),
    Column("participants", ARRAY(String(64)), nullable=False),
    Column("status", String(16), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("case_count", Integer, nullable=False),
    Column("open_case_count", Integer, nullable=False),
    Column("last_progress_at", DateTime(timezone=True)),
    Column("view", JSONB, nullable=False),
    # Grows with every recorded state: a late write of an older state never overwrites a newer one.
    Column("revision", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("rectifications_opened", "opened_at", "rectification_id"),
    # One open rectification a class at a time: the second opening is refused here, whatever raced it.
    Index(
        "rectifications_open_class",
        "class_id",
        unique=True,
        postgresql_where=text("status = 'open' AND class_id IS NOT NULL"),
    ),
)
