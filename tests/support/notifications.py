"""Reading what the notifier did, over the real API and its ops port: delivery records and metrics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.support.polling import assert_eventually

Summary = dict[str, Any]


async def notifications(api: httpx.AsyncClient, case_id: str) -> list[Summary]:
    """`GET /v1/notifications?case_id=`: the case's events with status, attempts and last error."""
    response = await api.get("/v1/notifications", params={"case_id": case_id})
    assert response.status_code == 200, response.text
    summaries: list[Summary] = response.json()
    return summaries


async def wait_for_notification(
    api: httpx.AsyncClient,
    case_id: str,
    condition: Callable[[Summary], bool],
    *,
    what: str,
    timeout: float = 20.0,
) -> Summary:
    """Poll the case's notifications until one satisfies `condition`; returns it."""

    async def check() -> Summary:
        matching = [s for s in await notifications(api, case_id) if condition(s)]
        assert matching, what
        return matching[0]

    return await assert_eventually(check, timeout=timeout, what=f"case {case_id}: {what}")


def of(kind: str, *, unit: str | None = None, status: str | None = None) -> Callable[[Summary], bool]:
    """A condition on a notification: its kind, and if given its recipient and status."""
    return lambda s: s["kind"] == kind and unit in (None, s["unit"]) and status in (None, s["status"])


async def metric_total(ops_url: str, name: str, **labels: str) -> float:
    """Sum of a Prometheus counter's samples on a service's `/metrics/`, over samples with these labels."""
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{ops_url}/metrics/")).text
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(f"{name}{{") and not line.startswith(f"{name} "):
            continue
        sample, value = line.rsplit(" ", 1)
        if all(f'{key}="{label}"' in sample for key, label in labels.items()):
            total += float(value)
    return total
