"""The special rectification forms (专项整治) as the API's bodies: opening one on a class of cases, a unit's weekly
progress, the centre's closing. Pure functions; a field that cannot become the body is a FormError naming it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.console.case_actions import FormError
from services.console.formats import LOCAL

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _required(form: Mapping[str, str], name: str, label: str) -> str:
    value = (form.get(name) or "").strip()
    if not value:
        raise FormError(f"{label}：必填")
    return value


def unit_codes(text: str) -> list[str]:
    """Unit codes as people type them: separated by commas (either width), 、, semicolons, spaces or lines."""
    return list(dict.fromkeys(code for code in _SEPARATORS.split(text.strip()) if code))


def local_deadline(text: str, label: str) -> str:
    """A `datetime-local` field's value (or a date: the end of that working day, 18:00) in the city's time, as
    RFC 3339."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(f"{value}T18:00" if len(value) == len("2027-01-31") else value)
    except ValueError as error:
        raise FormError(f"{label}：应为日期和时间，如 2027-01-31 18:00") from error
    return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)).isoformat()


def opening_body(form: Mapping[str, str]) -> dict[str, Any]:
    """`POST /v1/rectifications`' body from the opening form."""
    return {
        "class_id": _required(form, "class_id", "类案"),
        "title": _required(form, "title", "整治名称"),
        "lead_unit": _required(form, "lead_unit", "牵头单位"),
        "participants": unit_codes(form.get("participants") or ""),
        "deadline": local_deadline(_required(form, "deadline", "完成期限"), "完成期限"),
        "goal": (form.get("goal") or "").strip(),
    }


def progress_body(form: Mapping[str, str], unit: str) -> dict[str, Any]:
    """`POST /v1/rectifications/{id}/progress`' body: the week's progress and its measures, one a line."""
    measures = [line.strip() for line in (form.get("measures") or "").splitlines() if line.strip()]
    return {"unit": unit, "text": _required(form, "text", "本周进展"), "measures": measures}


def closing_body(form: Mapping[str, str], unit: str) -> dict[str, Any]:
    return {"unit": unit, "result": _required(form, "result", "整治结果")}
