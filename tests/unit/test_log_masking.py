"""Logs never hold a phone number, a name, an address or a secret; ids, codes, times and amounts stay readable."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import structlog

from services.contracts.log_masking import POSITION_HIDDEN, mask_personal_data, mask_value
from services.contracts.text_masking import ADDRESS_HIDDEN, mask_text
from services.contracts.tickets import Ticket
from tests.unit.builders import make_ticket
from tests.unit.event_builders import CASE_ID, KIND_FIELDS, realistic_event
from tests.unit.test_telemetry import json_lines, json_logging


@pytest.mark.parametrize(
    "written",
    [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "(+86)13812345678",
        "0086 138 1234 5678",
        "8613812345678",
    ],
)
def test_a_mobile_number_however_written_keeps_only_its_first_three_and_last_four_digits(written: str) -> None:
    masked = mask_text(f"市民来电反映楼下餐馆油烟扰民，联系电话{written}，希望尽快处理。")

    assert masked == "市民来电反映楼下餐馆油烟扰民，联系电话138****5678，希望尽快处理。"


def test_every_phone_number_in_a_line_is_masked() -> None:
    line = "本人手机13912345678，家属电话 159-8765-4321，备用+86 177 0000 1234，单位座机0571-88886666，夜间010-62345678"

    masked = mask_text(line)

    assert (
        masked == "本人手机139****5678，家属电话 159****4321，备用177****1234，单位座机0571-****6666，夜间010-****5678"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证号码110105198803151234，要求核实", "身份证号码110***********1234，要求核实"),
        ("证件号 32010219900307123X", "证件号 320***********123X"),
        ("回复请发邮件至 zhang.san@example.com 谢谢", "回复请发邮件至 z***@example.com 谢谢"),
    ],
)
def test_id_numbers_and_emails_are_masked(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市民王女士来电反映小区停水", "市民王**来电反映小区停水"),
        ("来电人：李先生，要求回电", "来电人：李**，要求回电"),
        ("维修的张师傅说明天再来", "维修的张**说明天再来"),
        ("楼下刘阿姨家漏水", "楼下刘**家漏水"),
        ("邻居老王说物业不管", "邻居老*说物业不管"),
        ("小李反映楼道灯坏了", "小*反映楼道灯坏了"),
        ("姓名：张三，电话：13812345678", "姓名：张**，电话：138****5678"),
        ("姓名:阿依古丽·买买提", "姓名:阿**"),
        ("我叫赵丽颖，想咨询社保", "我叫赵**，想咨询社保"),
        ("联系人陈建国，手机15012345678", "联系人陈**，手机150****5678"),
        ("市民张三反映路灯不亮", "市民张**反映路灯不亮"),
        ("欧阳先生多次来电", "欧阳**多次来电"),
        ("王小明先生来电投诉噪音", "王**来电投诉噪音"),
        ("村里朱大爷和孙奶奶都反映过", "村里朱**和孙**都反映过"),
    ],
)
def test_names_in_the_forms_citizens_and_operators_write_them_are_masked(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("河口镇幸福家园小区3号楼2单元501室停水两天", f"{ADDRESS_HIDDEN}停水两天"),
        ("住在人民路88号，门口井盖丢失", f"住在{ADDRESS_HIDDEN}，门口井盖丢失"),
        ("张家村3组王大爷家的院墙倒了", f"{ADDRESS_HIDDEN}王**家的院墙倒了"),
        ("王庄村五组的路灯坏了", f"{ADDRESS_HIDDEN}的路灯坏了"),
        ("门牌号：解放路120号", f"门牌号：{ADDRESS_HIDDEN}"),
        ("地址：河口镇幸福家园小区3号楼2单元，请尽快处理", f"地址：{ADDRESS_HIDDEN}，请尽快处理"),
        ("家住幸福家园3-2-501，楼上漏水", f"家住{ADDRESS_HIDDEN}，楼上漏水"),
        ("反映3号楼2单元楼道堆放杂物", f"反映{ADDRESS_HIDDEN}楼道堆放杂物"),
        ("楼上1202室深夜装修", f"楼上{ADDRESS_HIDDEN}深夜装修"),
    ],
)
def test_addresses_with_house_numbers_are_hidden(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "POST https://oapi.dingtalk.com/robot/send?access_token=9f8e7d6c5b4a&timestamp=1700000000000&sign=a%2Bb%3D",
            "POST https://oapi.dingtalk.com/robot/send?access_token=[REDACTED]&timestamp=1700000000000&sign=[REDACTED]",
        ),
        ("Authorization: Bearer hk_0123456789ab_Zx9s-dkfjQWEsdkfjsdkfj", "Authorization: Bearer [REDACTED]"),
        ("refused key hk_0123456789ab_Zx9s-dkfjQWEsdkfjsdkfj", "refused key hk_0123456789ab_[REDACTED]"),
        (
            "WebhookChannel(url='https://x.example', secret='S3cret-Value-1234')",
            "WebhookChannel(url='https://x.example', secret='[REDACTED]')",
        ),
        ('{"callback_secret": "abcdefghijklmnop"}', '{"callback_secret": "[REDACTED]"}'),
        ("connecting to nats://hotline:pa55word@10.0.0.5:4222", "connecting to nats://[REDACTED]@10.0.0.5:4222"),
    ],
)
def test_secrets_in_text_are_redacted(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        CASE_ID,
        f"case-{CASE_ID}",
        f"{CASE_ID}:2",
        f"{CASE_ID}:joint-1-water:3",
        "2026-03-02T02:15:00+00:00",
        "2026-03-02T10:15:00.123456Z",
        "2026-03-02 10:15",
        "2026-03-02",
        "12345-20261122-000187",
        "hekou-town",
        "housing-construction",
        "LS-06",
        "LS-06 → water (catalog 3, digest 9f2c1b7a)",
        "补偿3000元，另付13800元押金",
        "2026年3月2日前办结，1小时内签收",
        "小区停水两天无人处理",
        "小于3米，小高层住宅，一小段路，老旧小区改造，小区门口",
        "水管有个小孔在漏水",
        "地铁3号线沿线，按1号文件执行",
        "公安局长到场协调",
        "由工业和信息化局转办：私屠滥宰归农业农村局",
        "notify.water.case_assigned",
        "GET /v1/cases/3f6c1a9e-8a55-4a43-9f0e-2b7d1c5e4a10 200",
        "12345 热线",
        "retry in 1.5 s (attempt 3 of 10)",
        "UnitChannels(unit='water', unit_name='水务局', signed=True)",
        "两栋楼之间的空地积水",
    ],
)
def test_ids_codes_times_amounts_and_ordinary_words_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


@pytest.mark.parametrize("kind", list(KIND_FIELDS))
def test_what_the_workflows_write_in_events_is_left_alone(kind: Any) -> None:
    event = realistic_event(kind).model_dump(mode="json", exclude={"address"})

    assert mask_value(event) == event


def test_values_under_personal_and_secret_keys_are_masked_whatever_they_hold() -> None:
    entry = {
        "caller": {"name": "王女士", "phone": "13812345678", "note": "晚上联系 13912345678"},
        "address": "河口镇幸福家园小区3号楼",
        "phones": ["13812345678", "0571-88886666"],
        "secret": "S3cret-Value-1234",
        "callback_secret": "another-secret",
        "headers": {"Authorization": "Bearer hk_0123456789ab_abcdefghijkl", "X-API-Key": "hk_0123456789ab_abcdefgh"},
        "api_key": 12345,
        "case_id": CASE_ID,
        "unit": "water",
        "attempts": 3,
    }

    assert mask_value(entry) == {
        "caller": {"name": "王**", "phone": "138****5678", "note": "晚上联系 139****5678"},
        "address": ADDRESS_HIDDEN,
        "phones": ["138****5678", "057****6666"],
        "secret": "[REDACTED]",
        "callback_secret": "[REDACTED]",
        "headers": {"Authorization": "[REDACTED]", "X-API-Key": "[REDACTED]"},
        "api_key": "[REDACTED]",
        "case_id": CASE_ID,
        "unit": "water",
        "attempts": 3,
    }


def test_a_caller_given_as_plain_text_is_hidden_whole() -> None:
    assert mask_value({"caller": "王女士 13812345678"}) == {"caller": "[REDACTED]"}


def test_a_model_with_personal_data_is_logged_as_its_masked_fields() -> None:
    ticket = make_ticket(
        caller={"name": "李先生", "phone": "13812345678"}, address="人民路88号", description="联系人李建国，13812345678"
    )

    masked = mask_value({"ticket": ticket})["ticket"]

    assert masked["caller"] == {"name": "李**", "phone": "138****5678", "confidential": False}
    assert masked["address"] == ADDRESS_HIDDEN
    assert masked["description"] == "联系人李**，138****5678"
    assert masked["title"] == ticket.title


def test_an_object_with_nothing_to_hide_is_kept_as_it_is() -> None:
    event = realistic_event(next(iter(KIND_FIELDS)), address=None)
    ticket: Ticket = make_ticket()

    assert mask_value({"event": event})["event"] is event
    assert mask_value({"ticket": ticket})["ticket"] is ticket


def test_the_processor_leaves_structlogs_own_fields_alone() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "msg", None, None)
    entry = {"event": "call 13812345678", "timestamp": "2026-03-02T02:15:00Z", "level": "info", "_record": record}

    masked = mask_personal_data(None, "info", entry)

    assert masked == {
        "event": "call 138****5678",
        "timestamp": "2026-03-02T02:15:00Z",
        "level": "info",
        "_record": record,
    }


def test_an_exception_traceback_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    with json_logging(service="router"):
        try:
            raise ValueError("cannot parse caller 王女士 phone 13812345678 at 河口镇幸福家园小区3号楼2单元")
        except ValueError:
            structlog.get_logger("services.router").exception("ticket.unparsable", case_id=CASE_ID)
            logging.getLogger("nats.aio.client").exception("callback failed for 13912345678")

    out = capsys.readouterr().out
    lines = json_lines(out)
    assert [line["event"] for line in lines] == ["ticket.unparsable", "callback failed for 139****5678"]
    for line in lines:
        assert "Traceback (most recent call last)" in line["exception"]
        assert "ValueError: cannot parse caller 王** phone 138****5678 at [地址已隐藏]" in line["exception"]
    for secret in ("13812345678", "13912345678", "王女士", "幸福家园"):
        assert secret not in out
    assert lines[0]["case_id"] == CASE_ID


def test_structlog_and_stdlib_lines_carrying_a_ticket_are_written_without_personal_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ticket = {
        "channel": "12345",
        "external_id": "12345-20260302-000187",
        "title": "小区停水两天无人处理",
        "description": "市民王女士（电话138-1234-5678）反映，河口镇幸福家园小区3号楼2单元501室停水两天。",
        "address": "河口镇幸福家园小区3号楼2单元501室",
        "caller": {"name": "王秀英", "phone": "13812345678"},
        "category_code": "LS-06",
        "reported_at": "2026-03-02T09:15:00+08:00",
    }
    with json_logging(service="intake"):
        structlog.get_logger("services.intake").info("ticket.received", case_id=CASE_ID, unit="water", ticket=ticket)
        logging.getLogger("uvicorn.error").warning("bad ticket %s", ticket)

    out = capsys.readouterr().out
    structured, foreign = json_lines(out)
    for personal in ("13812345678", "138-1234-5678", "王女士", "王秀英", "幸福家园", "501室"):
        assert personal not in out
    assert structured["case_id"] == CASE_ID
    assert structured["unit"] == "water"
    assert structured["ticket"]["caller"] == {"name": "王**", "phone": "138****5678"}
    assert structured["ticket"]["address"] == ADDRESS_HIDDEN
    assert structured["ticket"]["category_code"] == "LS-06"
    assert structured["ticket"]["reported_at"] == "2026-03-02T09:15:00+08:00"
    assert structured["ticket"]["external_id"] == "12345-20260302-000187"
    assert foreign["logger"] == "uvicorn.error"
    assert "138****5678" in foreign["event"]
    assert "12345-20260302-000187" in foreign["event"]


@pytest.mark.parametrize(
    "text",
    [
        "市民王女士来电反映，河口镇幸福家园小区3号楼2单元501室停水，联系电话13812345678，邮箱 w@example.com",
        "门牌号：解放路120号",
        "姓名：张三，地址：人民路88号，身份证110105198803151234，Bearer hk_0123456789ab_abcdefghijkl",
        "{'address': '河口镇幸福家园', 'caller': {'name': '王秀英', 'phone': '13812345678'}}",
    ],
)
def test_masking_masked_text_changes_nothing(text: str) -> None:
    once = mask_text(text)

    assert mask_text(once) == once


def test_a_tickets_point_is_hidden_and_its_grid_code_kept() -> None:
    location = {"latitude": 36.2943, "longitude": 117.4924, "grid_code": "sample-district.hekou-town.wangjia.g01"}
    ticket = make_ticket(location=location)

    masked = mask_value({"ticket": ticket, "lat": 36.2943, "point": [36.2943, 117.4924]})

    assert masked["ticket"]["location"]["latitude"] == POSITION_HIDDEN
    assert masked["ticket"]["location"]["longitude"] == POSITION_HIDDEN
    assert masked["ticket"]["location"]["grid_code"] == location["grid_code"]
    assert masked["lat"] == POSITION_HIDDEN and masked["point"] == POSITION_HIDDEN
    assert "36.2943" not in str(masked)
