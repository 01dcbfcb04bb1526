"""Fetching a file a ticket gives by URL (`attachment_urls`), guarded as the notifier's requests are: only to
addresses the outbound rules allow (checked before, and again by the resolver the connection goes through), no
redirects followed, at most the upload size read.

A `DownloadRefused` will not change on a retry (a 404, a redirect, a refused address, a file too large); a
`DownloadFailed` may pass (no answer, a 5xx, a 429).
"""

from __future__ import annotations

import email.message
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import unquote, urlsplit

import aiohttp

from services.contracts.outbound_targets import OutboundTargets
from services.engines.outbound_guard import UnresolvableHost, guarded_session, refuse_target

_CHUNK = 256 * 1024
# Statuses worth asking again later: the server is busy or failing, not saying the file is not there.
_PASSING_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class DownloadRefused(Exception):
    """The file cannot be had from this URL, now or later."""


class DownloadFailed(Exception):
    """No file this time; a later try may get it."""


@dataclass(frozen=True)
class DownloadedFile:
    data: bytes
    file_name: str | None


class AttachmentDownloads:
    """Use as `async with AttachmentDownloads(...) as downloads:`; one pooled session, closed on exit."""

    def __init__(self, *, targets: OutboundTargets, max_bytes: int, timeout_seconds: float) -> None:
        self._targets = targets
        self._max_bytes = max_bytes
        self._timeout_seconds = timeout_seconds
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> AttachmentDownloads:
        self._session = guarded_session(self._targets, timeout_seconds=self._timeout_seconds, max_connections=20)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(self, url: str) -> DownloadedFile:
        assert self._session is not None, "used inside `async with`"
        if urlsplit(url).scheme not in ("http", "https"):
            raise DownloadRefused("only http and https URLs are fetched")
        try:
            refusal = await refuse_target(self._targets, url)
        except UnresolvableHost as exc:
            raise DownloadFailed(str(exc)) from exc
        if refusal is not None:
            raise DownloadRefused(f"{refusal}; the system does not fetch from its own network")
        try:
            async with self._session.get(url, allow_redirects=False) as response:
                self._check_answer(response)
                data = await self._read_limited(response)
                name = _file_name(response.headers.get("Content-Disposition"), url)
        except TimeoutError as exc:
            raise DownloadFailed(f"no file within {self._timeout_seconds:g} s") from exc
        except aiohttp.ClientError as exc:
            raise DownloadFailed(f"{type(exc).__name__}: {exc}") from exc
        if not data:
            raise DownloadRefused("the answer has no content")
        return DownloadedFile(data=data, file_name=name)

    def _check_answer(self, response: aiohttp.ClientResponse) -> None:
        status = response.status
        if 300 <= status < 400:
            raise DownloadRefused(f"the URL answers {status}, a redirect; give the file's own URL")
        if status in _PASSING_STATUSES:
            raise DownloadFailed(f"the URL answers {status}")
        if status != 200:
            raise DownloadRefused(f"the URL answers {status}")
        if response.content_length is not None and response.content_length > self._max_bytes:
            raise DownloadRefused(f"the file is larger than {self._max_bytes} bytes")

    async def _read_limited(self, response: aiohttp.ClientResponse) -> bytes:
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            total += len(chunk)
            if total > self._max_bytes:
                raise DownloadRefused(f"the file is larger than {self._max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _file_name(disposition: str | None, url: str) -> str | None:
    """The name the server gives the file (Content-Disposition), else the URL path's last segment."""
    if disposition:
        header = email.message.Message()
        header["Content-Disposition"] = disposition
        name = header.get_filename()
        if name:
            return name
    last = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return last or None
