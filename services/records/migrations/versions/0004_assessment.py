"""What units are assessed by: the unit case facts, the townships' ratings, the stored reports.

Revision ID: 0004
Revises: 0003

`unit_case_facts` holds one row for each unit's part in a case (a handling stint, a joint task), derived from the
case's events by the records service as it applies them; the rates (services/contracts/assessment.py) count them.
Records projected before this revision get their facts from `hotline records rebuild` (docs/records-operations.md).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_NOW = sa.text("now()")
_FALSE = sa.text("false")
_ZERO = sa.text("0")
_NO_TIMES = sa.text("'{}'")


def _at(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _times(name: str) -> sa.Column[Any]:
    """The times of a fact's counted events (reworks, breaches, escalations), ascending."""
    return sa.Column(name, ARRAY(sa.DateTime(timezone=True)), nullable=False, server_default=_NO_TIMES)


def upgrade() -> None:
    op.create_table(
        "unit_case_facts",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("unit", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("stint", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("catalog_item", sa.String(32)),
        sa.Column("township", sa.String(64)),
        _at("received_at", nullable=False),
        _at("accepted_at"),
        _at("feedback_at"),
        _at("resolved_at"),
        _at("left_at"),
        _at("rated_at"),
        _at("closed_at"),
        sa.Column("sign_for_on_time", sa.Boolean),
        _at("sign_for_known_at"),
        sa.Column("feedback_on_time", sa.Boolean),
        _at("feedback_known_at"),
        sa.Column("resolution_on_time", sa.Boolean),
        _at("resolution_known_at"),
        sa.Column("extended", sa.Boolean, nullable=False, server_default=_FALSE),
        _at("extended_at"),
        sa.Column("arbitration_lost", sa.Boolean, nullable=False, server_default=_FALSE),
        sa.Column("transferred_out", sa.Boolean, nullable=False, server_default=_FALSE),
        sa.Column("still_open", sa.Boolean, nullable=False),
        sa.Column("rating", sa.String(32)),
        sa.Column("reworks", sa.Integer, nullable=False, server_default=_ZERO),
        _times("rework_times"),
        sa.Column("breaches", sa.Integer, nullable=False, server_default=_ZERO),
        _times("breach_times"),
        sa.Column("escalations", sa.Integer, nullable=False, server_default=_ZERO),
        _times("escalation_times"),
        sa.Column("handling_hours", sa.Float),
    )
    for column in ("received_at", "resolved_at", "rated_at", "left_at"):
        op.create_index(f"unit_case_facts_{column.removesuffix('_at')}", "unit_case_facts", [column])
    op.create_table(
        "township_ratings",
        sa.Column("period_key", sa.String(64), primary_key=True),
        sa.Column("township", sa.String(64), primary_key=True),
        sa.Column("unit", sa.String(64), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("imported_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "assessment_reports",
        sa.Column("report_id", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("period_key", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        _at("period_start", nullable=False),
        _at("period_end", nullable=False),
        _at("cutoff", nullable=False),
        _at("generated_at", nullable=False),
        sa.Column("definitions_version", sa.String(64), nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("xlsx", sa.LargeBinary, nullable=False),
    )
    op.create_index("assessment_reports_version", "assessment_reports", ["kind", "period_key", "version"], unique=True)
    op.create_index("assessment_reports_generated", "assessment_reports", ["generated_at"])
    # Intake's role (deploy/k8s/postgres) reads everything; it also imports the townships' ratings (a period's
    # import replaces the period's earlier one).
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'records_intake') THEN "
        "GRANT INSERT, UPDATE, DELETE ON township_ratings TO records_intake; END IF; END $$"
    )


def downgrade() -> None:
    for table in ("assessment_reports", "township_ratings", "unit_case_facts"):
        op.drop_table(table)
