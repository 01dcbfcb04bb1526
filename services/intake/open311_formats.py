"""Open311 answers as JSON or XML: the same lists of records, each format with the spec's element names, and the
spec's error lists (`[{"code", "description"}]`, `<errors>`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree

from fastapi import Response


class Format(StrEnum):
    JSON = "json"
    XML = "xml"


# As the spec asks: the declaration with `encoding="UTF-8"` before the root element.
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
MEDIA_TYPES = {Format.JSON: "application/json; charset=utf-8", Format.XML: "text/xml; charset=utf-8"}


class Shape(StrEnum):
    """The XML root of each answer and the element of each of its records."""

    SERVICES = "services/service"
    SERVICE_DEFINITION = "service_definition"
    REQUESTS = "service_requests/request"
    ERRORS = "errors/error"
    DISCOVERY = "discovery"


# A list inside a record (a service definition's attributes, an attribute's values): its element's children.
_CHILD = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


Body = Sequence[dict[str, Any]] | dict[str, Any]  # a list of records, or one (a service definition)


def render(fmt: Format, shape: Shape, body: Body, *, status: int = 200) -> Response:
    """The answer in the format asked for; JSON keeps the spec's shapes (a list, or one object)."""
    content = json.dumps(body, ensure_ascii=False).encode() if fmt is Format.JSON else _xml(shape, body)
    return Response(content, status_code=status, media_type=MEDIA_TYPES[fmt])


def errors(fmt: Format, status: int, description: str) -> Response:
    """The spec's error answer: the HTTP status as the code, and a description naming what is wrong."""
    return render(fmt, Shape.ERRORS, [{"code": status, "description": description}], status=status)


OPEN311_PATHS = "/open311/"


def format_of_path(path: str) -> Format:
    """The format an Open311 path asks for by its extension (`requests.xml`); JSON for any other."""
    return Format.XML if path.endswith(".xml") else Format.JSON


def error_bytes(path: str, status: int, description: str) -> tuple[str, bytes]:
    """The spec's error answer as a media type and bytes, for the ASGI middlewares that refuse a request before any
    route runs (too large, too many)."""
    fmt = format_of_path(path)
    body = [{"code": status, "description": description}]
    content = json.dumps(body, ensure_ascii=False).encode() if fmt is Format.JSON else _xml(Shape.ERRORS, body)
    return MEDIA_TYPES[fmt], content


def _xml(shape: Shape, body: Body) -> bytes:
    root_name, _, record_name = shape.value.partition("/")
    root = ElementTree.Element(root_name)
    if isinstance(body, dict):
        _fill(root, body)
    else:
        for record in body:
            _fill(ElementTree.SubElement(root, record_name), record)
    return XML_DECLARATION + ElementTree.tostring(root, encoding="unicode").encode()


def _fill(element: ElementTree.Element, record: dict[str, Any]) -> None:
    for name, value in record.items():
        child = ElementTree.SubElement(element, name)
        if isinstance(value, list):
            for entry in value:
                item = ElementTree.SubElement(child, _CHILD.get(name, "item"))
                if isinstance(entry, dict):
                    _fill(item, entry)
                else:
                    item.text = _text(entry)
        else:
            child.text = _text(value)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
