"""Fetching a ticket's attachment URL from a real local server: what is refused for good, what may pass."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from services.contracts.outbound_targets import OutboundTargets
from services.intake.attachment_downloads import AttachmentDownloads, DownloadFailed, DownloadRefused
from tests.support.file_server import FileServer, Served, serving_files

DEVELOPMENT = OutboundTargets.parse(allow_private=True)
PRODUCTION = OutboundTargets.parse(allow_private=False)


@pytest_asyncio.fixture
async def files() -> AsyncIterator[FileServer]:
    async with serving_files() as server:
        yield server


@pytest_asyncio.fixture
async def downloads() -> AsyncIterator[AttachmentDownloads]:
    async with AttachmentDownloads(targets=DEVELOPMENT, max_bytes=1000, timeout_seconds=5) as fetching:
        yield fetching


@pytest.mark.parametrize(
    ("served", "name"),
    [
        (Served(b"x" * 1000), "a.jpg"),
        (Served(b"x", headers={"Content-Disposition": 'attachment; filename="scene.jpg"'}), "scene.jpg"),
        (
            Served(b"x", headers={"Content-Disposition": "attachment; filename*=UTF-8''%E7%8E%B0%E5%9C%BA.png"}),
            "现场.png",
        ),
    ],
)
async def test_a_file_is_had_with_its_name(
    files: FileServer, downloads: AttachmentDownloads, served: Served, name: str
) -> None:
    got = await downloads.get(files.put("/a.jpg", served))
    assert (got.data, got.file_name) == (served.body, name)


@pytest.mark.parametrize(
    ("served", "refusal"),
    [
        (Served(b"", status=404), "the URL answers 404"),
        (Served(b"", status=403), "the URL answers 403"),
        (Served(b"", status=301, headers={"Location": "http://10.0.0.1/"}), "the URL answers 301, a redirect"),
        (Served(b"x" * 1001), "the file is larger than 1000 bytes"),
        (Served(b""), "the answer has no content"),
    ],
)
async def test_what_will_not_change_is_refused(
    files: FileServer, downloads: AttachmentDownloads, served: Served, refusal: str
) -> None:
    with pytest.raises(DownloadRefused, match=refusal):
        await downloads.get(files.put("/f", served))


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_a_busy_or_failing_server_may_pass(
    files: FileServer, downloads: AttachmentDownloads, status: int
) -> None:
    with pytest.raises(DownloadFailed, match=f"the URL answers {status}"):
        await downloads.get(files.put("/f", Served(b"busy", status=status)))


async def test_a_server_that_is_not_there_may_come_back(downloads: AttachmentDownloads) -> None:
    gone = FileServer()  # never started: its port refuses connections
    with pytest.raises(DownloadFailed, match="ClientConnectorError"):
        await downloads.get(gone.url("/a.jpg"))


async def test_a_file_of_no_stated_length_is_cut_at_the_limit(files: FileServer) -> None:
    """A chunked answer says no length: the limit is kept while reading."""
    async with AttachmentDownloads(targets=DEVELOPMENT, max_bytes=10, timeout_seconds=5) as small:
        with pytest.raises(DownloadRefused, match="larger than 10 bytes"):
            await small.get(files.put("/big", Served(b"y" * 11, streamed=True)))


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://127.0.0.1:9/a.jpg", "127.0.0.1 is a loopback address"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("ftp://files.example.gov.cn/a.jpg", "only http and https URLs are fetched"),
    ],
)
async def test_outside_development_the_system_s_own_network_is_not_fetched_from(url: str, refusal: str) -> None:
    async with AttachmentDownloads(targets=PRODUCTION, max_bytes=1000, timeout_seconds=5) as guarded:
        with pytest.raises(DownloadRefused, match=refusal):
            await guarded.get(url)
