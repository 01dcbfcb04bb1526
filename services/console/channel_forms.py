"""A unit's notification channels as forms: what each channel asks for, the API body a filled form becomes
(`PUT /v1/units/{code}/{channel}`, services/contracts/unit_channels.py) and how a set channel reads. Pure functions.

The admin edits any unit's channels, a unit (the centre, a leader) its own: both pages use these forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from services.console.case_actions import FormError


@dataclass(frozen=True)
class ChannelField:
    name: str
    label: str
    kind: str = "text"  # text, url, textarea, password
    required: bool = True
    hint: str = ""


@dataclass(frozen=True)
class ChannelForm:
    name: str
    label: str
    fields: tuple[ChannelField, ...]


URL_HINT = "以 https:// 开头（开发环境可用 http://）"
CHANNELS: dict[str, ChannelForm] = {
    form.name: form
    for form in (
        ChannelForm(
            "webhook",
            "Webhook（签名JSON推送）",
            (
                ChannelField("url", "接收地址", "url", hint=URL_HINT),
                ChannelField(
                    "secret",
                    "签名密钥（可留空）",
                    "password",
                    required=False,
                    hint="至少16个字符；留空则由系统生成并只显示一次。",
                ),
            ),
        ),
        ChannelForm(
            "email",
            "电子邮件",
            (ChannelField("to", "收件邮箱", "textarea", hint="每行一个，或用逗号分隔；最多20个。"),),
        ),
        ChannelForm(
            "sms",
            "短信",
            (ChannelField("phones", "接收手机号", "textarea", hint="每行一个，或用逗号分隔；最多20个。"),),
        ),
        ChannelForm(
            "dingtalk",
            "钉钉群机器人",
            (
                ChannelField("url", "机器人Webhook地址", "url", hint=URL_HINT),
                ChannelField(
                    "secret", "加签密钥（可留空）", "password", required=False, hint="机器人启用“加签”时填写。"
                ),
            ),
        ),
        ChannelForm("wecom", "企业微信群机器人", (ChannelField("url", "机器人Webhook地址", "url", hint=URL_HINT),)),
    )
}
_SEPARATORS = re.compile(r"[\s,，;；、]+")


def channel_body(channel: str, form: dict[str, str]) -> dict[str, Any]:
    """The API's body for a channel from its submitted form; FormError names the field that cannot be used."""
    spec = CHANNELS.get(channel)
    if spec is None:
        raise FormError(f"没有“{channel}”这种通知渠道")
    body: dict[str, Any] = {}
    for field in spec.fields:
        raw = (form.get(field.name) or "").strip()
        value: str | list[str] = listed(raw) if field.kind == "textarea" else raw
        if not value:
            if field.required:
                raise FormError(f"{field.label}：必填")
            continue
        body[field.name] = value
    return body


def listed(text: str) -> list[str]:
    """Addresses or phone numbers as a person types them: a line each, or separated by commas or semicolons."""
    return [part for part in _SEPARATORS.split(text) if part]


def current_values(channel: str, setting: dict[str, Any] | None) -> dict[str, str]:
    """A set channel's values to fill its form with (never a secret: the API does not show them)."""
    if not setting:
        return {}
    if channel == "email":
        return {"to": "\n".join(setting.get("to", []))}
    if channel == "sms":
        return {"phones": "\n".join(setting.get("phones", []))}
    return {"url": str(setting.get("url", ""))}


def describe(channel: str, setting: dict[str, Any] | None) -> str:
    """How a set channel reads in a table: where it sends, and whether it signs."""
    if not setting:
        return "未设置"
    if channel == "email":
        return "、".join(setting.get("to", []))
    if channel == "sms":
        return "、".join(setting.get("phones", []))
    signed = "（已加签）" if setting.get("signed") else ""
    return f"{setting.get('url', '')}{signed}"
