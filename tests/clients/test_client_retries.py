"""What the client sends again and what it raises, against a stand-in for the API: a ticket and a read are sent
again after no answer, a 503 or a 429 (waiting `Retry-After`); a rating only after a 429; every error answer is a
`ProblemError` carrying the problem's code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from hotline_client import AsyncHotlineClient, HotlineClient, ProblemError, Rating, Retries, Ticket, Unreachable

CASE_ID = "0d5c0b7e-1f0e-5a4b-9a53-3c1d2f0a7b61"
TICKET = Ticket(
    channel="12345", external_id="12345-1", title="停水", description="小区停水两天", reported_at=datetime.now(UTC)
)
QUICK = Retries(attempts=3, first_wait_seconds=0, max_wait_seconds=0)
Answer = Callable[[httpx.Request], httpx.Response]


def problem(status: int, code: str, retry_after: int | None = None) -> httpx.Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    body = {"type": f"tag:hotline,2026:problem:{code}", "title": code, "status": status, "detail": code, "code": code}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json", **headers})


def answering(*answers: httpx.Response | Exception) -> tuple[list[httpx.Request], Answer]:
    """A stand-in answering in turn; the requests it saw."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        next_one = answers[min(len(seen), len(answers)) - 1]
        if isinstance(next_one, Exception):
            raise next_one
        return next_one

    return seen, answer


def blocking(answer: Answer) -> HotlineClient:
    return HotlineClient("http://intake.test", "hk_key", retries=QUICK, transport=httpx.MockTransport(answer))


def test_a_ticket_is_sent_again_after_no_answer_and_a_503() -> None:
    seen, answer = answering(
        httpx.ConnectError("refused"),
        problem(503, "message_bus_unavailable", retry_after=0),
        httpx.Response(202, json={"case_id": CASE_ID, "status": "received"}),
    )
    with blocking(answer) as hotline:
        receipt = hotline.submit_ticket(TICKET)

    assert (receipt.case_id, receipt.created) == (CASE_ID, True)
    assert len(seen) == 3 and {r.content for r in seen} == {seen[0].content}  # the same ticket each time
    assert seen[0].headers["authorization"] == "Bearer hk_key"


def test_a_resubmitted_ticket_is_the_same_case_not_created() -> None:
    _, answer = answering(httpx.Response(200, json={"case_id": CASE_ID, "status": "received"}))
    with blocking(answer) as hotline:
        assert hotline.submit_ticket(TICKET).created is False


def test_a_rating_is_not_sent_twice_unless_the_api_said_429() -> None:
    rating = Rating(speed="satisfied", outcome="satisfied")
    seen, answer = answering(problem(503, "workflow_engine_unavailable", retry_after=0))
    with blocking(answer) as hotline, pytest.raises(ProblemError) as failed:
        hotline.rate_case(CASE_ID, rating)
    assert (len(seen), failed.value.code, failed.value.status) == (1, "workflow_engine_unavailable", 503)

    seen, answer = answering(problem(429, "rate_limited", retry_after=0), problem(409, "wrong_case_status"))
    with blocking(answer) as hotline, pytest.raises(ProblemError) as refused:
        hotline.rate_case(CASE_ID, rating)
    assert (len(seen), refused.value.code) == (2, "wrong_case_status")


def test_no_answer_at_all_is_unreachable_after_the_attempts() -> None:
    seen, answer = answering(httpx.ConnectError("refused"))
    with blocking(answer) as hotline, pytest.raises(Unreachable):
        hotline.get_case(CASE_ID)
    assert len(seen) == QUICK.attempts


def test_an_answer_that_is_no_problem_is_still_a_problem_error() -> None:
    _, answer = answering(httpx.Response(502, text="<html>Bad Gateway</html>"))
    with blocking(answer) as hotline, pytest.raises(ProblemError) as failed:
        hotline.rate_case(CASE_ID, Rating(speed="satisfied", outcome="satisfied"))
    assert (failed.value.status, failed.value.code) == (502, "unexpected_response")


async def test_the_async_client_does_the_same() -> None:
    seen, answer = answering(
        problem(429, "rate_limited", retry_after=0),
        httpx.Response(202, json={"case_id": CASE_ID, "status": "received"}),
    )
    async with AsyncHotlineClient(
        "http://intake.test", "hk_key", retries=QUICK, transport=httpx.MockTransport(answer)
    ) as hotline:
        assert (await hotline.submit_ticket(TICKET)).case_id == CASE_ID
    assert len(seen) == 2


def test_a_wait_is_what_the_api_asked_within_the_limit() -> None:
    retries = Retries(first_wait_seconds=0.5, max_wait_seconds=30)
    assert [retries.wait(n, None) for n in range(3)] == [0.5, 1.0, 2.0]
    assert (retries.wait(0, 5), retries.wait(0, 120)) == (5.0, 30.0)
