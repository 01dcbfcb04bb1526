"""The files a ticket gives by URL (`attachment_urls`): fetched into the case's attachments by intake's activity
once the case is open, each listed on the case as an upload is; one that cannot be had is written in the timeline.

Workflow code, run inside `FirstContactCase` beside its main loop (a slow server holds up nothing else).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from services.contracts.attachment_fetch import (
        ATTACHMENT_TASK_QUEUE,
        FETCH_REFUSED,
        FETCH_TICKET_ATTACHMENT,
        AttachmentFetch,
    )
    from services.contracts.case_event_log import EventFields
    from services.contracts.case_timeline import SYSTEM, TimelineAction
    from services.contracts.case_view import CaseAttachment, CaseView
    from services.contracts.cases import CaseStatus, RoutedCase
    from services.contracts.credentials import ClientKind
    from services.contracts.tickets import UNIT_CALL_CHANNELS
    from services.workflows.case import case_replies as replies
    from services.workflows.case.case_engine import CaseEngine

# A platform's file server that is down for a while is waited for (about two hours in all), not given up at once.
FETCH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=16,
    non_retryable_error_types=[FETCH_REFUSED],
)
FETCH_TIMEOUT = timedelta(minutes=3)  # one try: the download (60 s by default), the image's preparation, the store

Apply = Callable[[Callable[[CaseEngine], Awaitable[None]]], Awaitable[object]]


def fetches_of(case: RoutedCase) -> list[AttachmentFetch]:
    """What to fetch for the case's ticket: each URL, in the name of whoever gave the ticket."""
    ticket = case.ticket
    by_unit = ticket.channel in UNIT_CALL_CHANNELS and case.calling_unit is not None
    return [
        AttachmentFetch(
            case_id=case.case_id,
            position=position,
            url=str(url),
            uploaded_by=case.calling_unit if by_unit and case.calling_unit else ticket.channel.value,
            uploaded_by_kind=ClientKind.UNIT if by_unit else ClientKind.PLATFORM,
        )
        for position, url in enumerate(ticket.attachment_urls or [])
    ]


async def fetch_all(fetches: list[AttachmentFetch], apply: Apply) -> None:
    """Fetch them all at once; each result changes the case through `apply` (the case's lock, its flush)."""
    await asyncio.gather(*(_fetch_one(fetch, apply) for fetch in fetches))


async def _fetch_one(fetch: AttachmentFetch, apply: Apply) -> None:
    outcome = await fetched(fetch)
    if isinstance(outcome, str):

        async def record_failure(engine: CaseEngine) -> None:
            if engine.view.status is CaseStatus.CLOSED:
                return  # closed while the file was being fetched: its record is complete without it
            fields = EventFields(reason=outcome)
            engine.record(SYSTEM, TimelineAction.ATTACHMENT_FETCH_FAILED, outcome, fields=fields)

        await apply(record_failure)
        return

    async def list_it(engine: CaseEngine) -> None:
        if engine.view.status is not CaseStatus.CLOSED:  # a closed case takes no attachments (an upload gets 409)
            await replies.attach(engine, outcome)

    await apply(list_it)


async def fetch_while_in_triage(fetch: AttachmentFetch, view: CaseView) -> None:
    """A file fetched while the case waits for triage, listed on its view so the centre sees it as it decides. The
    case's own workflow, once routed, asks for it again (finding it stored), lists it and writes any refusal."""
    outcome = await fetched(fetch)
    if isinstance(outcome, str) or view.status is not CaseStatus.TRIAGE:
        return
    if all(known.attachment_id != outcome.attachment_id for known in view.attachments):
        view.attachments.append(outcome)


async def fetched(fetch: AttachmentFetch) -> CaseAttachment | str:
    """The file as intake stored it, or why it could not be had (after the retries that might have helped)."""
    try:
        attachment: CaseAttachment = await workflow.execute_activity(
            FETCH_TICKET_ATTACHMENT,
            fetch,
            task_queue=ATTACHMENT_TASK_QUEUE,
            result_type=CaseAttachment,
            start_to_close_timeout=FETCH_TIMEOUT,
            retry_policy=FETCH_RETRY,
        )
    except ActivityError as exc:
        return _reason(exc)
    return attachment


def _reason(error: ActivityError) -> str:
    """The activity's own words (`attachment_urls[i]: ...`), not the SDK's wrapping."""
    cause = error.cause
    if isinstance(cause, ApplicationError):
        return cause.message
    return f"no answer from the attachment fetcher ({type(cause).__name__ if cause else 'unknown'})"
