"""A ticket's `attachment_urls`: the case asks the attachment fetcher (intake's activity, on its own task queue)
for each, lists what it gets as an upload is listed, retries what may pass and writes a refusal in its timeline."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from services.contracts.attachment_fetch import (
    ATTACHMENT_TASK_QUEUE,
    FETCH_FAILED,
    FETCH_REFUSED,
    FETCH_TICKET_ATTACHMENT,
    AttachmentFetch,
    fetched_attachment_id,
)
from services.contracts.case_actions import RatingSubmission, UnitAction
from services.contracts.case_view import CaseAttachment, RatingLevel
from services.contracts.case_workflow import CaseUpdate
from services.contracts.cases import CaseStatus, RoutedCase
from services.contracts.credentials import ClientKind
from services.contracts.tickets import Channel, Ticket
from services.workflows.case.case_attachment_fetches import fetches_of
from tests.workflows.harness import Cases, eventually, routed_case

PHOTO = "https://12345.example.gov.cn/files/photo.jpg"
SLOW = "https://12345.example.gov.cn/files/slow.jpg"
GONE = "https://12345.example.gov.cn/files/gone.jpg"
BUSY = "https://12345.example.gov.cn/files/busy.pdf"


class FakeFetcher:
    """Stands in for intake's fetcher: a photo is had at once, a gone file is refused, a busy server fails twice."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.asked: list[AttachmentFetch] = []
        self.slow_server_answers = asyncio.Event()

    @activity.defn(name=FETCH_TICKET_ATTACHMENT)
    async def fetch(self, request: AttachmentFetch) -> CaseAttachment:
        self.calls[request.url] += 1
        self.asked.append(request)
        if request.url == GONE:
            raise ApplicationError(f"attachment_urls[{request.position}]: the URL answers 404", type=FETCH_REFUSED,
                                   non_retryable=True)  # fmt: skip
        if request.url == SLOW:
            await self.slow_server_answers.wait()
        if request.url == BUSY and self.calls[request.url] <= 2:
            raise ApplicationError("the URL answers 503", type=FETCH_FAILED)
        return CaseAttachment(
            attachment_id=fetched_attachment_id(request.case_id, request.position),
            kind="document" if request.url.endswith(".pdf") else "image",
            media_type="application/pdf" if request.url.endswith(".pdf") else "image/jpeg",
            size_bytes=1024,
            sha256="0" * 64,
            uploaded_at=datetime(2026, 12, 7, tzinfo=UTC),
            uploaded_by=request.uploaded_by,
        )


@asynccontextmanager
async def fetcher_worker(cases: Cases, fetcher: FakeFetcher) -> AsyncIterator[None]:
    async with Worker(cases.env.client, task_queue=ATTACHMENT_TASK_QUEUE, activities=[fetcher.fetch]):
        yield


def with_urls(case: RoutedCase, *urls: str, channel: Channel | None = None) -> RoutedCase:
    fields = case.ticket.model_dump()
    fields["attachment_urls"] = list(urls)
    if channel is not None:
        fields["channel"] = channel
    return case.model_copy(update={"ticket": Ticket.model_validate(fields)})


async def test_each_url_is_fetched_listed_on_the_case_or_its_refusal_written(cases: Cases) -> None:
    fetcher = FakeFetcher()
    case = with_urls(routed_case(received_at=await cases.now()), PHOTO, GONE, BUSY)
    async with fetcher_worker(cases, fetcher):
        handle = await cases.start(case)
        # The busy server's retries wait 5 s, then 10 s: time the test server skips.
        await cases.env.sleep(timedelta(minutes=1))

        async def all_settled() -> None:
            view = await handle.state()
            assert len(view.attachments) == 2 and "attachment_fetch_failed" in [e.action for e in view.timeline]

        await eventually(all_settled, "both files listed and the refusal written")
    view = await handle.state()
    # Fetched at once, so listed in the order they came back.
    assert {a.attachment_id for a in view.attachments} == {
        fetched_attachment_id(case.case_id, 0),
        fetched_attachment_id(case.case_id, 2),
    }
    [failure] = [entry for entry in view.timeline if entry.action == "attachment_fetch_failed"]
    assert (failure.actor, failure.detail) == ("system", "attachment_urls[1]: the URL answers 404")
    added = [entry for entry in view.timeline if entry.action == "attachment_added"]
    assert [entry.actor for entry in added] == ["12345", "12345"]
    assert fetcher.calls == {PHOTO: 1, GONE: 1, BUSY: 3}  # refused once and for all; the busy one until it answered


async def test_a_case_closed_while_a_file_is_fetched_ends_without_it(cases: Cases) -> None:
    fetcher = FakeFetcher()
    case = with_urls(routed_case(received_at=await cases.now()), SLOW)
    async with fetcher_worker(cases, fetcher):
        handle = await cases.start(case)
        await handle.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
        await handle.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已处理"))
        await handle.act(CaseUpdate.RATE, RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED))
        result = await handle.result()  # the fetch still in hand does not hold the case open
        fetcher.slow_server_answers.set()
    assert (result.status, result.attachments) == (CaseStatus.CLOSED, [])
    assert fetcher.calls == {SLOW: 1}


async def test_a_case_without_urls_asks_for_nothing(cases: Cases) -> None:
    fetcher = FakeFetcher()
    async with fetcher_worker(cases, fetcher):
        handle = await cases.start()
        await cases.env.sleep(timedelta(minutes=1))
        view = await handle.state()
    assert (view.attachments, fetcher.calls) == ([], Counter())


@pytest.mark.parametrize(
    ("channel", "calling_unit", "uploaded_by", "kind"),
    [
        (Channel.HOTLINE_12345, None, "12345", ClientKind.PLATFORM),
        (Channel.GRID, None, "grid", ClientKind.PLATFORM),
        (Channel.OPEN311, None, "open311", ClientKind.PLATFORM),
        (Channel.TOWNSHIP_CALL, "hekou-town", "hekou-town", ClientKind.UNIT),
    ],
)
def test_a_fetch_is_in_the_name_of_whoever_gave_the_ticket(
    channel: Channel, calling_unit: str | None, uploaded_by: str, kind: ClientKind
) -> None:
    case = with_urls(routed_case(received_at=datetime.now(UTC)), PHOTO, BUSY, channel=channel)
    case = case.model_copy(update={"calling_unit": calling_unit, "case_id": str(uuid.uuid4())})
    fetches = fetches_of(case)
    assert [(f.position, f.url, f.uploaded_by, f.uploaded_by_kind) for f in fetches] == [
        (0, PHOTO, uploaded_by, kind),
        (1, BUSY, uploaded_by, kind),
    ]
