"""A steady load of tickets, sent as a platform sends them, with every answer recorded.

Open loop: a ticket goes out every `1/rate` seconds whatever the answers' latency. A refused ticket (503, a
connection error, no answer in time) is sent again later with the same external id, as a platform retries;
after a 503 it waits the `Retry-After` the API asked for. Some tickets are sent once more after they were
accepted (a platform that missed the answer): that must be answered 200 with the same case id.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx

from chaos.tickets import PlannedTicket

ACCEPTED = frozenset({200, 202})
RETRYABLE = frozenset({429, 502, 503, 504})
CONNECTION_RETRY_SECONDS = 1.0
RESEND_AFTER_SECONDS = 2.0


@dataclass(frozen=True)
class Answer:
    """One attempt: when it was answered (monotonic seconds) and sent (UTC), the status (None: no answer), the
    case id, and the `Retry-After` of a refusal."""

    at: float
    status: int | None
    case_id: str | None = None
    error: str = ""
    retry_after: str | None = None
    sent_utc: datetime | None = None


@dataclass
class Submission:
    """One ticket and every answer the API gave it."""

    ticket: PlannedTicket
    first_sent_at: float
    answers: list[Answer] = field(default_factory=list)

    @property
    def accepted(self) -> Answer | None:
        return next((a for a in self.answers if a.status in ACCEPTED), None)

    @property
    def case_id(self) -> str | None:
        answer = self.accepted
        return answer.case_id if answer else None

    @property
    def case_ids(self) -> set[str]:
        """Every case id the API answered for this ticket: more than one would be two cases for one ticket."""
        return {a.case_id for a in self.answers if a.case_id}

    @property
    def refusals(self) -> int:
        return sum(1 for a in self.answers if a.status not in ACCEPTED)

    @property
    def unavailable(self) -> bool:
        """Refused at least once with 503: the API said an engine was down (and asked for a retry)."""
        return any(a.status == 503 for a in self.answers)

    @property
    def only_503_before_accepted(self) -> bool:
        """Refused, and each refusal before it was accepted an explicit 503 (not a dropped connection)."""
        accepted = self.accepted
        if accepted is None:
            return False
        before = self.answers[: self.answers.index(accepted)]
        return bool(before) and all(a.status == 503 for a in before)

    def recorded_before_accepted(self, received_at: datetime) -> bool:
        """Its case was received (`received_at`, intake's clock) before the attempt that was accepted was sent:
        an earlier attempt, refused, recorded it after all."""
        accepted = self.accepted
        return accepted is not None and accepted.sent_utc is not None and received_at < accepted.sent_utc

    @property
    def resent(self) -> bool:
        """Sent again after it was accepted, and accepted again."""
        return sum(1 for a in self.answers if a.status in ACCEPTED) > 1

    @property
    def created_answers(self) -> int:
        """202s: more than one would mean the API created the case twice."""
        return sum(1 for a in self.answers if a.status == 202)


class TicketLoad:
    """Sends tickets at a steady rate; `submit` sends one more (a probe) through the same path."""

    def __init__(self, api: httpx.AsyncClient, *, rate_per_second: float) -> None:
        self._api = api
        self._interval = 1.0 / rate_per_second
        self.submissions: list[Submission] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._give_up = asyncio.Event()

    async def run(self, tickets: Iterator[PlannedTicket], stop: asyncio.Event) -> None:
        """Send one ticket per interval until `stop` is set; their retries go on until `drain`."""
        started = time.monotonic()
        for index, ticket in enumerate(tickets):
            delay = started + index * self._interval - time.monotonic()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
            if stop.is_set():
                return
            self.submit(ticket)

    def submit(self, ticket: PlannedTicket) -> Submission:
        """Send a ticket now (in the background) and keep trying until it is accepted or the load gives up."""
        submission = Submission(ticket, time.monotonic())
        self.submissions.append(submission)
        task = asyncio.create_task(self._send_until_accepted(submission))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return submission

    async def drain(self, *, timeout: float) -> None:
        """Wait for every ticket to be accepted; after `timeout` seconds stop retrying the rest."""
        pending = set(self._tasks)
        if pending:
            _done, pending = await asyncio.wait(pending, timeout=timeout)
        self._give_up.set()
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _send_until_accepted(self, submission: Submission) -> None:
        await self._until_answered(submission)
        if submission.ticket.resend and submission.accepted is not None:
            await self._pause(RESEND_AFTER_SECONDS)
            await self._until_answered(submission)

    async def _until_answered(self, submission: Submission) -> None:
        while not self._give_up.is_set():
            answer, wait = await self._send(submission.ticket)
            submission.answers.append(answer)
            if wait is None:
                return
            await self._pause(wait)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._give_up.wait(), timeout=seconds)

    async def _send(self, ticket: PlannedTicket) -> tuple[Answer, float | None]:
        """One attempt, and how long to wait before the next (None: no next attempt)."""
        sent = datetime.now(UTC)
        answer, wait = await self._attempt(ticket)
        return replace(answer, sent_utc=sent), wait

    async def _attempt(self, ticket: PlannedTicket) -> tuple[Answer, float | None]:
        try:
            response = await self._api.post("/v1/cases", json=ticket.body)
        except httpx.HTTPError as exc:
            return Answer(time.monotonic(), None, error=type(exc).__name__), CONNECTION_RETRY_SECONDS
        now = time.monotonic()
        if response.status_code in ACCEPTED:
            return Answer(now, response.status_code, str(response.json()["case_id"])), None
        retry_after = response.headers.get("retry-after")
        answer = Answer(now, response.status_code, error=response.text[:200], retry_after=retry_after)
        if response.status_code in RETRYABLE:
            return answer, _retry_after(retry_after)
        return answer, None  # refused for good (a 4xx): counted as never accepted


def _retry_after(header: str | None) -> float:
    """Seconds to wait as the API asked (at least half a second; one if it did not say)."""
    try:
        return max(0.5, float(header or "1"))
    except ValueError:
        return 1.0
