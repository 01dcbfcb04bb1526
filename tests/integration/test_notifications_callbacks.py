"""Platform status callbacks: signed with the platform's key, and in per-case order whatever fails on the way."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.case_lifecycle import act, open_case
from tests.support.documented_receiver import verify
from tests.support.notifications import metric_total, of, wait_for_notification
from tests.support.polling import assert_eventually
from tests.support.receiver import ReceivedRequest, WebhookReceiver
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

WAITING = "hotline_notifier_delivery_attempts_total"


async def callbacks_at(receiver: WebhookReceiver, path: str, count: int) -> list[ReceivedRequest]:
    """Wait until `count` callbacks were acknowledged at `path`; returns them in arrival order."""

    async def arrived() -> list[ReceivedRequest]:
        received = [r for r in receiver.received if r.path == path]
        assert len(received) >= count, [r.json()["kind"] for r in received]
        return received

    return await assert_eventually(arrived, what=f"{count} callbacks at {path}")


async def test_callbacks_are_signed_with_the_platforms_key_shown_once(
    api: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    generated = await api.put("/v1/platforms/12345/callback-secret", json={})
    assert generated.status_code == 200, generated.text
    assert generated.json()["platform"] == "12345"
    key = generated.json()["secret"]
    path = f"/callbacks/{uuid.uuid4().hex}"

    case = await open_case(api, category="UC-07", title="小区暖气不热，室温只有十二度", callback_url=receiver.url(path))
    [assigned] = await callbacks_at(receiver, path, 1)

    assert verify(key, httpx.Headers(assigned.headers), assigned.body)
    event = assigned.json()
    assert (event["kind"], event["case_id"], event["unit"]) == ("case_assigned", case["case_id"], "platform-12345")
    assert (event["audience"], event["previous_sequence"]) == ("platform", 0)
    assert event["address"] is None  # the caller's address stays with the units
    assert assigned.headers["x-hotline-event-kind"] == "case_assigned"
    assert assigned.headers["idempotency-key"] == event["event_id"]

    # A key the platform chose is not shown back, and signs the callbacks from then on.
    chosen = "platform-12345-key-" + uuid.uuid4().hex
    rotated = await api.put("/v1/platforms/12345/callback-secret", json={"secret": chosen})
    assert rotated.status_code == 200 and rotated.json()["secret"] is None
    unit = case["handling_unit"]
    await act(api, case["case_id"], "accept", {"unit": unit})
    await act(api, case["case_id"], "feedback", {"unit": unit, "message": "已派维修人员上门排查管道"})
    _assigned, accepted, feedback = await callbacks_at(receiver, path, 3)

    assert (accepted.json()["kind"], feedback.json()["kind"]) == ("case_accepted", "feedback_given")
    assert verify(chosen, httpx.Headers(feedback.headers), feedback.body)
    assert not verify(key, httpx.Headers(feedback.headers), feedback.body)


async def test_a_later_status_never_overtakes_a_callback_still_being_retried(
    api: httpx.AsyncClient, receiver: WebhookReceiver, system: RunningSystem
) -> None:
    notifier = system.services["notifier"].base_url
    waits_before = await metric_total(notifier, WAITING, channel="callback", result="waiting")
    path = f"/callbacks/{uuid.uuid4().hex}"
    # The platform fails the case's first callback five times (about 2-3 s of retries with the test's backoff).
    receiver.fail_only = lambda request: request.path == path and request.json()["kind"] == "case_assigned"
    receiver.failures_to_answer = 5
    case = await open_case(api, category="UC-07", title="供暖公司报修三天未上门", callback_url=receiver.url(path))
    case_id, unit = case["case_id"], case["handling_unit"]

    await act(api, case_id, "accept", {"unit": unit, "note": "已签收"})
    await act(api, case_id, "feedback", {"unit": unit, "message": "已联系供热站，今日上门"})
    await act(api, case_id, "progress", {"unit": unit, "done": "已排查楼内管道", "next": "更换阀门"})
    await act(api, case_id, "resolve", {"unit": unit, "note": "已更换阀门，室温恢复到二十度"})

    arrived = await callbacks_at(receiver, path, 5)

    events = [r.json() for r in arrived]
    assert [e["kind"] for e in events] == [
        "case_assigned",
        "case_accepted",
        "feedback_given",
        "progress_reported",
        "case_resolved",
    ]
    sequences = [e["sequence"] for e in events]
    assert sequences == sorted(sequences) and len(set(sequences)) == 5
    # Complete: each callback names the one before it, and that one had arrived.
    assert [e["previous_sequence"] for e in events] == [0, *sequences[:-1]]
    # Not even an attempt of a later status reached the platform before the first one was acknowledged.
    tried = [(r.json()["kind"], r.status) for r in receiver.requests if r.path == path]
    assert tried[:6] == [("case_assigned", 500)] * 5 + [("case_assigned", 200)]
    summary = await wait_for_notification(
        api, case_id, of("case_assigned", unit="platform-12345", status="delivered"), what="first callback recorded"
    )
    assert (summary["attempts"], summary["last_error"]) == (6, "HTTP 500")
    # The later statuses did come while the first was failing, and were held back.
    assert await metric_total(notifier, WAITING, channel="callback", result="waiting") > waits_before
