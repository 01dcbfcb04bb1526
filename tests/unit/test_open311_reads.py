"""Which recorded attachment an Open311 request's `media_url` links to in a list: the case's last image."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake.open311_reads import latest_image


@pytest.mark.parametrize(
    ("attachments", "expected"),
    [
        (None, None),
        ([], None),
        ([{"attachment_id": "a", "kind": "document"}], None),
        ([{"attachment_id": "a", "kind": "image"}, {"attachment_id": "b", "kind": "audio"}], "a"),
        ([{"attachment_id": "before", "kind": "image"}, {"attachment_id": "after", "kind": "image"}], "after"),
    ],
)
def test_the_last_image_is_the_requests_photo(attachments: list[dict[str, Any]] | None, expected: str | None) -> None:
    assert latest_image(attachments) == expected
