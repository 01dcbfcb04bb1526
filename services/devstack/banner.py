"""Waits until the embedded stack is healthy, then says where everything is (`make run`)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx

from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE
from services.contracts.settings import ServiceSettings
from services.devstack.dev_credentials import DEFAULT_PATH, generate, register
from services.engines.lifecycle import run_until_stopped

ENDPOINTS = {
    "intake API": "http://127.0.0.1:8000/healthz",
    "router": "http://127.0.0.1:9101/healthz",
    "workflows worker": "http://127.0.0.1:9102/healthz",
    "notifier": "http://127.0.0.1:9103/healthz",
    "records": "http://127.0.0.1:9104/healthz",
    "assessment": "http://127.0.0.1:9105/healthz",
    "staff console": "http://127.0.0.1:8090/healthz",
    "Temporal Web UI": "http://127.0.0.1:8233/",
}

BANNER = """
==================================================================================
 City hotline case orchestration is running (embedded default, data under ./var/)

   Staff console        http://127.0.0.1:8090/  (sign in with a development key, below)
   API docs (OpenAPI)   http://127.0.0.1:8000/docs
   Temporal Web UI      http://127.0.0.1:8233/namespaces/default/workflows
   NATS monitoring      http://127.0.0.1:8222/jsz?streams=true
   Metrics              http://127.0.0.1:8000/metrics  (intake)
                        http://127.0.0.1:9101/metrics  (router)
                        http://127.0.0.1:9102/metrics  (workflows)
                        http://127.0.0.1:9103/metrics  (notifier)
                        http://127.0.0.1:9104/metrics  (records)
                        http://127.0.0.1:9105/metrics  (assessment)
   PostgreSQL           postgresql://postgres@/postgres?host=<repo>/var/postgres  (socket; the case records)
   S3 (SeaweedFS)       http://127.0.0.1:8333  bucket hotline-attachments  (attachments, encrypted by intake)

   API keys  var/dev-credentials.json  (development only; send "Authorization: Bearer <key>")

{sign_in}
   Try it:   make demo          (in another terminal)
   Stop:     Ctrl-C             (open cases are kept; the next `make run` resumes them)
==================================================================================
"""


# Whom to sign in to the console as, to see each role's pages: the client's name in var/dev-credentials.json.
SIGN_IN_AS = {
    "water": "a unit's clerk (供水)",
    COORDINATION_CENTRE: "the coordination centre",
    CITY_LEADER: "a city leader",
    "admin": "the admin",
}


def sign_in_lines(path: Path = DEFAULT_PATH) -> str:
    """The development keys to paste into the console's sign-in form, one role a line.

    Printed in full: they are the development stack's own (refused outside development), already in a file only
    this user reads, and copying one out of the JSON by hand is what would otherwise stop someone trying the
    console."""
    keys = generate(path)  # the file as it is (written first if missing)
    rows = [f"     {name:<20} {keys[name]}  {role}" for name, role in SIGN_IN_AS.items() if name in keys]
    return "   Console keys (development only; every client's key is in " + f"{path}):\n" + "\n".join(rows) + "\n"


async def main(stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=2) as http:
        waiting = dict(ENDPOINTS)
        while waiting and not stop.is_set():
            for name, url in list(waiting.items()):
                try:
                    if (await http.get(url)).status_code == 200:
                        del waiting[name]
                except httpx.HTTPError:
                    pass
            if waiting:
                await asyncio.sleep(0.5)
    if not stop.is_set():
        await register(ServiceSettings())
        sys.stdout.write(BANNER.format(sign_in=sign_in_lines()))
        sys.stdout.flush()
    # Stay up: the process supervisor stops the whole stack when any process exits.
    await stop.wait()


if __name__ == "__main__":
    run_until_stopped(main)
