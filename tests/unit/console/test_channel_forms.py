"""A unit's channel forms as the API's bodies, and set channels as the page reads them."""

from __future__ import annotations

from typing import Any

import pytest

from services.console.case_actions import FormError
from services.console.channel_forms import CHANNELS, channel_body, current_values, describe, listed


@pytest.mark.parametrize(
    ("channel", "form", "body"),
    [
        ("webhook", {"url": " https://w.example/e ", "secret": ""}, {"url": "https://w.example/e"}),
        (
            "webhook",
            {"url": "https://w.example/e", "secret": "s" * 16},
            {"url": "https://w.example/e", "secret": "s" * 16},
        ),
        ("email", {"to": "a@x.cn\nb@x.cn"}, {"to": ["a@x.cn", "b@x.cn"]}),
        ("email", {"to": "a@x.cn，b@x.cn; c@x.cn、d@x.cn"}, {"to": ["a@x.cn", "b@x.cn", "c@x.cn", "d@x.cn"]}),
        ("sms", {"phones": "13800000000 13900000000"}, {"phones": ["13800000000", "13900000000"]}),
        (
            "dingtalk",
            {"url": "https://oapi.dingtalk.com/robot/send?access_token=t"},
            {"url": "https://oapi.dingtalk.com/robot/send?access_token=t"},
        ),
        (
            "wecom",
            {"url": "https://qyapi.weixin.qq.com/x", "csrf": "ignored"},
            {"url": "https://qyapi.weixin.qq.com/x"},
        ),
    ],
)
def test_a_filled_form_is_the_apis_body(channel: str, form: dict[str, str], body: dict[str, Any]) -> None:
    assert channel_body(channel, form) == body


@pytest.mark.parametrize(
    ("channel", "form", "refusal"),
    [
        ("webhook", {"url": "  "}, "接收地址：必填"),
        ("email", {"to": " ，\n"}, "收件邮箱：必填"),
        ("sms", {}, "接收手机号：必填"),
        ("fax", {"number": "1"}, "没有“fax”这种通知渠道"),
    ],
)
def test_a_form_it_cannot_send_names_the_field(channel: str, form: dict[str, str], refusal: str) -> None:
    with pytest.raises(FormError, match=f"^{refusal}$"):
        channel_body(channel, form)


def test_every_channel_the_api_has_has_a_form() -> None:
    assert set(CHANNELS) == {"webhook", "email", "sms", "dingtalk", "wecom"}


@pytest.mark.parametrize(("text", "parts"), [("", []), ("a", ["a"]), ("a,,b\n\nc", ["a", "b", "c"])])
def test_listed(text: str, parts: list[str]) -> None:
    assert listed(text) == parts


@pytest.mark.parametrize(
    ("channel", "setting", "values", "text"),
    [
        ("email", None, {}, "未设置"),
        ("email", {"to": ["a@x.cn", "b@x.cn"]}, {"to": "a@x.cn\nb@x.cn"}, "a@x.cn、b@x.cn"),
        ("sms", {"phones": ["13800000000"]}, {"phones": "13800000000"}, "13800000000"),
        (
            "webhook",
            {"url": "https://w.example/e", "signed": True},
            {"url": "https://w.example/e"},
            "https://w.example/e（已加签）",
        ),
        (
            "wecom",
            {"url": "https://q.example/r", "signed": False},
            {"url": "https://q.example/r"},
            "https://q.example/r",
        ),
    ],
)
def test_a_set_channel_as_the_page_shows_it(
    channel: str, setting: dict[str, Any] | None, values: dict[str, str], text: str
) -> None:
    assert current_values(channel, setting) == values
    assert describe(channel, setting) == text
