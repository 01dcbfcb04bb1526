"""A real local SMTP server (aiosmtpd) that keeps every message it is handed, parsed."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.engines import free_port


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes

    @property
    def subject(self) -> str:
        """The Subject header, RFC 2047 decoded."""
        return str(self.message["Subject"])

    def body(self, subtype: str) -> str:
        """The decoded text of the `plain` or `html` part."""
        part = self.message.get_body(preferencelist=(subtype,))
        assert part is not None and part.get_content_subtype() == subtype, f"no text/{subtype} part"
        content: str = part.get_content()
        return content


@dataclass
class MailReceiver:
    """Runs in its own thread (aiosmtpd's `Controller`); `received` fills as messages are accepted.

    It does not offer SMTPUTF8, as many mail servers do not: headers must arrive RFC 2047 encoded.
    """

    port: int = field(default_factory=free_port)
    received: list[ReceivedMail] = field(default_factory=list)
    _controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=False)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content: Any = envelope.content
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), message, bytes(content)))
        return "250 Message accepted for delivery"
