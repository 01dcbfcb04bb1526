"""The OpenAPI schema as integrators read it: error answers as `application/problem+json` (RFC 9457), and each
webhook's body pinned to its event kind.

FastAPI labels every declared response `application/json`; the answers to errors are problem details, so their
media type is corrected here, once, after FastAPI has built the schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.intake.problem_details import PROBLEM_MEDIA_TYPE
from services.intake.webhook_docs import CALLBACK_PREFIX, NOTIFICATION_PREFIX, declare_webhooks

JSON = "application/json"


def install_openapi(app: FastAPI) -> None:
    """Declare the webhooks and build the schema FastAPI serves at `/openapi.json` with the corrections above."""
    declare_webhooks(app)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            problem_media_types(schema)
            pin_webhook_kinds(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem_media_types(schema: dict[str, Any]) -> None:
    """Every 4xx and 5xx answer of every operation: `application/problem+json`."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in "45" and JSON in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop(JSON)


def pin_webhook_kinds(schema: dict[str, Any]) -> None:
    """Each webhook's body is the event of its own kind (`kind` is that kind's value)."""
    for name, item in schema.get("webhooks", {}).items():
        if not name.startswith((NOTIFICATION_PREFIX, CALLBACK_PREFIX)):
            continue
        kind = name.split(".", 1)[1]
        body = item["post"]["requestBody"]["content"][JSON]
        body["schema"] = {"allOf": [body["schema"], {"properties": {"kind": {"const": kind}}}]}
