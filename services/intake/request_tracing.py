"""One server span per API request when tracing is on: the root of a ticket's trace (or the child of a caller's
`traceparent`). Only the method, the route's template and the status are recorded: never the query, the body, the
client's address or its user agent, which may be personal data (docs/personal-data.md)."""

from __future__ import annotations

from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.contracts.tracing import extract_trace_context, tracer

# Probes and scrapes are not requests anyone follows.
UNTRACED_PATHS = frozenset({"/healthz", "/livez", "/metrics"})


class RequestTracing:
    """Pure ASGI middleware, installed only when tracing is on (`create_app`)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED_PATHS:
            await self._app(scope, receive, send)
            return
        method: str = scope["method"]
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        status = 500

        async def note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with tracer().start_as_current_span(
            method,
            context=extract_trace_context(headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
        ) as span:
            try:
                await self._app(scope, receive, note_status)
            finally:
                # The router put the matched route in the scope: its template names the span (`POST /v1/cases`).
                route = getattr(scope.get("route"), "path", None)
                if route is not None:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
