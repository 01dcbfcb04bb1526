"""Case events as the case workflows publish them, for the records' tests: a case's five steps, in order."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from services.contracts.case_event_log import CaseEvent, EventFields, EventSource, PersonalData, case_event_id
from services.contracts.case_view import CaseView
from services.contracts.cases import CaseStatus
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.tickets import Caller
from services.engines.sealed_data import seal

RECEIVED = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
PHONE = "13812345678"
KEYRING = PayloadKeyring("k1", {"k1": os.urandom(32)})
STATUSES = [CaseStatus.RECEIVED, CaseStatus.ASSIGNED, CaseStatus.ACCEPTED, CaseStatus.RESOLVED, CaseStatus.CLOSED]
KINDS = ["received", "assigned", "accepted", "resolved", "closed"]


def event(case_id: str, sequence: int, *, personal: bool = False) -> CaseEvent:
    """The case's `sequence`-th event, its view after it."""
    view = CaseView(
        case_id=case_id,
        status=STATUSES[sequence - 1],
        channel="12345",
        external_id=f"T-{case_id}",
        title="小区停水",
        handling_unit="water",
        received_at=RECEIVED,
    )
    sealed = seal(personal_data(), KEYRING) if personal else None
    return CaseEvent(
        event_id=case_event_id(case_id, sequence),
        case_id=case_id,
        sequence=sequence,
        source=EventSource.CASE,
        kind=KINDS[sequence - 1],
        at=RECEIVED + timedelta(minutes=sequence),
        actor="water",
        detail=f"step {sequence}",
        fields=EventFields(unit="water"),
        view=view,
        personal=sealed,
    )


def personal_data(*, confidential: bool = False) -> PersonalData:
    return PersonalData(
        description="停水两天",
        address="幸福家园3号楼",
        caller=Caller(name="王女士", phone=PHONE, confidential=confidential),
        reported_at=RECEIVED,
    )
