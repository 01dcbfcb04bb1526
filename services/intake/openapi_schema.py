"""The OpenAPI schema as integrators read it: error answers as `application/problem+json` (RFC 9457).

FastAPI labels every declared response `application/json`; the answers to errors are problem details, so their
media type is corrected here, once, after FastAPI has built the schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.intake.problem_details import PROBLEM_MEDIA_TYPE

JSON = "application/json"


def install_openapi(app: FastAPI) -> None:
    """Build the schema FastAPI serves at `/openapi.json` with the correction above."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            problem_media_types(schema)
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
