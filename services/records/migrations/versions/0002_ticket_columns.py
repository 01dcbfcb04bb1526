"""The ticket in sealed columns, search tokens, the units on a case, deadlines, the timeline's words, the access log.

Revision ID: 0002
Revises: 0001

Rows of revision 0001 hold the caller's data as one sealed blob (`personal`): it is opened with the payload keys
(handed over by `services.records.migrate`), sealed again column by column, and the blob column dropped; a
downgrade seals the columns back into the blob.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from services.contracts.case_event_log import SealedData
from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.personal_columns import open_columns
from services.engines.sealed_data import seal, unseal
from services.records.ticket_columns import search_row, ticket_columns

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ARRAYS = ("units", "joint_units")
_INDEXES = ("case_records_units", "case_records_joint_units")


def upgrade() -> None:
    for name in _ARRAYS:
        op.add_column("case_records", sa.Column(name, ARRAY(sa.String(64)), nullable=False, server_default="{}"))
    for name in ("sign_for_due", "feedback_due", "resolution_due", "reported_at"):
        op.add_column("case_records", sa.Column(name, sa.DateTime(timezone=True)))
    op.add_column("case_records", sa.Column("rating_outcome", sa.String(32)))
    op.add_column("case_records", sa.Column("personal_key_id", sa.String(64)))
    for name in ("description_sealed", "address_sealed", "caller_name_sealed", "caller_phone_sealed"):
        op.add_column("case_records", sa.Column(name, sa.LargeBinary))
    op.add_column(
        "case_records", sa.Column("caller_confidential", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.create_table(
        "case_search",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("tokens", ARRAY(sa.BigInteger), nullable=False),
    )
    op.create_index("case_search_tokens", "case_search", ["tokens"], postgresql_using="gin")
    op.add_column("case_events", sa.Column("detail", sa.Text, nullable=False, server_default=""))
    _fill_from_views()
    _split_personal()
    op.drop_column("case_records", "personal")
    op.create_index(
        "case_records_identity",
        "case_records",
        ["channel", "calling_unit", "external_id"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.create_index("case_records_received", "case_records", ["received_at", "case_id"])
    for index, column in zip(_INDEXES, _ARRAYS, strict=True):
        op.create_index(index, "case_records", [column], postgresql_using="gin")
    op.create_index(
        "case_records_open_by_unit",
        "case_records",
        ["handling_unit", "resolution_due"],
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("client_kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("masked", sa.Boolean, nullable=False),
    )
    op.create_index("access_log_at", "access_log", ["at", "id"])
    op.create_index("access_log_case", "access_log", ["case_id", "at"])
    # Intake's role (deploy/k8s/postgres) reads everything and may only append to the access log; the development
    # server has no such role.
    op.execute(
        "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'records_intake') THEN "
        "GRANT INSERT ON access_log TO records_intake; END IF; END $$"
    )


def _fill_from_views() -> None:
    """The new plain columns of existing rows, from the view each row keeps (SQL, no keys needed)."""
    op.execute(
        """
        UPDATE case_records SET
          sign_for_due = (view -> 'deadlines' ->> 'sign_for')::timestamptz,
          feedback_due = (view -> 'deadlines' ->> 'feedback')::timestamptz,
          resolution_due = (view -> 'deadlines' ->> 'resolution')::timestamptz,
          units = ARRAY(
            SELECT DISTINCT u FROM unnest(
              ARRAY[first_contact_unit, handling_unit, calling_unit]
              || ARRAY(SELECT t ->> 'from_unit' FROM jsonb_array_elements(view -> 'transfers') t)
              || ARRAY(SELECT task ->> 'unit' FROM jsonb_array_elements(view -> 'joint_phases') p,
                       jsonb_array_elements(p -> 'tasks') task)
            ) u WHERE u IS NOT NULL)
        """
    )


def _split_personal() -> None:
    """Each row's sealed blob, opened and sealed again column by column (the keys come from the service)."""
    rows = op.get_bind().execute(
        sa.text("SELECT case_id, title, personal FROM case_records WHERE personal IS NOT NULL")
    )
    pending = rows.fetchall()
    if not pending:
        return
    keyring = _keyring()
    table = sa.table(
        "case_records",
        sa.column("case_id"),
        *(sa.column(name) for name in ("personal_key_id", "caller_confidential", "reported_at")),
        *(sa.column(name, sa.LargeBinary) for name in _SEALED),
    )
    search = sa.table(
        "case_search", sa.column("case_id"), sa.column("key_id"), sa.column("tokens", ARRAY(sa.BigInteger))
    )
    for case_id, title, personal in pending:
        data = unseal(SealedData.model_validate(personal), keyring)
        op.execute(table.update().where(table.c.case_id == case_id).values(**ticket_columns(case_id, data, keyring)))
        row = search_row(case_id, title, data, keyring)
        # This revision's columns only: later revisions add to the row (0005: the place keys, filled there).
        op.execute(search.insert().values(**{column.name: row[column.name] for column in search.columns}))


_SEALED = ("description_sealed", "address_sealed", "caller_name_sealed", "caller_phone_sealed")


def _keyring() -> PayloadKeyring:
    config = op.get_context().config
    keyring: PayloadKeyring | None = config.attributes.get("keyring") if config else None
    if keyring is None:
        raise RuntimeError("records hold sealed personal data: migrate with the payload keys (HOTLINE_PAYLOAD_KEYS)")
    return keyring


def downgrade() -> None:
    op.drop_table("access_log")
    op.drop_table("case_search")
    for index in ("case_records_open_by_unit", *_INDEXES, "case_records_received", "case_records_identity"):
        op.drop_index(index, table_name="case_records")
    op.add_column("case_records", sa.Column("personal", JSONB(none_as_null=True)))
    _join_personal()
    op.drop_column("case_events", "detail")
    for name in (
        *_ARRAYS,
        "sign_for_due",
        "feedback_due",
        "resolution_due",
        "reported_at",
        "rating_outcome",
        "personal_key_id",
        *_SEALED,
        "caller_confidential",
    ):
        op.drop_column("case_records", name)


def _join_personal() -> None:
    """Each row's sealed columns, opened and sealed back into revision 0001's blob."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            f"SELECT case_id, personal_key_id, caller_confidential, {', '.join(_SEALED)} FROM case_records "
            "WHERE personal_key_id IS NOT NULL"
        )
    ).fetchall()
    if not rows:
        return
    keyring = _keyring()
    for row in rows:
        content = open_columns(row.case_id, row, keyring)
        assert content is not None
        sealed = seal(content.as_personal(), keyring).model_dump_json()
        bind.execute(
            sa.text("UPDATE case_records SET personal = CAST(:sealed AS jsonb) WHERE case_id = :case_id"),
            {"sealed": sealed, "case_id": row.case_id},
        )
