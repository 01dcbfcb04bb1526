"""What the routes need, built once in the app's lifespan and handed to routes as `Annotated` dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from nats.js import JetStreamContext

from services.contracts.assessment import AssessmentDefinitions
from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.payload_keys import PayloadKeyring
from services.engines.boundary_store import BoundaryStore
from services.engines.catalog_store import CatalogStore
from services.engines.credential_store import CredentialStore
from services.engines.notification_store import NotificationStore
from services.intake.access_log import AccessLog
from services.intake.attachment_service import AttachmentService
from services.intake.case_records import CaseRecords
from services.intake.case_service import CaseService
from services.intake.catalog_change_service import CatalogChangeService
from services.intake.rectification_service import RectificationService
from services.intake.report_service import ReportService
from services.intake.settings import IntakeSettings
from services.intake.ticket_intake import TicketIntake
from services.intake.unit_channel_store import UnitChannelStore


@dataclass(frozen=True)
class IntakeServices:
    settings: IntakeSettings
    catalogs: CatalogStore
    tickets: TicketIntake
    cases: CaseService
    unit_channels: UnitChannelStore
    catalog_changes: CatalogChangeService
    notifications: NotificationStore
    js: JetStreamContext
    credentials: CredentialStore
    records: CaseRecords
    keyring: PayloadKeyring
    access_log: AccessLog
    rectifications: RectificationService
    definitions: AssessmentDefinitions  # how units are assessed (the rates API)
    reports: ReportService
    attachments: AttachmentService
    boundaries: BoundaryStore  # the district's boundaries (places), followed like the catalog

    @property
    def catalog(self) -> ResponsibilityCatalog:
        """The catalog version in force now (it follows imports and approved changes)."""
        return self.catalogs.current()


async def _services(request: Request) -> IntakeServices:
    # `async`: FastAPI runs a plain `def` dependency in its thread pool, a thread hop on every request for nothing.
    services: IntakeServices = request.app.state.services
    return services


Services = Annotated[IntakeServices, Depends(_services)]
