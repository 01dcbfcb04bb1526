"""Waits until the embedded stack is healthy, then says where everything is (`make run`)."""

from __future__ import annotations

import asyncio
import sys

import httpx

from services.contracts.settings import ServiceSettings
from services.devstack.dev_credentials import register
from services.engines.lifecycle import run_until_stopped

ENDPOINTS = {
    "intake API": "http://127.0.0.1:8000/healthz",
    "router": "http://127.0.0.1:9101/healthz",
    "workflows worker": "http://127.0.0.1:9102/healthz",
    "notifier": "http://127.0.0.1:9103/healthz",
    "records": "http://127.0.0.1:9104/healthz",
    "assessment": "http://127.0.0.1:9105/healthz",
    "Temporal Web UI": "http://127.0.0.1:8233/",
}

BANNER = """
==================================================================================
 City hotline case orchestration is running (embedded default, data under ./var/)

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

   API keys  var/dev-credentials.json  (development only; send "Authorization: Bearer <key>")

   Try it:   make demo          (in another terminal)
   Stop:     Ctrl-C             (open cases are kept; the next `make run` resumes them)
==================================================================================
"""


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
        sys.stdout.write(BANNER)
        sys.stdout.flush()
    # Stay up: the process supervisor stops the whole stack when any process exits.
    await stop.wait()


if __name__ == "__main__":
    run_until_stopped(main)
