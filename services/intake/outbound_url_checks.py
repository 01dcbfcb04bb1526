"""Checks of the URLs the system will later POST to: webhooks, group robots and platforms' callbacks."""

from __future__ import annotations

from pydantic import AnyHttpUrl

from services.contracts.problem_codes import ProblemCode
from services.intake.errors import UnprocessableInput
from services.intake.settings import IntakeSettings


def require_outbound_url(url: AnyHttpUrl, settings: IntakeSettings, field: str) -> None:
    """422 naming `field` for plain http outside development, or a target in the system's own network (SSRF)."""
    if url.scheme != "https" and not settings.allow_plain_http_webhooks:
        raise UnprocessableInput(f"{field}: must use https outside development", code=ProblemCode.HTTPS_REQUIRED)
    refusal = settings.outbound_targets().refuse_url(str(url))
    if refusal is not None:
        raise UnprocessableInput(
            f"{field}: {refusal}; the system does not send into its own network",
            code=ProblemCode.OUTBOUND_TARGET_REFUSED,
        )
