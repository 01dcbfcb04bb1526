"""How an API key stands, for the admin's list: working, working until its rotation's grace ends, expired, revoked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.console.formats import local_time


@dataclass(frozen=True)
class KeyState:
    text: str
    style: str  # the page's class: due-ok, due-soon, due-overdue
    usable: bool  # still worth rotating or revoking


def key_state(key: dict[str, Any], now: datetime) -> KeyState:
    """A listed key's state at `now` (`GET /v1/admin/credentials`' `revoked_at`, `expires_at`)."""
    if key.get("revoked_at"):
        return KeyState(f"已吊销（{local_time(key['revoked_at'])}）", "due-overdue", usable=False)
    expires = key.get("expires_at")
    if expires:
        moment = datetime.fromisoformat(str(expires))
        if moment <= now:
            return KeyState(f"已失效（{local_time(moment)}）", "due-overdue", usable=False)
        return KeyState(f"{local_time(moment)} 失效", "due-soon", usable=True)
    return KeyState("有效", "due-ok", usable=True)
