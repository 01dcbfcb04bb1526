"""The intake API as a platform uses it, over httpx: `HotlineClient` (blocking) and `AsyncHotlineClient` (asyncio).

Both send the API key (`Authorization: Bearer <key>`), raise `ProblemError` for an error answer and retry what can
safely be sent again: an answer 429 (refused before anything was done) always, and for requests the API treats as
idempotent (reads, a ticket, which the API knows again by `(channel, external_id)`, a callback key) also no answer and
503, waiting `Retry-After` when given. A rating is not sent twice unasked: the first may have been applied.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx
from pydantic import BaseModel, TypeAdapter

from hotline_client.errors import ProblemError, Unreachable
from hotline_client.models import (
    CallbackSecret,
    Case,
    NotificationSummary,
    Rating,
    Receipt,
    Ticket,
    TicketView,
)

USER_AGENT = "hotline-client/0.1"
NOTIFICATIONS = TypeAdapter(list[NotificationSummary])


@dataclass(frozen=True)
class Retries:
    """How often and how long to try again; waits double from `first_wait_seconds`, at most `max_wait_seconds`."""

    attempts: int = 4
    first_wait_seconds: float = 0.5
    max_wait_seconds: float = 30.0

    def wait(self, attempt: int, retry_after: int | None) -> float:
        """Seconds before attempt `attempt + 1` (`attempt` counts from 0)."""
        planned = retry_after if retry_after is not None else self.first_wait_seconds * 2**attempt
        return float(min(planned, self.max_wait_seconds))


@dataclass(frozen=True)
class _Call:
    """One request and what may be done when it gets no answer."""

    method: str
    path: str
    body: Any = None
    params: dict[str, str] = field(default_factory=dict)
    idempotent: bool = True

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        body = self.body.model_dump(mode="json", exclude_none=True) if isinstance(self.body, BaseModel) else self.body
        return http.build_request(self.method, self.path, json=body, params=self.params or None)

    def again_after(self, answer: httpx.Response | None, attempt: int, retries: Retries) -> float | None:
        """Seconds to wait before sending again, or None to stop (`answer` None: no answer came)."""
        if attempt + 1 >= retries.attempts:
            return None
        if answer is None:
            return retries.wait(attempt, None) if self.idempotent else None
        if answer.status_code == 429 or (answer.status_code == 503 and self.idempotent):
            return retries.wait(attempt, ProblemError.of(answer).retry_after)
        return None


def _checked(answer: httpx.Response) -> httpx.Response:
    if answer.status_code >= 400:
        raise ProblemError.of(answer)
    return answer


def _receipt(answer: httpx.Response) -> Receipt:
    return Receipt.model_validate({**answer.json(), "created": answer.status_code == 202})


def _submit(ticket: Ticket) -> _Call:
    return _Call("POST", "/v1/cases", ticket)


def _case(case_id: str) -> _Call:
    return _Call("GET", f"/v1/cases/{case_id}")


def _ticket(case_id: str) -> _Call:
    return _Call("GET", f"/v1/cases/{case_id}/ticket")


def _rating(case_id: str, rating: Rating) -> _Call:
    return _Call("POST", f"/v1/cases/{case_id}/rating", rating, idempotent=False)


def _notifications(case_id: str, status: str | None) -> _Call:
    params = {"case_id": case_id} | ({"status": status} if status else {})
    return _Call("GET", "/v1/notifications", params=params)


def _callback_secret(channel: str, secret: str | None) -> _Call:
    return _Call("PUT", f"/v1/platforms/{channel}/callback-secret", {"secret": secret} if secret else {})


def _headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", "User-Agent": USER_AGENT}


class HotlineClient:
    """The API for one API key (blocking). Use it as a context manager, or `close()` it."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_seconds: float = 10.0,
        retries: Retries | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._retries = retries or Retries()
        self._http = httpx.Client(
            base_url=base_url, headers=_headers(api_key), timeout=timeout_seconds, transport=transport
        )

    def submit_ticket(self, ticket: Ticket) -> Receipt:
        """Submit a ticket; sending it again (after a timeout, say) answers the same case id, `created` false."""
        return _receipt(self._send(_submit(ticket)))

    def get_case(self, case_id: str) -> Case:
        """The case as it stands: status, deadlines, handling unit, timeline."""
        return Case.model_validate(self._send(_case(case_id)).json())

    def get_ticket(self, case_id: str) -> TicketView:
        """The whole ticket of one's own case, with the caller (a 503 `ticket_not_recorded_yet` is retried)."""
        return TicketView.model_validate(self._send(_ticket(case_id)).json())

    def rate_case(self, case_id: str, rating: Rating) -> Case:
        """Send the caller's rating of a resolved case; the case as it stands after it."""
        return Case.model_validate(self._send(_rating(case_id, rating)).json())

    def list_notifications(self, case_id: str, *, status: str | None = None) -> list[NotificationSummary]:
        """A case's notifications and how their delivery went (coordination, admin and operator keys)."""
        return NOTIFICATIONS.validate_python(self._send(_notifications(case_id, status)).json())

    def set_callback_secret(self, channel: str, secret: str | None = None) -> CallbackSecret:
        """Set the key the channel's status callbacks are signed with; generated (and answered once) if not given."""
        return CallbackSecret.model_validate(self._send(_callback_secret(channel, secret)).json())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def _send(self, call: _Call) -> httpx.Response:
        attempt = 0
        failure: httpx.TransportError | None = None
        while True:
            try:
                answer: httpx.Response | None = self._http.send(call.request(self._http))
            except httpx.TransportError as error:
                answer, failure = None, error
            wait = call.again_after(answer, attempt, self._retries)
            if wait is None:
                if answer is None:
                    raise Unreachable(f"{call.method} {call.path}: {type(failure).__name__}") from failure
                return _checked(answer)
            time.sleep(wait)
            attempt += 1


