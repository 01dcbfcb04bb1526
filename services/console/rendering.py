"""The console's templates: Jinja2 with the labels and formats every page uses, and the CSRF token for forms."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.console import formats
from services.console.session import csrf_token, signed_in_staff
from services.contracts.case_view import JOINT_ROLE_NAMES

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
_env = TEMPLATES.env
_env.filters.update(
    local_time=formats.local_time,
    status=lambda value: formats.label(formats.STATUS_LABELS, value),
    deadline=lambda value: formats.label(formats.DEADLINE_LABELS, value),
    escalation=lambda value: formats.label(formats.ESCALATION_LABELS, value),
    channel=lambda value: formats.label(formats.CHANNEL_LABELS, value),
    rating=lambda value: formats.label(formats.RATING_LABELS, value),
    percent=formats.percent,
    timeline_action=lambda value: formats.label(formats.TIMELINE_LABELS, value),
    joint_task=lambda value: formats.label(formats.JOINT_TASK_LABELS, value),
    joint_role=lambda value: formats.label(JOINT_ROLE_NAMES, value),
)
_env.globals.update(
    formats=formats, csrf_token=csrf_token, countdown=lambda due: formats.countdown(due, datetime.now(UTC))
)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page (or, for htmx, a fragment) with the signed-in person, their flash message and the settings."""
    has_session = "session" in request.scope
    flash = request.session.pop("flash", None) if has_session else None
    if "staff" not in context:  # an error or sign-in page: the person's header stays, with its way out
        context["staff"] = signed_in_staff(request) if has_session else None
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"flash": flash, "settings": request.app.state.settings, "names": request.app.state.names, **context},
        status_code=status_code,
    )


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message for the next page the person sees (after a form's redirect)."""
    request.session["flash"] = {"message": message, "kind": kind}
