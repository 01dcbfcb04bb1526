"""A case keeps its ticket's location: the point in WGS-84 and the grid code, sealed like the address.

Revision ID: 0009
Revises: 0008

A grid worker's report carries where the matter is (docs/places.md). The point may be a caller's home, so it is kept
as the address is: sealed under the payload keys in a column of its own (`location_sealed`, `CaseLocation` as JSON),
read back by `GET /v1/cases/{id}/ticket`. Cases recorded before have no location: nothing to fill.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case_records", sa.Column("location_sealed", sa.LargeBinary))


def downgrade() -> None:
    op.drop_column("case_records", "location_sealed")
