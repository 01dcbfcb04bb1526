"""The console shows the API's own reason for a refusal, read from its problem details, and keeps its code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.console.api_client import ApiRefused, ConsoleApi
from services.console.staff import Staff
from services.contracts.credentials import ClientKind
from services.contracts.problem_codes import ProblemCode
from services.intake.problem_details import PROBLEM_MEDIA_TYPE, problem

CLERK = Staff(person="zhang.san", name="张三", kind=ClientKind.UNIT, subject="water")


def api_answering(status: int, body: dict[str, Any]) -> ConsoleApi:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers={"content-type": PROBLEM_MEDIA_TYPE})

    api = ConsoleApi("http://intake.test", "hk_console_key", timeout=5)
    api.use_transport(httpx.MockTransport(answer))
    return api


async def test_a_refused_action_shows_the_apis_reason_and_keeps_its_code() -> None:
    reason = "the case has been transferred 2 times, the most allowed; it now goes to the coordination centre"
    body = problem(ProblemCode.TRANSFER_LIMIT_REACHED, reason, instance="/v1/cases/c-1/transfer")
    api = api_answering(409, body)

    with pytest.raises(ApiRefused) as refused:
        await api.acting_for(CLERK).post("/v1/cases/c-1/transfer", {"unit": "water"})

    assert (refused.value.status, refused.value.detail, refused.value.code) == (409, reason, "transfer_limit_reached")


async def test_fields_that_do_not_fit_are_named_one_by_one() -> None:
    issues = [
        {
            "loc": ["body", "note"],
            "msg": "String should have at most 2000 characters",
            "type": "string_too_long",
            "code": "field_too_long",
        },
        {"loc": ["body", "unit"], "msg": "Field required", "type": "missing", "code": "field_missing"},
    ]
    api = api_answering(422, problem(ProblemCode.REQUEST_INVALID, issues, instance="/v1/cases/c-1/resolve"))

    with pytest.raises(ApiRefused) as refused:
        await api.acting_for(CLERK).post("/v1/cases/c-1/resolve", {"note": "x" * 2001})

    assert refused.value.detail == "note: String should have at most 2000 characters; unit: Field required"
    assert refused.value.code == "request_invalid"
