"""The cases awaiting a decision on an extension, found from an index of their own.

Revision ID: 0008
Revises: 0007

The coordination centre's desk lists the cases whose handling unit asked for more time (`GET /v1/cases?
extension_pending=true`). The records keep the request in the case's view (`extensions[].status`), so no column is
added: a partial index on the received time holds only the cases with a pending request, a handful at any time, and
the desk reads them from it instead of every case's view.

On a large live database build it by hand first with CREATE INDEX CONCURRENTLY (same name): the migration then skips
it (IF NOT EXISTS).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# As `tables.EXTENSION_PENDING` says it today (a migration keeps its own copy: it must not change with the code).
EXTENSION_PENDING = """(view -> 'extensions') @> '[{"status": "pending"}]'::jsonb"""


def upgrade() -> None:
    op.create_index(
        "case_records_extension_pending",
        "case_records",
        ["received_at"],
        postgresql_where=sa.text(EXTENSION_PENDING),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_index("case_records_extension_pending", table_name="case_records")
