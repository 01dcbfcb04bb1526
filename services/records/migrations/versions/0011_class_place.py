"""A class's grid, for the kinds of class grouped by place (`group_by` naming `place`: the cases of one grid).

Revision ID: 0011
Revises: 0010

Classes of a kind grouped by the routing's place keep its grid code, as those grouped by township keep the
township's: the scan matches known classes by it, and `GET /v1/reports/hotspots` answers it as the class's `place`.
Nullable and without a backfill: no class had one before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_classes", sa.Column("place", sa.Text(collation="C")))


def downgrade() -> None:
    op.drop_column("case_classes", "place")
