"""`BodySizeLimit`: bodies above the limit are refused with 413, declared or streamed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel

from services.intake.body_limit import BodySizeLimit
from services.intake.error_handlers import install_error_handlers

LIMIT = 100


class Note(BaseModel):
    text: str


def build_app(handled: list[str]) -> FastAPI:
    """A tiny app behind the middleware, with the intake's error handlers (a body found too large while it is read is
    answered by them): a model-bodied route (like `POST /v1/cases`) and a raw one."""
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=LIMIT)

    @app.post("/notes")
    async def add_note(note: Note) -> dict[str, int]:
        handled.append(note.text)
        return {"length": len(note.text)}

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, int]:
        body = await request.body()
        handled.append(body.decode())
        return {"length": len(body)}

    @app.post("/open311/v2/requests.{fmt}")
    async def open311_request(request: Request, fmt: str) -> list[dict[str, str]]:
        handled.append((await request.body()).decode())
        return [{"service_request_id": "r-1"}]

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    return app


@pytest.fixture
def handled() -> list[str]:
    return []


@pytest.fixture
async def client(handled: list[str]) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(handled))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as client:
        yield client


def note_body(size: int) -> bytes:
    """A JSON note body of exactly `size` bytes."""
    body = json.dumps({"text": "x" * (size - len('{"text": ""}'))}).encode()
    assert len(body) == size
    return body


async def in_chunks(body: bytes, size: int = 16) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["detail"], problem["code"], problem["status"]) == (
        f"request body exceeds {LIMIT} bytes",
        "body_too_large",
        413,
    )


@pytest.mark.parametrize(("fmt", "media_type"), [("json", "application/json"), ("xml", "text/xml")])
async def test_an_open311_client_is_refused_in_the_specs_error_format(
    client: httpx.AsyncClient, handled: list[str], fmt: str, media_type: str
) -> None:
    response = await client.post(f"/open311/v2/requests.{fmt}", content=b"description=" + b"x" * LIMIT)
    assert response.status_code == 413 and response.headers["content-type"].startswith(media_type)
    description = f"request body exceeds {LIMIT} bytes"
    if fmt == "json":
        assert response.json() == [{"code": 413, "description": description}]
    else:
        assert b"<errors><error><code>413</code><description>" + description.encode() in response.content
    assert handled == []


@pytest.mark.parametrize("path", ["/notes", "/raw"])
async def test_declared_length_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient, handled: list[str], path: str
) -> None:
    response = await client.post(path, content=note_body(LIMIT + 1))

    assert_refused(response)
    assert handled == []


@pytest.mark.parametrize("path", ["/notes", "/raw"])
async def test_streamed_body_over_the_limit_is_refused(
    client: httpx.AsyncClient, handled: list[str], path: str
) -> None:
    request = client.build_request("POST", path, content=in_chunks(note_body(LIMIT * 3)))
    assert "content-length" not in request.headers

    response = await client.send(request)

    assert_refused(response)
    assert handled == []


@pytest.mark.parametrize("size", [LIMIT - 30, LIMIT])
async def test_body_up_to_the_limit_is_handled(client: httpx.AsyncClient, handled: list[str], size: int) -> None:
    response = await client.post("/notes", content=note_body(size), headers={"content-type": "application/json"})

    assert response.status_code == 200
    assert response.json() == {"length": size - len('{"text": ""}')}
    assert len(handled) == 1


async def test_streamed_body_up_to_the_limit_is_handled(client: httpx.AsyncClient, handled: list[str]) -> None:
    response = await client.post("/raw", content=in_chunks(note_body(LIMIT)))

    assert response.status_code == 200
    assert response.json() == {"length": LIMIT}
    assert handled == [note_body(LIMIT).decode()]


async def test_request_without_a_body_passes(client: httpx.AsyncClient) -> None:
    response = await client.get("/ping")

    assert response.status_code == 200
    assert response.json() == {"ok": True}


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [
        ("/cases/c-1/files", LIMIT * 5, 200),  # the larger path's own limit
        ("/cases/c-1/files/", LIMIT * 5, 200),
        ("/cases/c-1/files", LIMIT * 10 + 1, 413),
        ("/cases/c-1/files/extra", LIMIT + 1, 413),  # another path: the general limit
        ("/cases/c-1/c-2/files", LIMIT + 1, 413),  # `{case_id}` is one segment
        ("/raw", LIMIT + 1, 413),
    ],
)
async def test_a_path_may_have_a_larger_limit(path: str, size: int, status: int) -> None:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=LIMIT, larger={"/cases/{case_id}/files": LIMIT * 10})

    @app.post("/{rest:path}")
    async def anything(request: Request) -> dict[str, int]:
        return {"length": len(await request.body())}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake.test") as client:
        response = await client.post(path, content=in_chunks(b"x" * size))
    assert response.status_code == status
