"""Small typed builders of realistic tickets."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any


def ticket_body(**overrides: Any) -> dict[str, Any]:
    """A valid 12345 ticket about a water outage, with a unique external id; override any field."""
    body: dict[str, Any] = {
        "channel": "12345",
        "external_id": f"12345-{uuid.uuid4().hex[:12]}",
        "title": "小区停水两天无人处理",
        "description": "河口镇幸福家园小区从前天早上开始停水，物业说是自来水公司管道维修，至今没有恢复供水，老人孩子用水困难。",
        "category_code": "LS-06",
        "township": "hekou-town",
        "address": "河口镇幸福家园小区3号楼2单元",
        "caller": {"name": "王女士", "phone": "13812345678"},
        "urgency": "normal",
        "reported_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(),
    }
    body.update(overrides)
    return body
