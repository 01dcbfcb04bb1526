"""Intake's Temporal worker: the activity that fetches tickets' `attachment_urls` for the case workflows, on the
`hotline-attachments` task queue. Run in the background of intake's lifespan (intake keeps the attachments); it
connects when Temporal answers and is started again if it fails, while intake goes on taking tickets."""

from __future__ import annotations

import asyncio
from functools import partial

from temporalio.worker import Worker

from services.contracts.attachment_fetch import ATTACHMENT_TASK_QUEUE
from services.engines.lifecycle import keep_running
from services.engines.temporal import connect_temporal
from services.intake.attachment_downloads import AttachmentDownloads
from services.intake.attachment_fetcher import TicketAttachmentFetcher
from services.intake.attachment_service import AttachmentService
from services.intake.settings import IntakeSettings


def start_attachment_fetches(
    settings: IntakeSettings, attachments: AttachmentService, *, stop: asyncio.Event
) -> asyncio.Task[None] | None:
    """The worker in the background, started again when it fails; None where this intake does not run it."""
    if not settings.attachment_fetch_worker:
        return None
    serve = partial(serve_attachment_fetches, settings, attachments, stop=stop)
    return asyncio.create_task(keep_running("attachment-fetch-worker", serve, stop=stop))


async def end_attachment_fetches(worker: asyncio.Task[None] | None) -> None:
    """Once `stop` is set: the worker finishes or gives back the fetches in hand. Still connecting to a Temporal
    that is down, it would hold intake's shutdown up: it is given 5 s."""
    if worker is None:
        return
    await asyncio.wait([worker], timeout=5)
    worker.cancel()


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
