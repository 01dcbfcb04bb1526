"""The body of every error answer: RFC 9457 problem details (`application/problem+json`) with a stable `code`.

`detail` is what it always was (a sentence, or for a request that does not fit the schema the list of fields, each
now with a `code` of its own); `type`, `title`, `status`, `instance` and `code` are added around it. The ASGI
middlewares (body limit, rate limit) answer before FastAPI does, so they build the same bytes here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.contracts.problem_codes import (
    PROBLEM_TYPE_PREFIX,
    PROBLEM_TYPES,
    FieldCode,
    ProblemCode,
    problem_type_uri,
)
from services.intake.open311_formats import OPEN311_PATHS, error_bytes

PROBLEM_MEDIA_TYPE = "application/problem+json"

_TYPE = Field(
    description=f"The problem type: `{PROBLEM_TYPE_PREFIX}` + `code` (a name, not a page to fetch).",
    examples=[f"{PROBLEM_TYPE_PREFIX}transfer_limit_reached"],
)
_TITLE = Field(description="A short summary of the problem type, the same for every answer with this `code`.")
_STATUS = Field(description="The HTTP status code, repeated.")
_INSTANCE = Field(description="The request's path.", examples=["/v1/cases/0d5c0b7e-1f0e-5a4b-9a53-3c1d2f0a7b61"])
_CODE = Field(
    description="Why, as a stable machine-readable code (docs/errors.md lists them all); branch on this, not on "
    "`detail`. New codes may be added.",
    examples=["transfer_limit_reached"],
)


class ErrorBody(BaseModel):
    """Any refusal but a request that does not fit the schema (RFC 9457 problem details)."""

    type: str = _TYPE
    title: str = _TITLE
    status: int = _STATUS
    detail: str = Field(description="What was refused and why, for a person to read (never the input echoed back).")
    instance: str = _INSTANCE
    code: str = _CODE


class ValidationIssue(BaseModel):
    """One way a request does not fit the schema."""

    loc: list[str | int] = Field(description="Where: `body`, `query`, `path` or `header`, then the field's path.")
    msg: str = Field(description="What is wrong there.")
    type: str = Field(description="The kind of problem, such as `missing`, `string_too_long` or `json_invalid`.")
    code: str = Field(
        description="The kind of problem as a stable code (docs/errors.md), such as `field_missing`.",
        examples=["field_missing"],
    )


class ValidationErrorBody(BaseModel):
    """A 422: the request does not fit the schema, or names something the catalog or the rules refuse."""

    type: str = _TYPE
    title: str = _TITLE
    status: int = _STATUS
    detail: list[ValidationIssue] | str = Field(
        description="Each problem with its location when the request does not fit the schema (`code` "
        "`request_invalid`); one message naming the field when it fits but names an unknown unit or catalog item, or "
        "a value the rules refuse (`code` says which)."
    )
    instance: str = _INSTANCE
    code: str = _CODE


def problem(
    code: ProblemCode, detail: str | Sequence[Mapping[str, Any]], *, instance: str, status: int | None = None
) -> dict[str, Any]:
    """The problem details of one answer; `status` only where it is not the code's own (an HTTP error of the
    framework's that no code names)."""
    kind = PROBLEM_TYPES[code]
    return {
        "type": problem_type_uri(code),
        "title": kind.title,
        "status": status or kind.status,
        "detail": detail,
        "instance": instance,
        "code": code.value,
    }


def problem_response(
    code: ProblemCode,
    detail: str | Sequence[Mapping[str, Any]],
    *,
    instance: str,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An `application/problem+json` answer."""
    body = problem(code, detail, instance=instance, status=status)
    return JSONResponse(body, status_code=body["status"], headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def problem_bytes(code: ProblemCode, detail: str, *, instance: str) -> bytes:
    """The encoded body, for an ASGI middleware that answers by itself."""
    return json.dumps(problem(code, detail, instance=instance)).encode()


def refusal_body(code: ProblemCode, status: int, detail: str, *, path: str) -> tuple[str, bytes]:
    """A middleware's refusal as the path's clients read errors: Open311's error list under `/open311/` (JSON or
    XML by the path's extension), problem details anywhere else. Media type and bytes."""
    if path.startswith(OPEN311_PATHS):
        return error_bytes(path, status, detail)
    return PROBLEM_MEDIA_TYPE, problem_bytes(code, detail, instance=path)


# Pydantic's error types, by what they say about the field; anything else is `field_invalid`.
_FIELD_CODES: dict[str, FieldCode] = {
    "missing": FieldCode.FIELD_MISSING,
    "missing_argument": FieldCode.FIELD_MISSING,
    "extra_forbidden": FieldCode.FIELD_NOT_ALLOWED,
    "string_too_short": FieldCode.FIELD_TOO_SHORT,
    "too_short": FieldCode.FIELD_TOO_SHORT,
    "bytes_too_short": FieldCode.FIELD_TOO_SHORT,
    "string_too_long": FieldCode.FIELD_TOO_LONG,
    "too_long": FieldCode.FIELD_TOO_LONG,
    "bytes_too_long": FieldCode.FIELD_TOO_LONG,
    "greater_than": FieldCode.FIELD_OUT_OF_RANGE,
    "greater_than_equal": FieldCode.FIELD_OUT_OF_RANGE,
    "less_than": FieldCode.FIELD_OUT_OF_RANGE,
    "less_than_equal": FieldCode.FIELD_OUT_OF_RANGE,
    "multiple_of": FieldCode.FIELD_OUT_OF_RANGE,
    "finite_number": FieldCode.FIELD_OUT_OF_RANGE,
    "string_pattern_mismatch": FieldCode.FIELD_PATTERN_MISMATCH,
    "enum": FieldCode.FIELD_NOT_ONE_OF,
    "literal_error": FieldCode.FIELD_NOT_ONE_OF,
    "json_invalid": FieldCode.BODY_NOT_JSON,
}
_WRONG_TYPE_SUFFIXES = ("_type", "_parsing")


def field_code(pydantic_type: str) -> FieldCode:
    """The stable code of one of pydantic's error types."""
    if pydantic_type in _FIELD_CODES:
        return _FIELD_CODES[pydantic_type]
    if pydantic_type.endswith(_WRONG_TYPE_SUFFIXES):
        return FieldCode.FIELD_WRONG_TYPE
    return FieldCode.FIELD_INVALID
