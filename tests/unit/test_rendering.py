"""What each event says, in Chinese: subject, text, markdown, HTML and SMS from the kind's template."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from services.contracts.catalog import load_catalog
from services.contracts.events import EventKind, NotificationEvent
from services.contracts.webhook_bodies import MediaLink
from services.notifier.rendering import Part, TemplateRenderer
from tests.unit.event_builders import CASE_ID, KIND_FIELDS, realistic_event

CJK = re.compile(r"[\u4e00-\u9fff]")
# Codes that must never reach a reader: deadline kinds and case statuses as the workflows name them.
CODES = re.compile(
    r"\b(sign_for|transfer|feedback|resolution|arbitration|triage|received|assigned|accepted|resolved|rework|closed"
    r"|None)\b"
)


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    names = {unit.code: unit.name_zh for unit in load_catalog().units.values()}
    return TemplateRenderer(names=lambda code: names.get(code, code))


# Every kind of a case's events (a report's notice is about no case: tests/unit/test_report_notices.py).
CASE_KINDS = [kind for kind in EventKind if kind is not EventKind.REPORT_PUBLISHED]


@pytest.mark.parametrize("kind", CASE_KINDS)
def test_every_kind_renders_every_part_in_chinese(renderer: TemplateRenderer, kind: EventKind) -> None:
    event = realistic_event(kind)

    parts = {part: renderer.render(event, part) for part in Part}

    for part, text in parts.items():
        assert CJK.search(text), f"{part}: {text!r}"
        assert "小区停水两天无人处理" in text, part
    assert parts[Part.SUBJECT].startswith("【市民热线】")
    assert "\n" not in parts[Part.SUBJECT]
    assert parts[Part.SMS].startswith("【市民热线】")
    assert parts[Part.SMS].endswith(f"工单号{CASE_ID[:8]}。")
    assert parts[Part.MARKDOWN].startswith("### ")
    assert parts[Part.HTML].startswith("<html><body>") and parts[Part.HTML].endswith("</body></html>")
    assert CASE_ID in parts[Part.HTML] and CASE_ID in parts[Part.MARKDOWN]


@pytest.mark.parametrize("kind", [*KIND_FIELDS, EventKind.CASE_ACCEPTED])
def test_no_code_or_none_reaches_the_reader(renderer: TemplateRenderer, kind: EventKind) -> None:
    event = realistic_event(kind)

    for part in Part:
        text = renderer.render(event, part)
        assert not CODES.search(text.replace(event.event_id, "")), f"{kind} {part}: {text!r}"


def test_a_sparse_event_renders_with_dashes_not_none(renderer: TemplateRenderer) -> None:
    sparse = NotificationEvent(
        event_id=f"{CASE_ID}:1",
        kind=EventKind.REMINDER,
        case_id=CASE_ID,
        unit="water",
        sequence=1,
        occurred_at=datetime(2026, 3, 2, 2, 15, tzinfo=UTC),
        title="路灯不亮",
    )

    for kind in EventKind:
        for part in Part:
            text = renderer.render(sparse.model_copy(update={"kind": kind}), part)
            assert "None" not in text, f"{kind} {part}: {text!r}"


def test_units_are_named_and_times_are_china_time(renderer: TemplateRenderer) -> None:
    text = renderer.render(realistic_event(EventKind.CASE_ASSIGNED), Part.TEXT)

    assert "- 首接单位：水务局" in text
    assert "- 转自：工业和信息化局" in text
    assert "- 属地：河口镇" in text
    assert "- 地址：河口镇幸福家园小区3号楼2单元" in text
    assert "- 签收时限：2026-03-02 12:15" in text  # 04:15 UTC
    assert "- 办结时限：2026-03-09 18:00" in text
    assert "> 工单号：3f6c1a9e-8a55-4a43-9f0e-2b7d1c5e4a10　时间：2026-03-02 10:15" in text
    sms = renderer.render(realistic_event(EventKind.CASE_ASSIGNED), Part.SMS)
    assert sms == "【市民热线】新工单待签收：小区停水两天无人处理。请于2026-03-02 12:15前签收。工单号3f6c1a9e。"


def test_the_transfer_notice_names_the_units_and_gives_the_reason(renderer: TemplateRenderer) -> None:
    notice = realistic_event(EventKind.TRANSFER_NOTICE).model_copy(
        update={"from_unit": "housing-construction", "to_unit": "water", "detail": "供水管网归水务局管理"}
    )

    text = renderer.render(notice, Part.TEXT)

    assert "- 您反映的问题已转至水务局办理，原因：供水管网归水务局管理" in text
    assert "water" not in text and "housing-construction" not in text
    assert renderer.render(notice, Part.SMS).endswith("已转水务局办理。工单号3f6c1a9e。")


@pytest.mark.parametrize(
    ("deadline_kind", "asked"), [("feedback", "请说明原因并报送阶段性成效"), ("arbitration", "请尽快确定承办单位")]
)
def test_what_a_breach_asks_for_is_the_template_s_to_say(
    renderer: TemplateRenderer, deadline_kind: str, asked: str
) -> None:
    breached = realistic_event(EventKind.DEADLINE_BREACHED).model_copy(
        update={"deadline_kind": deadline_kind, "detail": ""}
    )

    assert f"- 要求：{asked}" in renderer.render(breached, Part.TEXT)


def test_deadlines_are_named_in_chinese(renderer: TemplateRenderer) -> None:
    breached = realistic_event(EventKind.DEADLINE_BREACHED)
    reminder = realistic_event(EventKind.REMINDER)

    assert "- 超时环节：办结" in renderer.render(breached, Part.TEXT)
    assert "已超过办结时限" in renderer.render(breached, Part.SMS)
    assert "反馈时限将于2026-03-04 17:30到期" in renderer.render(reminder, Part.SMS)


def test_html_is_escaped_and_markdown_and_text_are_not(renderer: TemplateRenderer) -> None:
    event = realistic_event(
        EventKind.FEEDBACK_GIVEN, title="<script>alert('停水')</script>", detail="水压 < 0.1MPa & 无人处理 <b>急</b>"
    )

    html = renderer.render(event, Part.HTML)
    markdown = renderer.render(event, Part.MARKDOWN)

    assert "<script>" not in html and "<b>急</b>" not in html
    assert "&lt;script&gt;alert(&#39;停水&#39;)&lt;/script&gt;" in html
    assert "水压 &lt; 0.1MPa &amp; 无人处理 &lt;b&gt;急&lt;/b&gt;" in html
    assert "<h3>承办单位已答复</h3>" in html  # the template's own markup stays markup
    assert "**事项**：<script>alert('停水')</script>" in markdown
    assert "- 答复：水压 < 0.1MPa & 无人处理 <b>急</b>" in markdown
    assert renderer.render(event, Part.TEXT) == markdown
    assert "<script>alert('停水')</script>" in renderer.render(event, Part.SUBJECT)
    assert "&" not in renderer.render(event, Part.SMS).replace("<script>alert('停水')</script>", "")


OVERRIDE = """{% extends "_base.jinja" %}
{% block headline %}请立即签收（本市模板）{% endblock %}
{% block body %}- 承办：{{ name(event.handling_unit) }}，请于{{ when(event.deadlines.sign_for) }}前签收{% endblock %}
{% block sms %}本市短信模板。{% endblock %}
"""


def test_an_override_directory_replaces_one_kinds_template(renderer: TemplateRenderer, tmp_path: Path) -> None:
    (tmp_path / "case_assigned.jinja").write_text(OVERRIDE, encoding="utf-8")
    city = TemplateRenderer(tmp_path, names=lambda code: {"water": "水务局"}.get(code, code))
    assigned = realistic_event(EventKind.CASE_ASSIGNED)
    accepted = realistic_event(EventKind.CASE_ACCEPTED)

    assert city.render(assigned, Part.SUBJECT) == "【市民热线】请立即签收（本市模板）：小区停水两天无人处理"
    assert "- 承办：水务局，请于2026-03-02 12:15前签收" in city.render(assigned, Part.MARKDOWN)
    assert (
        city.render(assigned, Part.SMS)
        == "【市民热线】请立即签收（本市模板）：小区停水两天无人处理。本市短信模板。工单号3f6c1a9e。"
    )
    assert "<h3>请立即签收（本市模板）</h3>" in city.render(assigned, Part.HTML)
    # Every other kind keeps the packaged template.
    for part in Part:
        assert city.render(accepted, part) == renderer.render(accepted, part)


def test_an_override_using_a_field_events_do_not_have_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "case_closed.jinja").write_text(
        '{% extends "_base.jinja" %}{% block body %}{{ event.satisfaction }}{% endblock %}'
    )
    city = TemplateRenderer(tmp_path)

    with pytest.raises(UndefinedError):
        city.render(realistic_event(EventKind.CASE_CLOSED), Part.TEXT)


@pytest.mark.parametrize(
    ("outcome", "said"),
    [("rated", "群众已评价"), ("not rated", "逾期未评价"), ("unreasonable_demand", "不合理诉求")],
)
def test_a_closing_reason_is_said_in_chinese_never_as_its_code(
    renderer: TemplateRenderer, outcome: str, said: str
) -> None:
    closed = realistic_event(EventKind.CASE_CLOSED).model_copy(update={"outcome": outcome})

    text = renderer.render(closed, Part.TEXT)

    assert said in text and outcome not in text


EXPIRES = datetime(2026, 3, 5, 2, 15, tzinfo=UTC)
PHOTO = MediaLink(
    attachment_id="a1", url="https://h.example/dl/F1&x", thumbnail_url="https://h.example/dl/T1", expires_at=EXPIRES
)
NOTICE_PDF = MediaLink(attachment_id="a2", url="https://h.example/dl/F2", expires_at=EXPIRES)


@pytest.mark.parametrize(
    ("part", "images", "shown", "not_shown"),
    [
        # Email's plain text lists the files.
        (Part.TEXT, True, ["- 附件1：https://h.example/dl/F1&x", "- 附件2：https://h.example/dl/F2"], ["T1", "!["]),
        # DingTalk: the thumbnail inline, the file a link below it.
        (
            Part.MARKDOWN,
            True,
            [
                "![附件1](https://h.example/dl/T1)",
                "[附件1原图](https://h.example/dl/F1&x)",
                "[附件2](https://h.example/dl/F2)",
            ],
            [],
        ),
        # WeCom's markdown renders no image: a link to each file.
        (
            Part.MARKDOWN,
            False,
            ["[附件1](https://h.example/dl/F1&x)", "[附件2](https://h.example/dl/F2)"],
            ["T1", "!["],
        ),
        # Email's HTML: the thumbnail, linked to the file (URLs escaped as attributes are).
        (
            Part.HTML,
            True,
            [
                '<a href="https://h.example/dl/F1&amp;x"><img src="https://h.example/dl/T1" alt="附件1"',
                '<a href="https://h.example/dl/F2">附件2</a>',
                "链接 2026-03-05 10:15 前有效",
            ],
            [],
        ),
        (Part.SMS, True, [], ["附件", "https://"]),  # a text message carries no links
        (Part.SUBJECT, True, [], ["附件", "https://"]),
    ],
)
def test_the_files_an_event_names_are_shown_as_each_part_can(
    renderer: TemplateRenderer, part: Part, images: bool, shown: list[str], not_shown: list[str]
) -> None:
    event = realistic_event(EventKind.CASE_RESOLVED, attachment_ids=["a1", "a2"], thumbnail_ids=["a1"])

    rendered = renderer.render(event, part, media=[PHOTO, NOTICE_PDF], images=images)

    assert [text for text in shown if text not in rendered] == []
    assert [text for text in not_shown if text in rendered] == []
    if part in (Part.TEXT, Part.MARKDOWN):
        assert "附件（链接 2026-03-05 10:15 前有效）：" in rendered
        assert rendered.endswith(f"> 工单号：{CASE_ID}　时间：2026-03-02 10:15")


@pytest.mark.parametrize("part", list(Part))
def test_without_links_a_message_says_nothing_of_files(renderer: TemplateRenderer, part: Part) -> None:
    # No public API address, or a leader's copy: the event still names its files, the message shows none.
    event = realistic_event(EventKind.CASE_RESOLVED, attachment_ids=["a1"], thumbnail_ids=["a1"])

    rendered = renderer.render(event, part)

    assert "附件" not in rendered and "<img" not in rendered
    assert rendered == renderer.render(realistic_event(EventKind.CASE_RESOLVED), part)
