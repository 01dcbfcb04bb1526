"""Email, DingTalk, WeCom and SMS through the session system, to real local receivers (SMTP by aiosmtpd, HTTP)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from PIL import Image

from tests.integration.test_attachments_api import upload
from tests.integration.test_unit_calls_api import act_as, call_body
from tests.integration.test_unit_calls_api import submit as submit_call
from tests.support.case_lifecycle import wait_for_case
from tests.support.mail_receiver import MailReceiver, ReceivedMail
from tests.support.notifications import of, wait_for_notification
from tests.support.polling import assert_eventually
from tests.support.receiver import ReceivedRequest, WebhookReceiver
from tests.support.services import SMS_GATEWAY_KEY, SMS_GATEWAY_PORT, SMTP_PORT
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body
from tests.unit.test_attachment_files import photo

pytestmark = pytest.mark.usefixtures("no_server_errors")

EMAIL_UNIT = "natural-resources"
ROBOTS_UNIT = "health"
CALLING_UNIT = "qingshan-town"


@pytest.fixture(scope="module")
def mail() -> Iterator[MailReceiver]:
    """The SMTP server the test systems' notifiers are configured with (`tests/support/services.py`)."""
    server = MailReceiver(port=SMTP_PORT)
    server.start()
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="module")
async def sms_gateway() -> AsyncIterator[WebhookReceiver]:
    """The SMS gateway the notifiers are configured with; it answers `{"code": "0"}` on success."""
    gateway = WebhookReceiver(port=SMS_GATEWAY_PORT, answer={"code": "0", "msg": "提交成功"})
    await gateway.start()
    yield gateway
    await gateway.stop()


@pytest_asyncio.fixture
async def channels_removed_after(api: httpx.AsyncClient) -> AsyncIterator[None]:
    yield
    for unit in (EMAIL_UNIT, ROBOTS_UNIT, CALLING_UNIT):
        for channel in ("email", "dingtalk", "wecom", "sms"):
            await api.delete(f"/v1/units/{unit}/{channel}")


