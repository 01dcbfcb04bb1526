"""No answer ever holds a stack trace, a file path or what the client sent: errors are short RFC 9457 problems
(`application/problem+json`) with the message in `detail` and a stable `code`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from services.contracts.problem_codes import ProblemCode
from services.intake.app import create_app
from services.intake.error_handlers import install_error_handlers
from services.intake.errors import Conflict
from services.intake.settings import IntakeSettings
from tests.unit.event_builders import CASE_ID
from tests.unit.test_telemetry import json_lines, json_logging

PHONE = "13812345678"
PROBLEM = "application/problem+json"
UNEXPECTED = {
    "type": "tag:hotline,2026:problem:internal_error",
    "title": "Internal error",
    "status": 500,
    "detail": "internal error; it has been logged",
    "code": "internal_error",
}


class Note(BaseModel):
    phone: int


def build_app() -> FastAPI:
    """A tiny app with the intake's real error handlers and routes that fail in the ways a bug would."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError(f'File "/work/main/services/intake/case_service.py", line 42: caller {PHONE}')

    @app.get("/key-error")
    async def key_error() -> dict[str, str]:
        known: dict[str, str] = {}
        return {"x": known["missing"]}

    @app.post("/notes")
    async def add_note(note: Note) -> dict[str, int]:
        return {"phone": note.phone}

    @app.post("/cases/{case_id}/transfer")
    async def transfer(case_id: str) -> None:
        raise Conflict("the case has been transferred 3 times", code=ProblemCode.TRANSFER_LIMIT_REACHED)

    return app


def assert_no_internals(response: httpx.Response) -> None:
    text = response.text
    for internal in ("Traceback", 'File "', ".py", "/work/", "line 42", PHONE, "RuntimeError", "KeyError"):
        assert internal not in text, f"{internal!r} in {text}"


@pytest.fixture(autouse=True)
def json_logs() -> Iterator[None]:
    """The services' JSON logging (the default console renderer's rich tracebacks are slow)."""
    with json_logging(service="intake"):
        yield


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    # Starlette re-raises an unhandled error after answering (for the server to log); the answer is what we test.
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as client:
        yield client


@pytest.mark.parametrize("path", ["/crash", "/key-error"])
async def test_an_unexpected_error_is_a_500_json_without_a_stack_trace(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {**UNEXPECTED, "instance": path}
    assert_no_internals(response)


async def test_the_stack_trace_goes_to_the_log_with_personal_data_masked(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    with json_logging(service="intake"):
        await client.get("/crash")

    out = capsys.readouterr().out
    [line] = [line for line in json_lines(out) if line["event"] == "api.unexpected_error"]
    assert line["path"] == "/crash"
    assert line["error_type"] == "RuntimeError"
    assert "Traceback (most recent call last)" in line["exception"]
    assert "caller 138****5678" in line["exception"]
    assert PHONE not in out


async def test_an_invalid_body_names_the_field_without_echoing_the_input(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"phone": f"{PHONE}x"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "phone"]
    assert_no_internals(response)


async def test_a_refusal_is_a_problem_with_its_code_and_the_detail_as_it_was(client: httpx.AsyncClient) -> None:
    response = await client.post("/cases/c-1/transfer")

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "tag:hotline,2026:problem:transfer_limit_reached",
        "title": "Transfer limit reached; the case goes to arbitration",
        "status": 409,
        "detail": "the case has been transferred 3 times",
        "instance": "/cases/c-1/transfer",
        "code": "transfer_limit_reached",
    }


async def test_each_field_that_does_not_fit_has_its_own_code(client: httpx.AsyncClient) -> None:
    missing = await client.post("/notes", json={})
    wrong = await client.post("/notes", json={"phone": "x"})
    not_json = await client.post("/notes", content=b'{"phone": ', headers={"content-type": "application/json"})

    for response in (missing, wrong, not_json):
        assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
        assert response.json()["code"] == "request_invalid"
    assert missing.json()["detail"] == [
        {"loc": ["body", "phone"], "msg": "Field required", "type": "missing", "code": "field_missing"}
    ]
    assert [issue["code"] for issue in wrong.json()["detail"]] == ["field_wrong_type"]
    assert [issue["code"] for issue in not_json.json()["detail"]] == ["body_not_json"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "detail"),
    [
        ("GET", "/no-such-path", 404, "not_found", "Not Found"),
        ("DELETE", "/notes", 405, "method_not_allowed", "Method Not Allowed"),
    ],
)
async def test_the_frameworks_own_refusals_are_problems_too(
    client: httpx.AsyncClient, method: str, path: str, status: int, code: str, detail: str
) -> None:
    response = await client.request(method, path)

    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM)
    assert (response.json()["code"], response.json()["detail"], response.json()["status"]) == (code, detail, status)


async def test_the_real_app_answers_an_internal_failure_without_a_stack_trace() -> None:
    # Without its lifespan the app has no engines: every route fails inside, as a bug would make it.
    app = create_app(IntakeSettings())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as client:
        response = await client.get(
            f"/v1/cases/{CASE_ID}", headers={"Authorization": "Bearer hk_0123456789ab_not-a-real-key-at-all"}
        )

    assert response.status_code == 500
    assert response.json() == {**UNEXPECTED, "instance": f"/v1/cases/{CASE_ID}"}
    assert_no_internals(response)
