"""The publishing activity seals a unit's copy of the ticket's description and address: the bus only ever holds
ciphertext."""

from __future__ import annotations

from typing import Any, cast

from nats.js import JetStreamContext
from nats.js.api import PubAck

from services.contracts.events import EventKind, NotificationEvent
from services.contracts.payload_keys import build_keyring
from services.engines.sealed_data import unseal
from services.workflows.publishing.activities import CaseChanges, NotificationActivities
from tests.unit.event_builders import realistic_event

KEYRING = build_keyring("", "", development=True)
SAID = "幸福家园小区停水两天，联系人王秀英，电话13812345678。"


class RecordingJetStream:
    """Takes publishes as JetStream would acknowledge them, and keeps the bytes that would be on the bus."""

    def __init__(self) -> None:
        self.published: list[tuple[str, bytes]] = []

    async def publish(self, subject: str, payload: bytes, **_options: Any) -> PubAck:
        self.published.append((subject, payload))
        return PubAck(stream="NOTIFY", seq=len(self.published), duplicate=False)


async def test_only_the_notifications_handed_a_description_carry_it_and_only_sealed() -> None:
    js = RecordingJetStream()
    assigned = realistic_event(EventKind.CASE_ASSIGNED)
    platform = realistic_event(EventKind.CASE_ASSIGNED, event_id="platform:3", unit="platform-12345", address=None)
    changes = CaseChanges(notifications=[assigned, platform], descriptions={assigned.event_id: SAID})

    await NotificationActivities(cast(JetStreamContext, js), KEYRING).publish_case_changes(changes)

    [(_, to_unit), (_, to_platform)] = js.published
    for raw in (to_unit, to_platform):
        assert SAID.encode() not in raw and "王秀英".encode() not in raw and b"13812345678" not in raw
    unit_copy = NotificationEvent.model_validate_json(to_unit)
    assert unit_copy.sealed_ticket is not None and unit_copy.address is None
    assert "幸福家园".encode() not in to_unit
    opened = unseal(unit_copy.sealed_ticket, KEYRING)
    assert (opened.description, opened.address) == (SAID, "河口镇幸福家园小区3号楼2单元")
    assert NotificationEvent.model_validate_json(to_platform).sealed_ticket is None


async def test_an_address_alone_is_sealed_too() -> None:
    js = RecordingJetStream()
    reminder = realistic_event(EventKind.REMINDER)

    await NotificationActivities(cast(JetStreamContext, js), KEYRING).publish_case_changes(
        CaseChanges(notifications=[reminder])
    )

    [(_, raw)] = js.published
    published = NotificationEvent.model_validate_json(raw)
    assert "幸福家园".encode() not in raw and published.address is None and published.sealed_ticket is not None
    opened = unseal(published.sealed_ticket, KEYRING)
    assert (opened.description, opened.address) == ("", "河口镇幸福家园小区3号楼2单元")