class AsyncHotlineClient:
    """The API for one API key (asyncio). Use it as an async context manager, or `await aclose()`."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_seconds: float = 10.0,
        retries: Retries | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._retries = retries or Retries()
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=_headers(api_key), timeout=timeout_seconds, transport=transport
        )

    async def submit_ticket(self, ticket: Ticket) -> Receipt:
        """Submit a ticket; sending it again (after a timeout, say) answers the same case id, `created` false."""
        return _receipt(await self._send(_submit(ticket)))

    async def get_case(self, case_id: str) -> Case:
        """The case as it stands: status, deadlines, handling unit, timeline."""
        return Case.model_validate((await self._send(_case(case_id))).json())

    async def get_ticket(self, case_id: str) -> TicketView:
        """The whole ticket of one's own case, with the caller (a 503 `ticket_not_recorded_yet` is retried)."""
        return TicketView.model_validate((await self._send(_ticket(case_id))).json())

    async def rate_case(self, case_id: str, rating: Rating) -> Case:
        """Send the caller's rating of a resolved case; the case as it stands after it."""
        return Case.model_validate((await self._send(_rating(case_id, rating))).json())

    async def list_notifications(self, case_id: str, *, status: str | None = None) -> list[NotificationSummary]:
        """A case's notifications and how their delivery went (coordination, admin and operator keys)."""
        return NOTIFICATIONS.validate_python((await self._send(_notifications(case_id, status))).json())

    async def set_callback_secret(self, channel: str, secret: str | None = None) -> CallbackSecret:
        """Set the key the channel's status callbacks are signed with; generated (and answered once) if not given."""
        return CallbackSecret.model_validate((await self._send(_callback_secret(channel, secret))).json())

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.aclose()

    async def _send(self, call: _Call) -> httpx.Response:
        attempt = 0
        failure: httpx.TransportError | None = None
        while True:
            try:
                answer: httpx.Response | None = await self._http.send(call.request(self._http))
            except httpx.TransportError as error:
                answer, failure = None, error
            wait = call.again_after(answer, attempt, self._retries)
            if wait is None:
                if answer is None:
                    raise Unreachable(f"{call.method} {call.path}: {type(failure).__name__}") from failure
                return _checked(answer)
            await asyncio.sleep(wait)
            attempt += 1
