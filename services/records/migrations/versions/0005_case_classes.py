"""Classes of cases and special rectifications: the place keys of a case, the classes found, the rectifications.

Revision ID: 0005
Revises: 0004

`case_search` gains the keyed hashes of a case's normalised address and community
(services/engines/records_db/address_keys.py), filled here for the cases already recorded: each row's sealed address
is opened with the payload keys (handed over by `services.records.migrate`) and hashed under the key of its search
row. `case_classes` holds the classes the hotspot scan finds, `rectifications` the special rectifications.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.address_keys import place_key, place_keys
from services.engines.records_db.personal_columns import open_columns

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 1000


def _at(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("case_search", sa.Column("address_key", sa.BigInteger))
    op.add_column("case_search", sa.Column("community_key", sa.BigInteger))
    _fill_place_keys()
    op.create_table(
        "case_classes",
        sa.Column("class_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("kind_name", sa.String(64), nullable=False),
        sa.Column("catalog_item", sa.String(32)),
        sa.Column("township", sa.String(64)),
        sa.Column("key_id", sa.String(64)),
        sa.Column("address_key", sa.BigInteger),
        sa.Column("community_key", sa.BigInteger),
        sa.Column("label", sa.Text, nullable=False),
        _at("first_received_at", nullable=False),
        _at("last_received_at", nullable=False),
        _at("active_until", nullable=False),
        sa.Column("case_count", sa.Integer, nullable=False),
        sa.Column("case_ids", ARRAY(sa.String(36)), nullable=False),
        sa.Column("thresholds_version", sa.String(64), nullable=False),
        _at("detected_at", nullable=False),
        _at("updated_at", nullable=False),
        _at("notified_at"),
        sa.Column("rectification_id", sa.String(36)),
    )
    op.create_index("case_classes_detected", "case_classes", ["detected_at", "class_id"])
    op.create_index("case_classes_active", "case_classes", ["active_until"])
    op.create_index("case_classes_item_township", "case_classes", ["catalog_item", "township"])
    op.create_table(
        "rectifications",
        sa.Column("rectification_id", sa.String(36), primary_key=True),
        sa.Column("class_id", sa.String(36)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("lead_unit", sa.String(64), nullable=False),
        sa.Column("participants", ARRAY(sa.String(64)), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _at("deadline", nullable=False),
        _at("opened_at", nullable=False),
        _at("closed_at"),
        sa.Column("case_count", sa.Integer, nullable=False),
        sa.Column("open_case_count", sa.Integer, nullable=False),
        _at("last_progress_at"),
        sa.Column("view", JSONB, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        _at("updated_at", nullable=False),
    )
    op.create_index("rectifications_opened", "rectifications", ["opened_at", "rectification_id"])
    op.create_index(
        "rectifications_open_class",
        "rectifications",
        ["class_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open' AND class_id IS NOT NULL"),
    )


def _fill_place_keys() -> None:
    """The place keys of every recorded case with an address, a batch at a time (the keys come from the service)."""
    bind = op.get_bind()
    select = sa.text(
        "SELECT r.case_id, r.personal_key_id, r.caller_confidential, r.description_sealed, r.address_sealed, "
        "r.caller_name_sealed, r.caller_phone_sealed, s.key_id AS search_key_id "
        "FROM case_records r JOIN case_search s ON s.case_id = r.case_id "
        "WHERE r.address_sealed IS NOT NULL AND r.case_id > :after ORDER BY r.case_id LIMIT :batch"
    )
    update = sa.text(
        "UPDATE case_search SET address_key = :address_key, community_key = :community_key WHERE case_id = :case_id"
    )
    keyring: PayloadKeyring | None = None
    keys: dict[str, bytes] = {}
    after = ""
    while rows := bind.execute(select, {"after": after, "batch": BATCH}).fetchall():
        keyring = keyring or _keyring()
        values = []
        for row in rows:
            content = open_columns(row.case_id, row, keyring)
            if row.search_key_id not in keys:
                keys[row.search_key_id] = place_key(keyring, row.search_key_id)
            place = place_keys(content.address if content else None, keys[row.search_key_id])
            values.append({"case_id": row.case_id, "address_key": place.address, "community_key": place.community})
        bind.execute(update, values)
        after = rows[-1].case_id


def _keyring() -> PayloadKeyring:
    config = op.get_context().config
    keyring: PayloadKeyring | None = config.attributes.get("keyring") if config else None
    if keyring is None:
        raise RuntimeError("records hold sealed addresses: migrate with the payload keys (HOTLINE_PAYLOAD_KEYS)")
    return keyring


def downgrade() -> None:
    op.drop_table("rectifications")
    op.drop_table("case_classes")
    op.drop_column("case_search", "community_key")
    op.drop_column("case_search", "address_key")
