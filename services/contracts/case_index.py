"""The record kept per case id in the `case_index` KV bucket: the idempotency key of intake, for the platforms'
retry horizon (the bucket's key lifetime, 30 days by default); the case records answer for older tickets.

Intake alone writes it, once, when the ticket is received (create-only). Whatever happens to the case later is
its workflows' to tell (`TriageCase`, `FirstContactCase`), never a write to this record by another service.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.contracts.case_view import CaseView
from services.contracts.cases import CaseStatus
from services.contracts.tickets import Ticket


class CaseIndexRecord(BaseModel):
    """What is known of a case before its workflow runs: no personal data."""

    schema_version: int = 1
    case_id: str
    channel: str
    external_id: str
    title: str
    township: str | None = None
    calling_unit: str | None = None
    received_at: datetime

    @classmethod
    def from_received(
        cls, case_id: str, ticket: Ticket, received_at: datetime, *, calling_unit: str | None = None
    ) -> CaseIndexRecord:
        return cls(
            case_id=case_id,
            channel=ticket.channel.value,
            external_id=ticket.external_id,
            title=ticket.title,
            township=ticket.township,
            calling_unit=calling_unit,
            received_at=received_at,
        )

    def as_view(self) -> CaseView:
        """The case as the API shows it while no workflow runs for it yet: received, on its way to a unit."""
        return CaseView(
            case_id=self.case_id,
            status=CaseStatus.RECEIVED,
            channel=self.channel,
            external_id=self.external_id,
            title=self.title,
            township=self.township,
            calling_unit=self.calling_unit,
            received_at=self.received_at,
        )
