"""The records' tables (SQLAlchemy Core): one row a case, one row an event of its log. Migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

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
    Column("escalation_level", Integer, nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("reworks", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("closed_reason", String(64)),
    # The caller's description, address and contact as the `received` event sealed them (key id and ciphertext).
    Column("personal", JSONB(none_as_null=True)),
    Column("view", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
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
    Column("fields", JSONB, nullable=False),
)
