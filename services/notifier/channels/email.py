"""Email over SMTP (aiosmtplib): subject, plain text and HTML rendered from the event's template."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from services.contracts.unit_channels import UnitChannels
from services.notifier.channels.base import Delivery, DeliveryResult
from services.notifier.rendering import Part
from services.notifier.settings import SmtpSettings


class EmailChannel:
    name = "email"

    def __init__(self, smtp: SmtpSettings) -> None:
        self._smtp = smtp

    def configured(self, channels: UnitChannels) -> bool:
        return channels.email is not None and self._smtp.host is not None

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        email = delivery.channels.email
        assert email is not None and self._smtp.host is not None
        event = delivery.event
        message = EmailMessage()
        message["From"] = self._smtp.sender
        message["To"] = ", ".join(email.to)
        message["Subject"] = delivery.render(Part.SUBJECT)
        message["Message-ID"] = make_msgid(idstring=event.event_id.replace(":", "."))
        # Receivers' systems can de-duplicate on the event id, as webhook receivers do.
        message["X-Hotline-Event-Id"] = event.event_id
        # To the unit's own addresses: the description whole, as the webhook body carries it.
        message.set_content(delivery.render(Part.TEXT))
        message.add_alternative(delivery.render(Part.HTML), subtype="html")
        try:
            await aiosmtplib.send(
                message,
                hostname=self._smtp.host,
                port=self._smtp.port,
                username=self._smtp.username,
                password=self._smtp.password,
                start_tls=self._smtp.starttls,
                use_tls=self._smtp.tls,
                timeout=self._smtp.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            return DeliveryResult(False, f"{type(exc).__name__}: {exc}"[:500])
        return DeliveryResult(True, f"sent to {len(email.to)}")
