"""A case's place (its routing's grid code) in a column of its own, indexed for a search by place.

Revision ID: 0010
Revises: 0009

`GET /v1/cases?place=<code>` finds the cases of a place and of every place under it (docs/places.md): the code
itself, or a code starting with it and a dot. The place was only in the stored view (`view->'routing'->>'place'`),
which no index serves. The column is collated "C" (byte order): its btree index then answers a range
`place >= 'x.y.' AND place < 'x.y/'` (what the search asks, with a bound parameter) and `place LIKE 'x.y.%'` alike,
whatever the database's own collation; codes are lower-case ASCII, so byte order loses nothing.

The backfill is one UPDATE of the cases with a place in their view: on a large live database run it by hand first,
in slices of received time, and build the index with CREATE INDEX CONCURRENTLY (same name): the migration then finds
nothing left to fill and skips the index (IF NOT EXISTS).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_records", sa.Column("place", sa.Text(collation="C")))
    op.execute(
        "UPDATE case_records SET place = view -> 'routing' ->> 'place' "
        "WHERE view -> 'routing' ->> 'place' IS NOT NULL AND place IS DISTINCT FROM view -> 'routing' ->> 'place'"
    )
    op.create_index("case_records_place", "case_records", ["place"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("case_records_place", table_name="case_records")
    op.drop_column("case_records", "place")
