"""Indexes for finding cases: a filter's cases newest first, read from an index in received order.

Revision ID: 0003
Revises: 0002

`GET /v1/cases` lists a filter's cases newest first, a page of 50. Over 1 M records (the bench's city, EXPLAIN
ANALYZE) a filter whose cases are a few percent of all (a township, a unit, an item, the overdue cases) otherwise
reads `case_records_received` backwards and fetches every row until the page is full: a township with a common word
of the text read 4 000 rows (26 ms at best, 150 ms under load), a unit's overdue cases 26 000 (93 ms). Read from
`(township, received_at)` they are 0.6 ms and 3.4 ms. The partial indexes are small (the overdue and escalated
cases only) and also combine with the units' GIN index (a unit's overdue cases: 2 ms).

Revision 0001's `case_records_received_at` (received_at) and `case_records_handling_unit` (handling_unit, status)
go: `case_records_received` (received_at, case_id) and `case_records_handling_received` do their work.

On a large live database, build the new indexes by hand first with CREATE INDEX CONCURRENTLY (same names): the
migration then skips them (IF NOT EXISTS) instead of holding the projector's writes while it builds them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# name, columns, partial condition
_INDEXES: tuple[tuple[str, list[str], str | None], ...] = (
    ("case_records_township_received", ["township", "received_at"], None),
    ("case_records_handling_received", ["handling_unit", "received_at"], None),
    ("case_records_item_received", ["catalog_item", "received_at"], None),
    ("case_records_overdue_received", ["received_at"], "overdue"),
    ("case_records_escalated_received", ["received_at"], "escalation_level > 0"),
)


def upgrade() -> None:
    for name, columns, where in _INDEXES:
        op.create_index(
            name,
            "case_records",
            columns,
            postgresql_where=sa.text(where) if where else None,
            if_not_exists=True,
        )
    op.drop_index("case_records_received_at", table_name="case_records", if_exists=True)
    op.drop_index("case_records_handling_unit", table_name="case_records", if_exists=True)


def downgrade() -> None:
    op.create_index("case_records_handling_unit", "case_records", ["handling_unit", "status"])
    op.create_index("case_records_received_at", "case_records", ["received_at"])
    for name, _columns, _where in reversed(_INDEXES):
        op.drop_index(name, table_name="case_records")
