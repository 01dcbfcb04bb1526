"""The notification channels editor, shared by the admin's page for any unit and a unit's own `/channels` page: the
API judges who may change which unit's channels; this only renders, sends and answers."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from services.console.api_client import ApiRefused
from services.console.case_actions import FormError
from services.console.channel_forms import CHANNELS, channel_body, current_values, describe
from services.console.rendering import flash, page
from services.console.staff import Staff
from services.contracts.tickets import CODE_PATTERN

CODE = re.compile(CODE_PATTERN)
NO_STORE = {"Cache-Control": "no-store"}


def check_code(code: str) -> None:
    """A unit code as the API's paths take it (so no code reaches the API as another path)."""
    if not CODE.match(code):
        raise ApiRefused(404, f"没有单位 {code!r}")


async def channels_page(
    request: Request, staff: Staff, code: str, *, base: str, secret: str | None = None, saved: str | None = None
) -> Response:
    """The unit's channels with a form for each; `secret`: a generated webhook secret, shown this once."""
    check_code(code)
    found: dict[str, Any] = await request.app.state.api.acting_for(staff).get(f"/v1/units/{code}/channels")
    kept = request.session.pop("channel_form", None)
    rows = [
        {
            "spec": spec,
            "setting": found.get(name),
            "text": describe(name, found.get(name)),
            "values": kept["fields"] if kept and kept.get("channel") == name else current_values(name, found.get(name)),
            "open": bool(kept and kept.get("channel") == name),
        }
        for name, spec in CHANNELS.items()
    ]
    response = page(
        request,
        "channels.html",
        staff=staff,
        title=f"通知渠道 · {code}",
        code=code,
        rows=rows,
        base=base,
        secret=secret,
        saved=saved,
    )
    if secret:
        response.headers.update(NO_STORE)
    return response


async def save_channel(request: Request, staff: Staff, code: str, channel: str, *, base: str) -> Response:
    """Set one channel from its form (PUT); a generated webhook secret is shown on the answer's page itself."""
    check_code(code)
    fields = {name: str(value) for name, value in (await request.form()).items() if name != "csrf_token"}
    label = CHANNELS[channel].label if channel in CHANNELS else channel
    try:
        body = channel_body(channel, fields)
        answer = await request.app.state.api.acting_for(staff).put(f"/v1/units/{code}/{channel}", body)
    except FormError as error:
        return _kept(request, base, channel, fields, f"{label}：{error}")
    except ApiRefused as refused:
        if refused.status != 422:
            raise
        return _kept(request, base, channel, fields, f"{label}未保存：{refused.detail}")
    secret = answer.get("secret") if isinstance(answer, dict) else None
    if secret:
        # Not through the (signed, readable) session cookie: the secret is on this page only.
        return await channels_page(request, staff, code, base=base, secret=secret, saved=label)
    flash(request, f"{label}：已保存")
    return RedirectResponse(base, status_code=303)


async def remove_channel(request: Request, staff: Staff, code: str, channel: str, *, base: str) -> Response:
    check_code(code)
    await request.app.state.api.acting_for(staff).delete(f"/v1/units/{code}/{channel}")
    flash(request, f"{CHANNELS[channel].label if channel in CHANNELS else channel}：已删除")
    return RedirectResponse(base, status_code=303)


def _kept(request: Request, base: str, channel: str, fields: dict[str, str], message: str) -> Response:
    """Back to the form with the reason and what was typed (secrets left out: the cookie is readable)."""
    flash(request, message, "error")
    safe = {name: value for name, value in fields.items() if name != "secret"}
    request.session["channel_form"] = {"channel": channel, "fields": safe}
    return RedirectResponse(f"{base}#channel-{channel}", status_code=303)
