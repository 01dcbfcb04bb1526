"""An API key's state as the admin's list shows it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.console.credential_states import key_state

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 14:00 in the city


@pytest.mark.parametrize(
    ("key", "text", "style", "usable"),
    [
        ({"revoked_at": None, "expires_at": None}, "有效", "due-ok", True),
        ({"revoked_at": None, "expires_at": "2026-12-08T06:00:00+00:00"}, "2026-12-08 14:00 失效", "due-soon", True),
        (
            {"revoked_at": None, "expires_at": "2026-12-07T06:00:00+00:00"},
            "已失效（2026-12-07 14:00）",
            "due-overdue",
            False,
        ),
        (
            {"revoked_at": "2026-12-01T01:00:00+00:00", "expires_at": "2027-01-01T00:00:00+00:00"},
            "已吊销（2026-12-01 09:00）",
            "due-overdue",
            False,
        ),
    ],
)
def test_a_keys_state(key: dict[str, Any], text: str, style: str, usable: bool) -> None:
    state = key_state(key, NOW)
    assert (state.text, state.style, state.usable) == (text, style, usable)
