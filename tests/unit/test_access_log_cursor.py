"""The access log's page cursor: opaque to clients, and anything it did not write is refused."""

from __future__ import annotations

import pytest

from services.intake.access_log import BadCursor, decode_cursor, encode_cursor


@pytest.mark.parametrize("entry_id", [1, 42, 9_223_372_036_854_775_807])
def test_a_cursor_leads_back_to_the_entry_it_was_made_after(entry_id: int) -> None:
    cursor = encode_cursor(entry_id)

    assert str(entry_id) not in cursor
    assert decode_cursor(cursor) == entry_id


@pytest.mark.parametrize("cursor", ["", "42", "not a cursor", "YmVmb3JlOg", "YmVmb3JlOi0x", "YWZ0ZXI6NDI", "%%%"])
def test_a_cursor_it_did_not_make_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(cursor)
