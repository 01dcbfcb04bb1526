"""The console reads an attachment's bytes from intake by the link's token, whatever address the link was made with."""

from __future__ import annotations

import pytest

from services.console.pages.attachment_pages import download_path


@pytest.mark.parametrize(
    "link",
    [
        "https://hotline.example.gov.cn/v1/attachment-downloads/eyJj.abc_-1",
        "https://gov.example.cn/hotline/v1/attachment-downloads/eyJj.abc_-1",  # a public address with a prefix
        "http://127.0.0.1:8000/v1/attachment-downloads/eyJj.abc_-1",
    ],
)
def test_the_download_path_keeps_only_the_token(link: str) -> None:
    assert download_path(link) == "/v1/attachment-downloads/eyJj.abc_-1"
