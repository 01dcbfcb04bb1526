"""Intake's Temporal worker: the activity that fetches tickets' `attachment_urls` for the case workflows, on the
`hotline-attachments` task queue. Run in the background of intake's lifespan (intake keeps the attachments); it
connects when Temporal answers and is started again if it fails, while intake goes on taking tickets."""

from __future__ import annotations

import asyncio

from temporalio.worker import Worker

from services.contracts.attachment_fetch import ATTACHMENT_TASK_QUEUE
from services.engines.temporal import connect_temporal
from services.intake.attachment_downloads import AttachmentDownloads
from services.intake.attachment_fetcher import TicketAttachmentFetcher
from services.intake.attachment_service import AttachmentService
from services.intake.settings import IntakeSettings


async def serve_attachment_fetches(
    settings: IntakeSettings, attachments: AttachmentService, *, stop: asyncio.Event
) -> None:
    """Run the worker until `stop` is set (then finish or give back the fetches in hand)."""
    client = await connect_temporal(settings)
    downloads = AttachmentDownloads(
        targets=settings.outbound_targets(),
        max_bytes=settings.attachment_max_bytes,
        timeout_seconds=settings.attachment_fetch_timeout_seconds,
    )
    async with downloads:
        fetcher = TicketAttachmentFetcher(attachments=attachments, downloads=downloads)
        worker = Worker(
            client,
            task_queue=ATTACHMENT_TASK_QUEUE,
            activities=[fetcher.fetch],
            max_concurrent_activities=settings.attachment_fetch_concurrency,
        )
        async with worker:
            await stop.wait()
