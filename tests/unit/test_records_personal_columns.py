"""A caller's data sealed column by column: opened with the key that sealed it, bound to its case and column."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from services.contracts.case_event_log import PersonalData
from services.contracts.case_ticket import CaseLocation
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.tickets import Caller
from services.engines.records_db.personal_columns import open_columns, seal_columns
from services.engines.sealed_data import UnsealError

OLD = PayloadKeyring("old", {"old": os.urandom(32)})
ROTATED = PayloadKeyring("new", {**OLD.keys, "new": os.urandom(32)})
DATA = PersonalData(
    description="停水两天",
    address="幸福家园3号楼",
    caller=Caller(name="王女士", phone="13812345678", confidential=True),
    location=CaseLocation(latitude=36.294321, longitude=117.492456, grid_code="sample-district.hekou-town.wangjia.g01"),
)


def test_sealed_columns_open_to_the_ticket_and_hold_no_clear_text() -> None:
    row = seal_columns("case-1", DATA, OLD)
    sealed = b"".join(v for v in row.values() if isinstance(v, bytes))
    assert b"13812345678" not in sealed and b"36.294321" not in sealed and b"wangjia" not in sealed
    opened = open_columns("case-1", SimpleNamespace(**row), OLD)
    assert opened is not None and opened.as_personal() == DATA


def test_a_rotated_keyring_opens_old_rows_and_seals_new_ones_with_the_new_key() -> None:
    old_row = seal_columns("case-1", DATA, OLD)
    assert open_columns("case-1", SimpleNamespace(**old_row), ROTATED) is not None
    assert seal_columns("case-2", DATA, ROTATED)["personal_key_id"] == "new"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda row: row.update(caller_phone_sealed=row["caller_name_sealed"]),  # moved to another column
        lambda row: row.update(personal_key_id="old"),  # relabelled with another key
        lambda row: row.update(description_sealed=row["description_sealed"][:-1] + b"x"),  # altered
        lambda row: row.update(location_sealed=row["address_sealed"]),  # the address in the location's column
    ],
)
def test_a_moved_relabelled_or_altered_value_does_not_open(tamper: object) -> None:
    row = seal_columns("case-1", DATA, ROTATED)
    tamper(row)  # type: ignore[operator]
    with pytest.raises(UnsealError):
        open_columns("case-1", SimpleNamespace(**row), ROTATED)


def test_a_value_copied_to_another_case_does_not_open() -> None:
    row = seal_columns("case-1", DATA, OLD)
    with pytest.raises(UnsealError):
        open_columns("case-2", SimpleNamespace(**row), OLD)


def test_a_row_without_a_ticket_opens_to_nothing() -> None:
    assert open_columns("case-1", SimpleNamespace(personal_key_id=None), OLD) is None


def test_a_row_from_before_locations_opens_without_one() -> None:
    row = seal_columns("case-1", DATA, OLD)
    del row["location_sealed"]  # as the migrations that open older rows select them

    opened = open_columns("case-1", SimpleNamespace(**row), OLD)

    assert opened is not None and opened.location is None and opened.address == DATA.address
