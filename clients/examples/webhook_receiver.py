"""A receiver of the hotline's deliveries (a unit's webhook or a platform's status callbacks), as small as it can be.

It does what docs/notifications.md asks of a receiver: it checks the signature over the raw body with the shared
secret, in constant time, and refuses a timestamp more than 5 minutes from its clock (a replay) or a body changed on
the way (401); it stores each event once, by its event id (the notifier sends again what it did not see
acknowledged, with the same id), and answers 2xx only once the event is stored.

    pip install hotline-client starlette uvicorn
    HOTLINE_WEBHOOK_SECRET=<the secret the API showed once> python clients/examples/webhook_receiver.py

Events are kept in memory here; a real receiver writes them to its own database before it answers.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from hotline_client import Event, verify_signature
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

log = logging.getLogger("webhook_receiver")


@dataclass
class Inbox:
    """The events received, each once, in the order they came."""

    events: list[Event] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def store(self, event: Event) -> bool:
        """Keep the event; False if it was already kept (a redelivery)."""
        if event.event_id in self.seen:
            return False
        self.seen.add(event.event_id)
        self.events.append(event)
        return True


def create_app(secret: str, inbox: Inbox | None = None, *, path: str = "/hotline/events") -> Starlette:
    """The receiver's ASGI app, POSTs at `path` checked with `secret`."""
    if not secret:
        raise ValueError("a receiver needs the secret its deliveries are signed with")
    kept = inbox if inbox is not None else Inbox()

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()  # the raw bytes: a re-encoded JSON would not match the signature
        if not verify_signature(secret, request.headers, body):
            log.warning("refused a delivery with a bad or stale signature")
            return JSONResponse({"detail": "bad or stale signature"}, status_code=401)
        try:
            event = Event.model_validate_json(body)
        except ValidationError:
            return JSONResponse({"detail": "not an event"}, status_code=422)
        new = kept.store(event)
        log.info("event %s (%s) %s", event.event_id, event.kind, "stored" if new else "already stored")
        return JSONResponse({"event_id": event.event_id, "stored": new})

    app = Starlette(routes=[Route(path, receive, methods=["POST"])])
    app.state.inbox = kept
    return app


def main() -> None:
    """Serve on `PORT` (9999), with the secret from `HOTLINE_WEBHOOK_SECRET`."""
    import uvicorn

    logging.basicConfig(level=logging.INFO)
    app = create_app(os.environ.get("HOTLINE_WEBHOOK_SECRET", ""))
    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", "9999")))


if __name__ == "__main__":
    main()
