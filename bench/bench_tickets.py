"""The tickets the benchmarks send: realistic, each with an explicit catalog item, spread over a few units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

# (catalog item, its handling unit): explicit items, so every ticket is routed without triage, as most are.
ITEMS = (
    ("LS-06", "water"),
    ("NR-03", "natural-resources"),
    ("EE-02", "ecology-environment"),
    ("EE-05", "law-enforcement"),
)
UNITS = tuple(unit for _, unit in ITEMS)


def ticket(run: str, index: int) -> dict[str, Any]:
    """The `index`-th ticket of a run; the external id is unique per run so each ticket becomes a new case."""
    item, _unit = ITEMS[index % len(ITEMS)]
    return {
        "channel": "12345",
        "external_id": f"bench-{run}-{index}",
        "title": "小区停水两天无人处理",
        "description": "河口镇幸福家园小区从前天早上开始停水，物业说是管道维修，至今没有恢复供水，老人孩子用水困难。",
        "category_code": item,
        "township": "hekou-town",
        "address": "河口镇幸福家园小区3号楼2单元",
        "caller": {"name": "王女士", "phone": "13812345678"},
        "urgency": "normal",
        "reported_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(),
    }
