"""Past its retry budget an event goes to the dead-letter stream, is counted, and is sent again on request."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import nats
import pytest
import pytest_asyncio

from tests.support.case_lifecycle import act, open_case
from tests.support.notifications import metric_total, of, wait_for_notification
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

BUDGET_SECONDS = 3.0
DEAD_LETTERS = "hotline_notifier_dead_letters_total"
# A city's override with a mistake in one part: the SMS names a field no event has.
BROKEN_SMS_TEMPLATE = """{% extends "_base.jinja" %}
{% block headline %}新工单待签收{% endblock %}
{% block body %}- 承办单位：{{ name(event.handling_unit) }}{% endblock %}
{% block sms %}请于{{ when(event.sign_for_deadline) }}前签收。{% endblock %}
"""


@pytest_asyncio.fixture(scope="module")
async def own_system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    """A system whose notifier gives up after 3 s of failures, retrying every few tenths of a second.

    Its city templates include a `case_assigned` whose SMS part names a field events do not have.
    """
    settings = {
        "HOTLINE_NOTIFIER_RETRY_BUDGET_SECONDS": str(BUDGET_SECONDS),
        "HOTLINE_NOTIFIER_RETRY_BASE_SECONDS": "0.2",
        "HOTLINE_NOTIFIER_RETRY_MAX_SECONDS": "0.5",
        "HOTLINE_NOTIFIER_ORDERED_WAIT_SECONDS": "0.3",
    }
    workdir = tmp_path_factory.mktemp("dead-letters")
    templates = workdir / "templates"
    templates.mkdir()
    (templates / "case_assigned.jinja").write_text(BROKEN_SMS_TEMPLATE, encoding="utf-8")
    settings["HOTLINE_NOTIFIER_TEMPLATE_DIR"] = str(templates)
    running = await RunningSystem.start(workdir, extra_env=settings)
    try:
        yield running
    finally:
        running.stop()


@pytest_asyncio.fixture(scope="module")
async def own_api(own_system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with own_system.client() as client:
        yield client


async def dead_letter(system: RunningSystem, subject: str) -> dict[str, object]:
    """The last record dead-lettered on `subject`, read from the NOTIFY_DEAD stream with a plain NATS client."""
    nc = await nats.connect(system.nats.url)
    try:
        message = await nc.jetstream().get_last_msg("NOTIFY_DEAD", subject)
    finally:
        await nc.close()
    record: dict[str, object] = json.loads(message.data or b"{}")
    return record


async def test_an_event_past_its_budget_is_dead_lettered_and_redelivered_on_request(
    own_system: RunningSystem, own_api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    notifier = own_system.services["notifier"].base_url
    dead_before = await metric_total(notifier, DEAD_LETTERS, kind="case_assigned")
    receiver.failures_to_answer = 10**6
    response = await own_api.put("/v1/units/water/webhook", json={"url": receiver.url("/water")})
    assert response.status_code == 200, response.text
    submitted = await own_api.post("/v1/cases", json=ticket_body(title="整栋楼自来水发黄有异味"))
    case_id = submitted.json()["case_id"]

    dead = await wait_for_notification(
        own_api, case_id, of("case_assigned", unit="water", status="dead"), what="dead-lettered", timeout=15
    )

    assert dead["attempts"] >= 3
    assert dead["last_error"] == "HTTP 500"
    record = (await own_api.get(f"/v1/notifications/{dead['event_id']}")).json()
    tried_for = datetime.fromisoformat(record["last_attempt_at"]) - datetime.fromisoformat(record["first_attempt_at"])
    assert BUDGET_SECONDS - 0.5 <= tried_for.total_seconds() <= BUDGET_SECONDS + 2
    buried = await dead_letter(own_system, "notify_dead.water.case_assigned")
    assert buried["status"] == "dead"
    assert buried["event"]["event_id"] == dead["event_id"]  # type: ignore[index]
    assert len(buried["attempts"]) == dead["attempts"]  # type: ignore[arg-type]
    assert await metric_total(notifier, DEAD_LETTERS, kind="case_assigned") == dead_before + 1

    receiver.failures_to_answer = 0  # the unit fixed its receiver
    redelivery = await own_api.post(f"/v1/notifications/{dead['event_id']}/redeliver")

    assert redelivery.status_code == 202, redelivery.text
    assert redelivery.json() == {"event_id": dead["event_id"], "status": "pending"}
    delivered = await wait_for_notification(
        own_api, case_id, of("case_assigned", unit="water", status="delivered"), what="redelivered"
    )
    [arrived] = receiver.for_case(case_id)
    assert arrived.json()["event_id"] == dead["event_id"]
    assert delivered["attempts"] == dead["attempts"] + 1
    record = (await own_api.get(f"/v1/notifications/{dead['event_id']}")).json()
    assert record["redeliveries"] == 1
    assert record["attempts"][-1]["ok"] is True
    assert (await own_api.post("/v1/notifications/00000000-0000-4000-8000-000000000000:1/redeliver")).status_code == 404


async def test_a_dead_lettered_callback_lets_the_later_statuses_go_and_is_redelivered(
    own_api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    path = f"/callbacks/{uuid.uuid4().hex}"
    receiver.fail_only = lambda request: request.path == path and request.json()["kind"] == "case_assigned"
    receiver.failures_to_answer = 10**6
    case = await open_case(own_api, category="LS-04", title="养老院护理员态度恶劣", callback_url=receiver.url(path))
    case_id, unit = case["case_id"], case["handling_unit"]
    dead = await wait_for_notification(
        own_api, case_id, of("case_assigned", unit="platform-12345", status="dead"), what="dead", timeout=15
    )

    await act(own_api, case_id, "accept", {"unit": unit})
    await act(own_api, case_id, "feedback", {"unit": unit, "message": "已约谈养老院负责人"})

    async def later_arrived() -> dict[str, dict[str, object]]:
        kinds = {r.json()["kind"]: r.json() for r in receiver.received if r.path == path}
        assert "feedback_given" in kinds, list(kinds)
        return kinds

    later = await assert_eventually(later_arrived, what="the later callbacks after the dead one")
    assert later["case_accepted"]["previous_sequence"] == dead["sequence"]
    assert later["feedback_given"]["previous_sequence"] == later["case_accepted"]["sequence"]

    receiver.failures_to_answer = 0
    assert (await own_api.post(f"/v1/notifications/{dead['event_id']}/redeliver")).status_code == 202
    await wait_for_notification(
        own_api, case_id, of("case_assigned", unit="platform-12345", status="delivered"), what="redelivered"
    )
    assert [r.json()["kind"] for r in receiver.received if r.path == path] == [
        "case_accepted",
        "feedback_given",
        "case_assigned",
    ]


async def test_a_channel_that_cannot_be_rendered_costs_the_others_nothing_and_is_dead_lettered(
    own_api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    unit = "transport"
    await own_api.put(f"/v1/units/{unit}/webhook", json={"url": receiver.url("/transport")})
    await own_api.put(f"/v1/units/{unit}/sms", json={"phones": ["13800000003"]})
    submitted = await own_api.post("/v1/cases", json=ticket_body(category_code="LS-07", title="公交站台被占无法候车"))
    case_id = submitted.json()["case_id"]

    dead = await wait_for_notification(
        own_api, case_id, of("case_assigned", unit=unit, status="dead"), what="dead-lettered", timeout=15
    )

    # The webhook went out once; only the SMS, whose words cannot be rendered, kept failing and says why.
    assert [r.json()["kind"] for r in receiver.for_case(case_id)] == ["case_assigned"]
    assert dead["channels"]["webhook"]["status"] == "delivered"
    assert dead["channels"]["webhook"]["attempts"] == 1
    assert dead["channels"]["sms"]["status"] == "retrying"
    assert dead["channels"]["sms"]["attempts"] >= 2
    assert "sign_for_deadline" in dead["channels"]["sms"]["last_error"]
