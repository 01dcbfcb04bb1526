"""Attachments through the real API on the real object store (SeaweedFS's S3 gateway): a photo uploaded, listed,
downloaded by its link without its EXIF position, its checksum matching; files refused by their bytes, their size
and the caller's role; every download in the access log; the store holding only ciphertext."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from PIL import Image

from services.contracts.credentials import ClientKind, Principal
from services.contracts.payload_keys import build_keyring
from services.engines.object_store import ObjectStore
from services.intake.attachment_service import AttachmentService
from services.intake.errors import Conflict
from tests.integration.test_end_to_end import wait_for_status
from tests.support.case_lifecycle import accepted_case, act
from tests.support.credentials import bearer
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body
from tests.unit.test_attachment_files import GPS_IFD, photo

MAX_BYTES = 2 * 1024 * 1024  # the test system's HOTLINE_INTAKE_ATTACHMENT_MAX_BYTES


def as_(system: RunningSystem, name: str) -> dict[str, str]:
    return bearer(system.keys[name])


async def water_case(api: httpx.AsyncClient, system: RunningSystem) -> str:
    posted = await api.post("/v1/cases", json=ticket_body(), headers=as_(system, "platform-12345"))
    assert posted.status_code == 202, posted.text
    case_id: str = posted.json()["case_id"]
    await wait_for_status(api, case_id, "assigned")
    return case_id


async def upload(
    api: httpx.AsyncClient, system: RunningSystem, who: str, case_id: str, name: str, data: bytes, **form: Any
) -> httpx.Response:
    return await api.post(
        f"/v1/cases/{case_id}/attachments",
        files={"file": (name, data, "application/octet-stream")},
        data=form,
        headers=as_(system, who),
    )


async def test_a_photo_is_listed_and_downloaded_without_its_position_and_the_download_is_logged(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = await water_case(api, system)

    posted = await upload(api, system, "platform-12345", case_id, "现场.jpg", photo(), description="停水现场")
    assert posted.status_code == 201, posted.text
    attachment = posted.json()
    assert attachment["media_type"] == "image/jpeg" and attachment["kind"] == "image"
    assert attachment["location"] == {"latitude": 36.875, "longitude": 120.525, "coordinate_system": "wgs84"}
    assert (attachment["width"], attachment["height"]) == (600, 800)

    listed = await api.get(f"/v1/cases/{case_id}/attachments", headers=as_(system, "water"))
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    case = (await api.get(f"/v1/cases/{case_id}", headers=as_(system, "water"))).json()
    [on_case] = case["attachments"]  # the case knows it too, without its name, position or links
    assert (on_case["attachment_id"], on_case["sha256"], on_case["uploaded_by"]) == (
        item["attachment_id"],
        item["sha256"],
        "12345",
    )
    assert "location" not in on_case and "file_name" not in on_case
    added = case["timeline"][-1]
    assert (added["action"], added["actor"], added["attachment_ids"]) == (
        "attachment_added",
        "12345",
        [item["attachment_id"]],
    )
    assert item["attachment_id"] == attachment["attachment_id"] and item["description"] == "停水现场"

    async with httpx.AsyncClient(timeout=30) as anyone:  # the link is the permission: no API key
        downloaded = await anyone.get(item["download_url"])
        thumbnail = await anyone.get(item["thumbnail_url"])
    assert downloaded.status_code == 200, downloaded.text
    assert hashlib.sha256(downloaded.content).hexdigest() == item["sha256"] == downloaded.headers["x-checksum-sha256"]
    assert len(downloaded.content) == item["size_bytes"]
    stored = Image.open(io.BytesIO(downloaded.content))
    assert stored.getexif().get_ifd(GPS_IFD) == {} and dict(stored.getexif()) == {}
    assert thumbnail.status_code == 200 and max(Image.open(io.BytesIO(thumbnail.content)).size) == 320

    log = await api.get("/v1/admin/access-log", params={"case_id": case_id}, headers=as_(system, "admin"))
    downloads = [
        (entry["client_kind"], entry["subject"]) for entry in log.json()["items"] if entry["purpose"] == "attachment"
    ]
    assert downloads == [("unit", "water"), ("unit", "water")]  # file and thumbnail, in the lister's name

    # What the store holds is ciphertext: neither the JPEG nor the camera's maker is in it.
    store = system.object_store
    assert store is not None
    objects = ObjectStore(store.store_config())
    try:
        raw = await objects.get(f"cases/{case_id}/{attachment['attachment_id']}/file")
    finally:
        await objects.close()
    assert raw.startswith(b"HSO1") and b"JFIF" not in raw and downloaded.content not in raw


async def test_files_are_judged_by_their_bytes_and_their_size(api: httpx.AsyncClient, system: RunningSystem) -> None:
    case_id = await water_case(api, system)

    text = await upload(api, system, "water", case_id, "photo.jpg", "这不是照片，是一段文字。".encode() * 40)
    assert text.status_code == 415, text.text
    assert text.json()["code"] == "attachment_type_not_accepted" and text.json()["detail"].startswith("file:")

    big = await upload(api, system, "water", case_id, "big.pdf", b"%PDF-1.7\n" + b"0" * MAX_BYTES)
    assert big.status_code == 413, big.text
    assert big.json()["code"] == "attachment_too_large" and "file" in big.json()["detail"]

    pdf = await upload(api, system, "water", case_id, "通知.pdf", b"%PDF-1.7\n%%EOF\n")
    assert pdf.status_code == 201, pdf.text
    assert pdf.json()["media_type"] == "application/pdf" and pdf.json()["uploaded_by"] == "water"
    listed = (await api.get(f"/v1/cases/{case_id}/attachments", headers=as_(system, "water"))).json()
    assert [item["file_name"] for item in listed["items"]] == ["通知.pdf"]


async def test_only_those_who_read_the_case_upload_and_list(api: httpx.AsyncClient, system: RunningSystem) -> None:
    case_id = await water_case(api, system)
    posted = await upload(api, system, "coordination-centre", case_id, "a.png", photo("PNG"))
    assert posted.status_code == 201, posted.text

    for who, status, code in [
        ("transport", 403, "not_involved"),
        ("admin", 403, "client_kind_not_allowed"),
        ("operator", 403, "client_kind_not_allowed"),
        ("platform-89000", 404, "case_not_found"),
    ]:
        listed = await api.get(f"/v1/cases/{case_id}/attachments", headers=as_(system, who))
        assert (listed.status_code, listed.json()["code"]) == (status, code), who
        refused = await upload(api, system, who, case_id, "b.jpg", photo())
        assert (refused.status_code, refused.json()["code"]) == (status, code), who


async def answer_before_the_body(system: RunningSystem, case_id: str, key: str | None) -> bytes:
    """The status line intake answers to an upload whose headers promise a file nearly as large as allowed, of which
    only the first KiB is ever sent: an answer at all shows the body was not waited for."""
    url = httpx.URL(system.api_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        headers = [
            f"POST /v1/cases/{case_id}/attachments HTTP/1.1",
            f"Host: {url.host}",
            "Content-Type: multipart/form-data; boundary=x",
            f"Content-Length: {MAX_BYTES}",
            *([f"Authorization: Bearer {key}"] if key else []),
        ]
        writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + b"--x\r\n" + b"0" * 1024)
        await writer.drain()
        return await asyncio.wait_for(reader.readline(), timeout=10)
    finally:
        writer.close()


async def test_a_file_is_read_only_from_someone_who_may_attach_it(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    """Refused before the body is read: an anonymous client or a unit with no part in the case makes intake spool
    nothing."""
    case_id = await water_case(api, system)
    assert (await answer_before_the_body(system, case_id, None)).startswith(b"HTTP/1.1 401")
    assert (await answer_before_the_body(system, case_id, "not-a-key")).startswith(b"HTTP/1.1 401")
    assert (await answer_before_the_body(system, case_id, system.keys["transport"])).startswith(b"HTTP/1.1 403")


async def test_a_form_without_its_file_is_refused_naming_the_field(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = await water_case(api, system)
    path = f"/v1/cases/{case_id}/attachments"
    for body, field in [
        ({"data": {"description": "现场"}}, "file: required"),
        ({"json": {"file": "aGVsbG8="}}, "file: required"),
        ({"files": {"file": ("a.jpg", photo())}, "data": {"description": "长" * 501}}, "description: at most 500"),
    ]:
        refused = await api.post(path, headers=as_(system, "water"), **body)  # type: ignore[arg-type]
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"].startswith(field), refused.text


async def test_an_altered_or_unknown_link_is_refused(api: httpx.AsyncClient, system: RunningSystem) -> None:
    case_id = await water_case(api, system)
    await upload(api, system, "water", case_id, "a.jpg", photo())
    [item] = (await api.get(f"/v1/cases/{case_id}/attachments", headers=as_(system, "water"))).json()["items"]

    async with httpx.AsyncClient(timeout=30) as anyone:
        altered = await anyone.get(item["download_url"][:-4] + "AAAA")
        made_up = await anyone.get(f"{system.api_url}/v1/attachment-downloads/not-a-link")
    assert (altered.status_code, altered.json()["code"]) == (403, "attachment_link_invalid")
    assert (made_up.status_code, made_up.json()["code"]) == (403, "attachment_link_invalid")


async def test_a_resolution_shows_its_after_photo_and_names_only_the_cases_own(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case = await accepted_case(api, category="LS-06", unit="water")
    case_id = case["case_id"]
    before = (await upload(api, system, "platform-12345", case_id, "before.jpg", photo())).json()["attachment_id"]
    after = await upload(api, system, "water", case_id, "after.jpg", photo(), description="已恢复供水")
    assert after.status_code == 201, after.text
    after_id = after.json()["attachment_id"]

    elsewhere = await water_case(api, system)
    foreign = (await upload(api, system, "water", elsewhere, "x.jpg", photo())).json()["attachment_id"]
    refused = await api.post(
        f"/v1/cases/{case_id}/resolve",
        json={"unit": "water", "note": "已修复", "attachment_ids": [after_id, foreign]},
        headers=as_(system, "water"),
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "attachment_not_on_case")
    assert refused.json()["detail"].startswith("attachment_ids[1]:")

    progress = await act(api, case_id, "progress", {"unit": "water", "done": "已更换阀门", "attachment_ids": [before]})
    assert progress["timeline"][-1]["attachment_ids"] == [before]
    resolved = await act(api, case_id, "resolve", {"unit": "water", "note": "已修复", "attachment_ids": [after_id]})
    entry = resolved["timeline"][-1]
    assert (entry["action"], entry["attachment_ids"]) == ("resolved", [after_id])


async def test_a_file_the_case_missed_is_listed_on_it_when_the_attachments_are_read(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    """An upload the case could not be told of (Temporal down at that moment) is stored but not on the case: the
    next reading of the attachments lists it on the case, once."""
    case_id = await water_case(api, system)
    stored = await store_without_telling_the_case(system, case_id, photo())
    assert [a["attachment_id"] for a in (await api.get(f"/v1/cases/{case_id}")).json()["attachments"]] == []

    for _ in range(2):
        listed = await api.get(f"/v1/cases/{case_id}/attachments", headers=as_(system, "water"))
        assert [item["attachment_id"] for item in listed.json()["items"]] == [stored]
    case = (await api.get(f"/v1/cases/{case_id}")).json()
    assert [a["attachment_id"] for a in case["attachments"]] == [stored]
    assert [e["attachment_ids"] for e in case["timeline"] if e["action"] == "attachment_added"] == [[stored]]


@asynccontextmanager
async def attachment_service(system: RunningSystem, *, max_count: int = 20) -> AsyncIterator[AttachmentService]:
    """Intake's attachment service on the system's object store with its keys, in the test's own process."""
    store = system.object_store
    assert store is not None
    env = system.services["intake"].env
    keyring = build_keyring(
        env.get("HOTLINE_PAYLOAD_KEYS", ""), env.get("HOTLINE_PAYLOAD_KEY_ID", ""), development=True
    )
    objects = ObjectStore(store.store_config())
    try:
        yield AttachmentService(store=objects, keyring=keyring, max_count=max_count, max_pixels=50_000_000)
    finally:
        await objects.close()


