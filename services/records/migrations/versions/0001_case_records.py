"""The case records and their events.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_records",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("last_sequence", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("catalog_item", sa.String(32)),
        sa.Column("catalog_version", sa.String(64)),
        sa.Column("policy_version", sa.String(64)),
        sa.Column("first_contact_unit", sa.String(64)),
        sa.Column("handling_unit", sa.String(64)),
        sa.Column("township", sa.String(64)),
        sa.Column("calling_unit", sa.String(64)),
        sa.Column("escalation_level", sa.Integer, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("reworks", sa.Integer, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_reason", sa.String(64)),
        sa.Column("personal", JSONB),
        sa.Column("view", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("case_records_handling_unit", "case_records", ["handling_unit", "status"])
    op.create_index("case_records_received_at", "case_records", ["received_at"])
    op.create_table(
        "case_events",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("sequence", sa.BigInteger, primary_key=True),
        sa.Column("event_id", sa.String(80), nullable=False, unique=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("fields", JSONB, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_events")
    op.drop_index("case_records_received_at", table_name="case_records")
    op.drop_index("case_records_handling_unit", table_name="case_records")
    op.drop_table("case_records")
