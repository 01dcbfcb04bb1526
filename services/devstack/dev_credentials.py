"""Development credentials for the sample district: one API key per platform, unit, leader, the coordination
centre, an admin, an operator and the staff console, written to `var/dev-credentials.json` (mode 0600) and
registered in NATS KV.

`python -m services.devstack.dev_credentials generate` writes the file if it is missing (no server needed, so the
Temporal UI can be pointed at the codec server with the operator key); `register` stores the keys' hashes once
NATS is up (the `make run` banner does it). For development only: outside it, issue keys with the admin API.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from nats.js.errors import KeyWrongLastSequenceError

from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE, TOP_LEADERSHIP
from services.contracts.catalog import UnitKind, load_catalog
from services.contracts.credentials import ClientKind
from services.contracts.settings import ServiceSettings
from services.contracts.subjects import CREDENTIALS_BUCKET
from services.contracts.tickets import Channel
from services.engines.credential_store import CredentialStore, new_api_key
from services.engines.jetstream import close_nats, key_value, open_jetstream

DEFAULT_PATH = Path("var/dev-credentials.json")


def clients() -> dict[str, tuple[ClientKind, str]]:
    """Every development client: name → (kind, subject)."""
    found: dict[str, tuple[ClientKind, str]] = {
        "admin": (ClientKind.ADMIN, ""),
        "operator": (ClientKind.OPERATOR, ""),
        "console": (ClientKind.CONSOLE, ""),
        COORDINATION_CENTRE: (ClientKind.COORDINATION, COORDINATION_CENTRE),
        CITY_LEADER: (ClientKind.LEADER, CITY_LEADER),
        TOP_LEADERSHIP: (ClientKind.LEADER, TOP_LEADERSHIP),
    }
    for unit in load_catalog().units.values():
        if unit.kind is not UnitKind.COORDINATION:
            found[unit.code] = (ClientKind.UNIT, unit.code)
    for channel in Channel:
        found[f"platform-{channel.value}"] = (ClientKind.PLATFORM, channel.value)
    return found


def generate(path: Path = DEFAULT_PATH) -> dict[str, str]:
    """Keys by client name, from the file; missing clients get a new key (the file is rewritten)."""
    keys: dict[str, str] = json.loads(path.read_text())["keys"] if path.exists() else {}
    missing = [name for name in clients() if name not in keys]
    if missing or not path.exists():
        keys.update({name: new_api_key() for name in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        note = "Development API keys (send as 'Authorization: Bearer <key>'). Never use outside development."
        path.write_text(json.dumps({"_note": note, "keys": keys}, ensure_ascii=False, indent=2))
        os.chmod(path, 0o600)
    return keys


async def register(settings: ServiceSettings, path: Path = DEFAULT_PATH) -> int:
    """Store the hashes of the file's keys (idempotent); returns how many were new."""
    keys = generate(path)
    nc, js = await open_jetstream(settings, name="dev-credentials")
    try:
        store = CredentialStore(await key_value(js, CREDENTIALS_BUCKET, replicas=settings.nats_replicas))
        added = 0
        for name, (kind, subject) in clients().items():
            try:
                await store.register(keys[name], client_id=f"dev-{name}", kind=kind, subject=subject)
                added += 1
            except KeyWrongLastSequenceError:
                pass  # registered at an earlier start
    finally:
        await close_nats(nc)
    return added


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    if argv[:1] == ["generate"]:
        generate(path)
    elif argv[:1] == ["register"]:
        asyncio.run(register(ServiceSettings(), path))
    else:
        sys.stderr.write("usage: python -m services.devstack.dev_credentials generate|register [FILE]\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
