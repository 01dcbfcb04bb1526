"""A unit's whole queue through the API, page by page (`X-Next-Cursor`), as a client walks it."""

from __future__ import annotations

from typing import Any

import httpx


async def whole_queue(api: httpx.AsyncClient, headers: dict[str, str], *, limit: int = 500) -> list[dict[str, Any]]:
    """Every entry of the caller's queue; each page must answer 200."""
    entries: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    for _ in range(1000):
        response = await api.get("/v1/queue", params=params, headers=headers)
        assert response.status_code == 200, response.text
        entries += response.json()
        cursor = response.headers.get("x-next-cursor")
        if cursor is None:
            return entries
        assert response.headers["link"].endswith('; rel="next"')
        params = {"limit": limit, "cursor": cursor}
    raise AssertionError("a queue of more than 1000 pages")
