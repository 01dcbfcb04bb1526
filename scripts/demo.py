"""Post a handful of realistic tickets to a running system (`make run`) and say where to see them."""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

TICKETS: list[dict[str, Any]] = [
    {
        "channel": "12345",
        "title": "小区停水两天无人处理",
        "description": "河口镇幸福家园小区从前天早上开始停水，物业说是自来水管道维修，到现在也没恢复，家里有老人孩子，用水很困难。",
        "category_code": "LS-06",
        "township": "hekou-town",
        "address": "河口镇幸福家园小区3号楼",
        "caller": {"name": "王女士", "phone": "13812345678"},
    },
    {
        "channel": "89000",
        "title": "烧烤店油烟直排扰民",
        "description": "东湖街道滨河路一家烧烤店每天晚上油烟直接往居民楼排，窗户都不敢开，希望有关部门管一管。",
        "category_code": "EE-05",
        "township": "donghu-street",
        "address": "东湖街道滨河路88号",
        "caller": {"name": "刘先生", "phone": "13900001111"},
    },
    {
        "channel": "grid",
        "title": "田间焚烧秸秆浓烟",
        "description": "网格员巡查发现桃源乡李家村北侧农田有人焚烧秸秆，浓烟较大，已现场劝阻，需乡里安排人员处置。",
        "category_code": "EE-04",
        "township": "taoyuan-township",
        "address": "桃源乡李家村北侧农田",
        "urgency": "urgent",
    },
    {
        "channel": "township_call",
        "title": "工地拖欠农民工工资",
        "description": "石桥镇某建筑工地包工头拖欠二十多名农民工工资近三个月，工人多次讨要未果，镇里协调不了，呼叫区人社局响应。",
        "category_code": "LS-01",
        "township": "shiqiao-town",
    },
    {
        "channel": "12345",
        "title": "电梯经常困人",
        "description": "城关街道阳光花园5号楼电梯这个月已经困人三次了，物业一直说在修，请市场监管部门查一下电梯安全。",
        "category_code": "MS-04",
        "township": "chengguan-street",
        "address": "城关街道阳光花园5号楼",
        "caller": {"name": "陈女士", "phone": "13711112222"},
    },
    {
        "channel": "89000",
        "title": "路边有个大坑",
        "description": "青山镇政府门口往东那段路上有个大坑，晚上看不清，已经有电动车摔倒了，不知道该找哪个部门。",
        "township": "qingshan-town",
    },
]


def dev_keys() -> dict[str, str]:
    """The development API keys `make run` wrote (var/dev-credentials.json)."""
    keys: dict[str, str] = json.loads(Path("var/dev-credentials.json").read_text())["keys"]
    return keys


async def main(api_url: str, ui_url: str) -> None:
    reported_at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    keys = dev_keys()
    reader = {"Authorization": f"Bearer {keys['coordination-centre']}"}
    async with httpx.AsyncClient(base_url=api_url, timeout=10, headers=reader) as api:
        case_ids: list[tuple[str, str]] = []
        for ticket in TICKETS:
            body = {"external_id": f"demo-{uuid.uuid4().hex[:10]}", "reported_at": reported_at, **ticket}
            platform = {"Authorization": f"Bearer {keys['platform-' + ticket['channel']]}"}
            response = await api.post("/v1/cases", json=body, headers=platform)
            response.raise_for_status()
            case_ids.append((response.json()["case_id"], ticket["title"]))
        await asyncio.sleep(2)  # routing and workflow start take a moment
        print(f"{'case id':38}  {'status':9} {'handling unit':22} title")
        for case_id, title in case_ids:
            case = (await api.get(f"/v1/cases/{case_id}")).json()
            print(f"{case_id:38}  {case['status']:9} {case.get('handling_unit') or '-':22} {title}")
    print()
    print("See each case:")
    for case_id, _title in case_ids:
        print(f"  API  {api_url}/v1/cases/{case_id}")
        print(f"  UI   {ui_url}/namespaces/default/workflows/case-{case_id}")
    print(f"\nAll open cases by unit: {ui_url}/namespaces/default/workflows?query=CaseStatus%3D%22assigned%22")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--ui", default="http://127.0.0.1:8233")
    args = parser.parse_args()
    asyncio.run(main(args.api, args.ui))
