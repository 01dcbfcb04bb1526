"""No service's log holds a caller's phone number, name, address or point, from a ticket's whole way to the unit."""

from __future__ import annotations

import httpx

from tests.integration.test_end_to_end import set_webhook, wait_for_status
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

# Values no other test uses, so that finding one in a log can only come from this ticket.
PHONE = "15907315842"
PHONE_WRITTEN = "159-0731-5842"
NAME = "司徒婉清"
ADDRESS = "河口镇翠湖湾小区12号楼3单元1102室"
# A point near the caller's home (WGS-84, so the case keeps these digits rounded to 6 decimals).
LATITUDE, LONGITUDE = 36.2871937, 117.5112846
NEEDLES = (PHONE, PHONE_WRITTEN, NAME, "翠湖湾", "1102室", "36.28719", "117.51128")


def personal_ticket() -> dict[str, object]:
    return ticket_body(
        caller={"name": NAME, "phone": PHONE},
        address=ADDRESS,
        location={"latitude": LATITUDE, "longitude": LONGITUDE},
        description=f"市民{NAME}女士反映，{ADDRESS}从前天起停水，物业不管，请回电{PHONE_WRITTEN}。",
    )


async def test_no_log_holds_the_callers_phone_name_address_or_point(
    system: RunningSystem, api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    await set_webhook(api, "water", receiver.url())
    refused = await api.post("/v1/cases", json={**personal_ticket(), "reported_at": "yesterday"})
    assert refused.status_code == 422
    assert not [needle for needle in NEEDLES if needle in refused.text]

    response = await api.post("/v1/cases", json=personal_ticket())
    assert response.status_code == 202, response.text
    case_id = response.json()["case_id"]
    await wait_for_status(api, case_id, "assigned")

    async def assigned_event() -> dict[str, object]:
        events = [r.json() for r in receiver.for_case(case_id) if r.json()["kind"] == "case_assigned"]
        assert events, "no webhook yet"
        return events[0]  # type: ignore[no-any-return]

    # The unit's event carries the address (the unit must go there), so it has been through the notifier's hands.
    event = await assert_eventually(assigned_event, what="case_assigned reached the water bureau")
    assert event["address"] == ADDRESS

    # A client may put anything in a URL, and refusals log the path: the masking runs in the real process.
    async with httpx.AsyncClient(base_url=system.api_url, timeout=30) as anonymous:
        assert (await anonymous.get(f"/v1/cases/{PHONE}")).status_code == 401

    logs = {name: process.log_text() for name, process in system.services.items()}
    assert f'"path": "/v1/cases/{PHONE[:3]}****{PHONE[-4:]}"' in logs["intake"]
    assert any(case_id in text for text in logs.values()), "the case left no trace in any log: wrong files?"
    found = {name: [needle for needle in NEEDLES if needle in text] for name, text in logs.items()}
    assert found == {name: [] for name in logs}