WATER = Principal(client_id="water", kind=ClientKind.UNIT, subject="water", key_id="k")


async def store_without_telling_the_case(system: RunningSystem, case_id: str, data: bytes) -> str:
    """Store a file as intake's upload does, but tell the case nothing."""
    async with attachment_service(system) as attachments:
        record = await attachments.add(case_id=case_id, uploader=WATER, data=data, file_name="a.jpg", description=None)
    return record.attachment_id


async def test_uploads_racing_for_the_last_places_keep_the_case_within_its_count(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = await water_case(api, system)
    async with attachment_service(system, max_count=2) as attachments:
        racing = [
            attachments.add(case_id=case_id, uploader=WATER, data=photo(), file_name=f"{n}.jpg", description=None)
            for n in range(5)
        ]
        outcomes = await asyncio.gather(*racing, return_exceptions=True)
        kept = await attachments.all_of(case_id)
    stored = [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
    assert len(stored) + len(refused) == 5 and len(stored) <= 2, outcomes
    assert {record.attachment_id for record in kept} == {record.attachment_id for record in stored}
    # A place the race left free is there for the next upload.
    async with attachment_service(system, max_count=2) as attachments:
        for _ in range(2 - len(kept)):
            await attachments.add(case_id=case_id, uploader=WATER, data=photo(), file_name="n.jpg", description=None)
        with pytest.raises(Conflict):
            await attachments.add(case_id=case_id, uploader=WATER, data=photo(), file_name="x.jpg", description=None)
        assert len(await attachments.all_of(case_id)) == 2
