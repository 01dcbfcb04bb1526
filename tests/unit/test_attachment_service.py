"""The attachments' rules on an in-memory store: limits, refusals with their codes, what the store is given."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from fastapi import UploadFile
from starlette.requests import Request

from services.contracts.attachment_links import LinkVariant, read_link_token
from services.contracts.credentials import ClientKind, Principal
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.problem_codes import ProblemCode
from services.engines.object_store import ObjectMissing, ObjectStoreUnavailable
from services.intake.attachment_routes import _read_limited, _view
from services.intake.attachment_service import AttachmentService
from services.intake.errors import ApiError
from services.intake.settings import IntakeSettings
from tests.unit.test_attachment_files import photo

KEYRING = PayloadKeyring("k1", {"k1": b"1" * 32})
CASE = "0d5c0b7e-1f0e-5a4b-9a53-3c1d2f0a7b61"
WATER = Principal(client_id="water-key", kind=ClientKind.UNIT, subject="water", key_id="k")
PDF = b"%PDF-1.7\n%%EOF\n"


class MemoryStore:
    """What `ObjectStore` does, in a dict; `down` makes every call fail as an unreachable store does."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise ObjectStoreUnavailable("the object store did not answer: ConnectionRefusedError")

    async def put(self, key: str, body: bytes, *, content_type: str = "application/octet-stream") -> None:
        self._check()
        self.objects[key] = body

    async def get(self, key: str) -> bytes:
        self._check()
        if key not in self.objects:
            raise ObjectMissing(key)
        return self.objects[key]

    async def keys(self, prefix: str) -> list[str]:
        self._check()
        return sorted(key for key in self.objects if key.startswith(prefix))


def service(store: MemoryStore, *, max_count: int = 3, max_pixels: int = 10**8) -> AttachmentService:
    return AttachmentService(store=store, keyring=KEYRING, max_count=max_count, max_pixels=max_pixels)  # type: ignore[arg-type]


async def add(attachments: AttachmentService, data: bytes, name: str = "a.jpg") -> str:
    record = await attachments.add(case_id=CASE, uploader=WATER, data=data, file_name=name, description=None)
    return record.attachment_id


async def test_a_photo_is_stored_sealed_with_its_thumbnail_and_record_last() -> None:
    store = MemoryStore()
    attachments = service(store)
    attachment_id = await add(attachments, photo())

    prefix = f"cases/{CASE}/{attachment_id}/"
    assert sorted(store.objects) == [prefix + "file", prefix + "record.json", prefix + "thumbnail"]
    assert list(store.objects)[-1] == prefix + "record.json"  # an upload cut short is never listed
    assert all(body.startswith(b"HSO1") and b"JFIF" not in body for body in store.objects.values())
    [record] = await attachments.all_of(CASE)
    assert (record.uploaded_by, record.uploaded_by_kind, record.has_thumbnail) == ("water", ClientKind.UNIT, True)
    content = await attachments.content(record, LinkVariant.FILE)
    assert content.startswith(b"\xff\xd8") and len(content) == record.size_bytes


@pytest.mark.parametrize(
    ("data", "status", "code", "field"),
    [
        (b"just some text, named photo.jpg" * 10, 415, ProblemCode.ATTACHMENT_TYPE_NOT_ACCEPTED, "file:"),
        (photo()[:400], 422, ProblemCode.ATTACHMENT_UNREADABLE, "file:"),
        (photo(size=(400, 300)), 422, ProblemCode.ATTACHMENT_UNREADABLE, "file:"),  # over 100 000 pixels
    ],
)
async def test_refusals_name_the_field_and_store_nothing(
    data: bytes, status: int, code: ProblemCode, field: str
) -> None:
    store = MemoryStore()
    with pytest.raises(ApiError) as refused:
        await add(service(store, max_pixels=100_000), data)
    assert (refused.value.status_code, refused.value.code) == (status, code)
    assert refused.value.message.startswith(field)
    assert store.objects == {}


async def test_the_count_limit_refuses_the_next_with_409() -> None:
    attachments = service(MemoryStore(), max_count=2)
    await add(attachments, PDF, "1.pdf")
    await add(attachments, PDF, "2.pdf")
    with pytest.raises(ApiError) as refused:
        await add(attachments, PDF, "3.pdf")
    assert (refused.value.status_code, refused.value.code) == (409, ProblemCode.ATTACHMENT_LIMIT_REACHED)
    assert [record.file_name for record in await attachments.all_of(CASE)] == ["1.pdf", "2.pdf"]


async def test_an_action_may_name_only_the_cases_own_attachments() -> None:
    attachments = service(MemoryStore())
    own = await add(attachments, PDF)
    await attachments.require_on_case(CASE, [own])
    await attachments.require_on_case(CASE, [])
    with pytest.raises(ApiError) as refused:
        await attachments.require_on_case(CASE, [own, "f" * 32])
    assert (refused.value.status_code, refused.value.code) == (422, ProblemCode.ATTACHMENT_NOT_ON_CASE)
    assert refused.value.message.startswith("attachment_ids[1]:")


async def test_a_store_that_does_not_answer_is_a_503_to_retry() -> None:
    store = MemoryStore()
    attachments = service(store)
    store.down = True
    for call in (add(attachments, PDF), attachments.all_of(CASE)):
        with pytest.raises(ApiError) as refused:
            await call
        assert (refused.value.status_code, refused.value.code) == (503, ProblemCode.OBJECT_STORE_UNAVAILABLE)


@pytest.mark.parametrize(
    ("size", "limit", "refused"),
    [(0, 10, False), (10, 10, False), (11, 10, True), (600_000, 500_000, True), (500_000, 500_000, False)],
)
async def test_the_size_limit_counts_the_file_as_it_is_read(size: int, limit: int, refused: bool) -> None:
    upload = UploadFile(io.BytesIO(b"x" * size), filename="f.pdf")  # size unknown: counted while read
    if refused:
        with pytest.raises(ApiError) as error:
            await _read_limited(upload, limit)
        assert (error.value.status_code, error.value.code) == (413, ProblemCode.ATTACHMENT_TOO_LARGE)
        assert error.value.message == f"file: larger than {limit} bytes"
    else:
        assert len(await _read_limited(upload, limit)) == size


async def test_links_start_with_the_public_url_when_one_is_set() -> None:
    store = MemoryStore()
    attachments = service(store)
    await add(attachments, photo())
    [record] = await attachments.all_of(CASE)
    settings = IntakeSettings(_env_file=None, public_url="https://hotline.example.gov.cn/")  # type: ignore[call-arg]
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "scheme": "http"})
    services = SimpleNamespace(settings=settings, keyring=KEYRING)

    view = _view(record, WATER, services, request)  # type: ignore[arg-type]

    assert view.download_url.startswith("https://hotline.example.gov.cn/v1/attachment-downloads/")
    assert view.thumbnail_url is not None and view.thumbnail_url.startswith("https://hotline.example.gov.cn/v1/")
    grant = read_link_token(view.download_url.rsplit("/", 1)[1], KEYRING)
    assert (grant.case_id, grant.client_id, grant.variant) == (CASE, "water-key", LinkVariant.FILE)
    assert grant.expires_at == view.links_expire_at