async def put(api: httpx.AsyncClient, path: str, body: dict[str, object]) -> dict[str, object]:
    response = await api.put(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


async def submit(api: httpx.AsyncClient, **ticket: object) -> str:
    response = await api.post("/v1/cases", json=ticket_body(**ticket))
    assert response.status_code == 202, response.text
    case_id: str = response.json()["case_id"]
    return case_id


@pytest.mark.usefixtures("channels_removed_after")
async def test_a_unit_gets_its_events_by_email_with_a_chinese_subject_text_and_html(
    api: httpx.AsyncClient, mail: MailReceiver
) -> None:
    to = ["duty@nr.example.gov.cn", "chief@nr.example.gov.cn"]
    channels = await put(api, f"/v1/units/{EMAIL_UNIT}/email", {"to": to})
    assert channels["email"]["to"] == to  # type: ignore[index]
    title = "不动产权证办理三个月仍未出证"
    case_id = await submit(api, category_code="NR-03", title=title, township="taoyuan-township")

    async def received() -> ReceivedMail:
        mine = [m for m in mail.received if m.message["X-Hotline-Event-Id"] == f"{case_id}:1"]
        assert mine, "no mail yet"
        return mine[0]

    message = await assert_eventually(received, what="the case_assigned email")

    assert message.rcpt_tos == to
    assert message.mail_from == "hotline@hekou.example.gov.cn"
    assert message.message["From"].addresses[0].display_name == "河口市12345热线"
    assert message.subject == f"【市民热线】新工单待签收：{title}"
    text = message.body("plain")
    assert text.startswith("### 新工单待签收")
    assert f"**事项**：{title}" in text
    assert "- 承办单位：自然资源局" in text and "- 属地：桃源乡" in text
    assert f"> 工单号：{case_id}" in text
    html = message.body("html")
    assert "<h3>新工单待签收</h3>" in html
    assert f"<p><b>事项</b>：{title}</p>" in html
    assert f"事件：{case_id}:1" in html
    summary = await wait_for_notification(
        api, case_id, of("case_assigned", unit=EMAIL_UNIT, status="delivered"), what="recorded"
    )
    assert summary["channels"]["email"]["status"] == "delivered"


@pytest.mark.usefixtures("channels_removed_after")
async def test_dingtalk_wecom_and_sms_each_get_the_message_their_platform_documents(
    api: httpx.AsyncClient, receiver: WebhookReceiver, sms_gateway: WebhookReceiver
) -> None:
    receiver.answer = {"errcode": 0, "errmsg": "ok"}
    robot_secret = "SEC0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
    dingtalk = await put(
        api,
        f"/v1/units/{ROBOTS_UNIT}/dingtalk",
        {"url": receiver.url("/robot/send?access_token=tk1"), "secret": robot_secret},
    )
    await put(api, f"/v1/units/{ROBOTS_UNIT}/wecom", {"url": receiver.url("/cgi-bin/webhook/send?key=k1")})
    await put(api, f"/v1/units/{ROBOTS_UNIT}/sms", {"phones": ["13800000001", "13900000002"]})
    assert dingtalk["dingtalk"]["signed"] is True  # type: ignore[index]
    shown = (await api.get(f"/v1/units/{ROBOTS_UNIT}/channels")).text
    assert robot_secret not in shown
    # The notifier holds a unit's channels as its watch of the bucket last saw them: a channel set a moment before an
    # event may reach it after the event does (channel changes take effect within the watch's delay, milliseconds;
    # seconds on a loaded host). Nothing outside the notifier shows when it has seen the last of three changes, so
    # the case comes a while after them: this test is about the messages, not that delay.
    await asyncio.sleep(2)
    title = "游泳馆池水浑浊，消毒不达标"
    case_id = await submit(api, category_code="HE-04", title=title, township="chengguan-street")

    summary = await wait_for_notification(
        api, case_id, of("case_assigned", unit=ROBOTS_UNIT, status="delivered"), what="every channel delivered"
    )

    assert {name: c["status"] for name, c in summary["channels"].items()} == {
        "dingtalk": "delivered",
        "wecom": "delivered",
        "sms": "delivered",
    }
    [ding] = [r for r in receiver.received if r.path == "/robot/send" and title in r.body.decode()]
    assert_dingtalk_signed(ding, robot_secret)
    assert ding.headers["content-type"].startswith("application/json")
    assert ding.json()["msgtype"] == "markdown"
    assert set(ding.json()["markdown"]) == {"title", "text"}
    assert ding.json()["markdown"]["title"] == f"【市民热线】新工单待签收：{title}"
    assert ding.json()["markdown"]["text"].startswith("### 新工单待签收")
    assert "- 承办单位：卫生健康局" in ding.json()["markdown"]["text"]

    [wecom] = [r for r in receiver.received if r.path == "/cgi-bin/webhook/send" and title in r.body.decode()]
    assert wecom.query == {"key": "k1"}
    assert wecom.json() == {"msgtype": "markdown", "markdown": {"content": ding.json()["markdown"]["text"]}}

    texts = [r for r in sms_gateway.received if r.json()["outId"] == f"{case_id}:1"]
    assert [r.json()["mobile"] for r in texts] == ["13800000001", "13900000002"]
    for sms in texts:
        assert sms.path == "/sms/send"
        assert sms.headers["x-api-key"] == SMS_GATEWAY_KEY
        assert sms.json()["sign"] == "市民热线"
        assert sms.json()["content"].startswith(f"【市民热线】新工单待签收：{title}。请于")
        assert sms.json()["content"].endswith(f"前签收。工单号{case_id[:8]}。")


def assert_dingtalk_signed(request: ReceivedRequest, secret: str) -> None:
    """What DingTalk's server checks: the access token kept, a fresh ms timestamp, the sign recomputed from it."""
    query = request.query
    assert set(query) == {"access_token", "timestamp", "sign"}
    assert query["access_token"] == "tk1"
    assert abs(int(query["timestamp"]) - time.time() * 1000) < 3_600_000
    digest = hmac.new(secret.encode(), f"{query['timestamp']}\n{secret}".encode(), hashlib.sha256).digest()
    assert query["sign"] == base64.b64encode(digest).decode()


@pytest.mark.usefixtures("channels_removed_after")
async def test_a_calling_unit_sees_the_after_photo_of_its_resolved_call_in_email_and_robot_messages(
    api: httpx.AsyncClient, system: RunningSystem, mail: MailReceiver, receiver: WebhookReceiver
) -> None:
    receiver.answer = {"errcode": 0, "errmsg": "ok"}
    to = ["duty@qingshan.example.gov.cn"]
    await put(api, f"/v1/units/{CALLING_UNIT}/email", {"to": to})
    await put(api, f"/v1/units/{CALLING_UNIT}/dingtalk", {"url": receiver.url("/robot/send?access_token=qs")})
    await put(api, f"/v1/units/{CALLING_UNIT}/wecom", {"url": receiver.url("/cgi-bin/webhook/send?key=qs")})
    called = await submit_call(api, system, CALLING_UNIT, call_body(f"TC-{uuid.uuid4().hex[:8]}"))
    assert called.status_code == 202, called.text
    case_id = called.json()["case_id"]
    await wait_for_case(api, case_id, lambda c: c["status"] == "assigned", what="assigned to water")
    accepted = await act_as(api, system, "water", case_id, "accept", {"unit": "water", "note": "已签收"})
    assert accepted.status_code == 200, accepted.text
    after = await upload(api, system, "water", case_id, "改造后.jpg", photo(size=(640, 480)), description="新管网")
    assert after.status_code == 201, after.text
    after_id = after.json()["attachment_id"]
    resolve = {"unit": "water", "note": "已更换主供水管", "attachment_ids": [after_id]}
    assert (await act_as(api, system, "water", case_id, "resolve", resolve)).status_code == 200

    summary = await wait_for_notification(
        api, case_id, of("case_resolved", unit=CALLING_UNIT, status="delivered"), what="the caller told"
    )
    assert set(summary["channels"]) == {"email", "dingtalk", "wecom"}

    [message] = [m for m in mail.received if m.message["X-Hotline-Event-Id"] == summary["event_id"]]
    assert message.rcpt_tos == to
    html = message.body("html")
    [(file_url, thumbnail_url)] = re.findall(r'<a href="([^"]+)"><img src="([^"]+)"', html)
    assert f"- 附件1：{file_url}" in message.body("plain")
    async with httpx.AsyncClient(timeout=10) as reader:
        thumbnail, file = await reader.get(thumbnail_url), await reader.get(file_url)
    assert (thumbnail.status_code, thumbnail.headers["content-type"]) == (200, "image/jpeg"), thumbnail.text
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        assert (image.format, max(image.size)) == ("JPEG", 320)
    assert hashlib.sha256(file.content).hexdigest() == after.json()["sha256"]

    [ding] = [r for r in receiver.received if r.path == "/robot/send" and case_id in r.body.decode()]
    assert "![附件1](" in ding.json()["markdown"]["text"]
    [wecom] = [r for r in receiver.received if r.path == "/cgi-bin/webhook/send" and case_id in r.body.decode()]
    content = wecom.json()["markdown"]["content"]
    assert "![" not in content and "[附件1](" in content  # WeCom shows no image: a link to the file
