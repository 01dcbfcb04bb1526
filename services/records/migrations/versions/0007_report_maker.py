"""A stored report names the workflow run that stored it.

Revision ID: 0007
Revises: 0006

A report's `produce` activity stores it and answers whether it did (only the run that stored a report sends it).
An attempt that stored the report and then lost its answer (a worker stopping between the commit and the reply) is
retried: without knowing the row as its own it would answer "stored by another run" and the report would never be
sent. `made_by` is the run's `<workflow id>/<run id>`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assessment_reports", sa.Column("made_by", sa.String(200)))


def downgrade() -> None:
    op.drop_column("assessment_reports", "made_by")
