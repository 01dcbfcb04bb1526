"""Word searches read the newest matches first: `case_search` gains the case's received time and an index on it.

Revision ID: 0006
Revises: 0005

`GET /v1/cases?q=...` lists a word's cases newest first, a page of 50. The words are in `case_search` and the order
was in `case_records`: PostgreSQL either fetched every case holding the word through the GIN index and sorted them
(a word in a few percent of a million tickets: tens of thousands of rows fetched), or walked the cases newest first
and looked each one up. With the received time beside the tokens it can walk `case_search_received` backwards,
filtering on the tokens, and stop at the 50th match (a common word), or take the GIN index's few matches and sort
them (a rare one), choosing by the tokens' statistics.

The backfill is one UPDATE joined to `case_records`: on a large live database run it by hand first, in slices of
received time, and build the index with CREATE INDEX CONCURRENTLY (same name): the migration then finds nothing
left to fill and skips the index (IF NOT EXISTS).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_search", sa.Column("received_at", sa.DateTime(timezone=True)))
    op.execute(
        "UPDATE case_search AS s SET received_at = r.received_at FROM case_records AS r "
        "WHERE r.case_id = s.case_id AND s.received_at IS DISTINCT FROM r.received_at"
    )
    op.create_index("case_search_received", "case_search", ["received_at", "case_id"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("case_search_received", table_name="case_search")
    op.drop_column("case_search", "received_at")
