"""Page cursors: what a page hands out comes back as the same position; anything else is a 422 naming `cursor`."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from services.intake.case_search import POSITION as SEARCH_POSITION
from services.intake.case_search import Position
from services.intake.page_cursors import BadCursor, decode_cursor, encode_cursor, fingerprint
from services.intake.queue_reads import POSITION as QUEUE_POSITION
from services.intake.queue_reads import QueuePosition

CASE_ID = "0b6f3c1e-0000-4000-8000-000000000001"
AT = datetime(2026, 12, 7, 1, 0, 0, 123456, tzinfo=UTC)
FILTERS = fingerprint({"status": ["assigned"], "township": "hekou-town", "sort": "-received_at"})


@pytest.mark.parametrize(
    ("kind", "position", "adapter"),
    [
        pytest.param("cases", Position(received_at=AT, case_id=CASE_ID), SEARCH_POSITION, id="a case"),
        pytest.param("cases", Position(received_at=None, case_id=CASE_ID), SEARCH_POSITION, id="no received time"),
        pytest.param(
            "queue", QueuePosition(overdue=True, resolution_due=AT, case_id=CASE_ID), QUEUE_POSITION, id="overdue"
        ),
        pytest.param(
            "queue",
            QueuePosition(overdue=False, resolution_due=None, case_id=CASE_ID),
            QUEUE_POSITION,
            id="no deadline",
        ),
    ],
)
def test_a_cursor_gives_back_its_position(kind: str, position: BaseModel, adapter: Any) -> None:
    cursor = encode_cursor(kind, FILTERS, position, adapter)

    assert decode_cursor(cursor, kind, FILTERS, adapter) == position
    assert cursor.isascii() and "=" not in cursor and "/" not in cursor and "+" not in cursor  # fits a URL as it is


def _packed(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()


GOOD = encode_cursor("cases", FILTERS, Position(received_at=AT, case_id=CASE_ID), SEARCH_POSITION)


@pytest.mark.parametrize(
    ("cursor", "kind", "filters", "says"),
    [
        pytest.param("not a cursor!", "cases", FILTERS, "not a cursor of this API", id="not base64"),
        pytest.param("bm90IGpzb24", "cases", FILTERS, "not a cursor of this API", id="not JSON"),
        pytest.param(_packed({"a": 1}), "cases", FILTERS, "not a cursor of this API", id="not a list"),
        pytest.param(
            _packed([2, "cases", FILTERS, {}]), "cases", FILTERS, "not a cursor of this API", id="another version"
        ),
        pytest.param(GOOD, "queue", FILTERS, "a cursor of another list", id="another list"),
        pytest.param(
            GOOD, "cases", fingerprint({"status": []}), "the filters or the order changed", id="other filters"
        ),
        pytest.param(
            _packed([1, "cases", FILTERS, {"received_at": "yesterday", "case_id": CASE_ID}]),
            "cases",
            FILTERS,
            "not a cursor of this API",
            id="a position that is not one",
        ),
        pytest.param(
            _packed([1, "cases", FILTERS, {"received_at": "2026-12-07T01:00:00", "case_id": CASE_ID}]),
            "cases",
            FILTERS,
            "not a cursor of this API",
            id="a time without its zone",
        ),
        pytest.param("A" * 600, "cases", FILTERS, "too long", id="too long"),
    ],
)
def test_a_cursor_not_handed_out_by_the_list_is_refused(cursor: str, kind: str, filters: str, says: str) -> None:
    with pytest.raises(BadCursor, match=f"^cursor: .*{says}") as refused:
        decode_cursor(cursor, kind, filters, SEARCH_POSITION)

    assert refused.value.status_code == 422


def test_the_fingerprint_is_of_the_values_not_their_order() -> None:
    assert fingerprint({"a": 1, "b": [2]}) == fingerprint({"b": [2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
