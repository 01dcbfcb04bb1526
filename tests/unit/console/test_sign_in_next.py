"""Where a person goes after signing in: only a path of the console itself (no open redirect)."""

from __future__ import annotations

import pytest

from services.console.sign_in_routes import _safe_next


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/queue", "/queue"),
        ("/cases/abc?tab=1", "/cases/abc?tab=1"),
        ("/search?q=%E5%81%9C%E6%B0%B4", "/search?q=%E5%81%9C%E6%B0%B4"),
        (None, None),
        ("", None),
        ("//evil.example", None),
        ("//evil.example/queue", None),
        ("/\\evil.example", None),
        ("\\\\evil.example", None),
        ("https://evil.example/", None),
        ("http:/evil.example", None),
        ("javascript:alert(1)", None),
        ("queue", None),
        ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # a path of the console (404 there), not another host
        ("/\tevil", None),
        ("/queue\r\nSet-Cookie: x=1", None),
    ],
)
def test_only_the_consoles_own_paths_are_followed(target: str | None, kept: str | None) -> None:
    assert _safe_next(target) == kept
