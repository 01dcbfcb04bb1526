"""Catalog changes by application (动态调整) over the real API, NATS and Temporal.

A unit applies; the coordination centre decides; an approved change is the next catalog version, which the router
follows without a restart. Tests that change routing put the shipped tables back afterwards (a new version with the
original content), since the session's other tests route by them.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from services.contracts.catalog import default_catalog_dir
from tests.support.case_lifecycle import open_case
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.services import REPO_ROOT, service_env
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

CENTRE = "coordination-centre"
Body = dict[str, Any]


@pytest_asyncio.fixture
async def restore_catalog(system: RunningSystem, api: httpx.AsyncClient) -> AsyncIterator[None]:
    """Afterwards, import the shipped tables again (`hotline catalog import`), as an operator would."""
    yield
    env = service_env(nats_url=system.nats.url, temporal_address=system.temporal.address)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.admin",
        "catalog",
        "import",
        str(default_catalog_dir()),
        "--note",
        "restored after test_catalog_changes_api",
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    restored = int(out.decode().split()[2]) if out.startswith(b"catalog version") else None

    async def intake_follows() -> None:
        current = (await api.get("/v1/catalog")).json()
        assert restored is None or current["version"] == restored

    await assert_eventually(intake_follows, what="intake follows the restored catalog")


async def shipped_item(api: httpx.AsyncClient, code: str) -> Body:
    items: dict[str, Body] = (await api.get("/v1/catalog")).json()["catalog"]["items"]
    return items[code]


async def apply_for(api: httpx.AsyncClient, body: Body) -> str:
    response = await api.post("/v1/catalog/changes", json=body)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending"
    change_id: str = response.json()["change_id"]
    return change_id


async def recorded(api: httpx.AsyncClient, change_id: str, status: str) -> Body:
    """The change as listed in `GET /v1/catalog/changes?status=…`, once it is listed there."""

    async def listed() -> Body:
        response = await api.get("/v1/catalog/changes", params={"status": status})
        assert response.status_code == 200, response.text
        found = [c for c in response.json() if c["change_id"] == change_id]
        assert len(found) == 1, f"listed {len(found)} times"
        change: Body = found[0]
        return change

    return await assert_eventually(listed, what=f"change {change_id} listed as {status}")


async def decide(api: httpx.AsyncClient, change_id: str, unit: str, approved: bool) -> httpx.Response:
    return await api.post(
        f"/v1/catalog/changes/{change_id}/decision", json={"unit": unit, "approved": approved, "note": "审核意见"}
    )


async def test_an_approved_change_is_the_next_version_and_routing_follows_it(
    api: httpx.AsyncClient, restore_catalog: None
) -> None:
    before = await open_case(api, category="KW-05", title="外资企业落地注册受阻")
    assert before["handling_unit"] == "commerce"
    item = await shipped_item(api, "KW-05") | {"primary_unit": "development-reform"}
    body = {
        "unit": "commerce",
        "kind": "change",
        "item_code": "KW-05",
        "item": item,
        "reason": "项目落地服务划转发改局",
    }

    change_id = await apply_for(api, body)

    pending = await recorded(api, change_id, "pending")
    assert (pending["unit"], pending["kind"], pending["item_before"]["primary_unit"]) == (
        "commerce",
        "change",
        "commerce",
    )
    assert pending["decision_due"] is not None and pending["submitted_against"] == int(before["catalog_version"])
    assert (await api.get(f"/v1/catalog/changes/{change_id}")).json()["status"] == "pending"
    by_applicant = await decide(api, change_id, "commerce", approved=True)
    assert by_applicant.status_code == 403 and "only the coordination centre" in by_applicant.json()["detail"]
    assert (await api.get(f"/v1/catalog/changes/{change_id}")).json()["status"] == "pending"

    approved = await decide(api, change_id, CENTRE, approved=True)

    assert approved.status_code == 200, approved.text
    new_version = approved.json()["catalog_version"]
    assert approved.json()["status"] == "approved" and new_version > int(before["catalog_version"])

    async def in_force() -> Body:
        current: Body = (await api.get("/v1/catalog")).json()
        assert (current["version"], current["source"]) == (new_version, f"change:{change_id}")
        return current

    current = await assert_eventually(in_force, what="the approved version is in force")
    assert current["catalog"]["items"]["KW-05"]["primary_unit"] == "development-reform"
    listed = await recorded(api, change_id, "approved")
    assert listed["catalog_version"] == new_version and listed["decided_by"] == CENTRE
    again = await decide(api, change_id, CENTRE, approved=False)
    assert again.status_code == 409 and "decided" in again.json()["detail"]

    after = await open_case(api, category="KW-05", title="招商项目落地服务")
    assert after["catalog_version"] == str(new_version) != before["catalog_version"]
    assert after["handling_unit"] == "development-reform"


async def test_a_refused_change_publishes_no_version(api: httpx.AsyncClient) -> None:
    versions = (await api.get("/v1/catalog/versions")).json()
    item = await shipped_item(api, "HE-04") | {"supporting_units": ["market-regulation"]}
    body = {"unit": "health", "kind": "change", "item_code": "HE-04", "item": item, "reason": "增加配合单位"}
    change_id = await apply_for(api, body)
    # Shown at once (from the workflow until its first record is written).
    shown = await api.get(f"/v1/catalog/changes/{change_id}")
    assert shown.status_code == 200 and shown.json()["status"] == "pending", shown.text
    await recorded(api, change_id, "pending")

    refused = await decide(api, change_id, CENTRE, approved=False)

    assert refused.status_code == 200, refused.text
    assert (refused.json()["status"], refused.json()["catalog_version"]) == ("refused", None)
    assert (await api.get("/v1/catalog/versions")).json() == versions
    assert (await recorded(api, change_id, "refused"))["note"] == "审核意见"
    newest_first = (await api.get("/v1/catalog/changes")).json()
    assert newest_first[0]["change_id"] == change_id
    submitted = [datetime.fromisoformat(c["submitted_at"]) for c in newest_first]
    assert submitted == sorted(submitted, reverse=True)


async def test_a_unit_may_not_push_its_own_listed_duty_down_to_the_townships(api: httpx.AsyncClient) -> None:
    item = await shipped_item(api, "KW-05") | {"primary_unit": None, "township_role": "primary"}
    body = {"unit": "commerce", "kind": "change", "item_code": "KW-05", "item": item, "reason": "交由属地镇街负责"}

    response = await api.post("/v1/catalog/changes", json=body)

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("item.township_role: KW-05 is a listed duty of 'commerce'")
    assert "不得将自身清单职责下放给镇街" in detail


async def test_an_application_that_does_not_fit_the_catalog_is_422_naming_the_field(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    kw05 = await shipped_item(api, "KW-05")
    changes_before = len((await api.get("/v1/catalog/changes")).json())

    def body(**overrides: Any) -> Body:
        return {"unit": "commerce", "kind": "change", "item_code": "KW-05", "item": kw05, "reason": "调整"} | overrides

    # Nobody acts as an unknown unit: refused (403) before the application is checked against the catalog.
    no_such_unit = await api.post(
        "/v1/catalog/changes", json=body(unit="no-such-unit"), headers=bearer(system.keys[CENTRE])
    )
    assert no_such_unit.status_code == 403, no_such_unit.text
    assert no_such_unit.json()["detail"] == "you act as 'coordination-centre', not 'no-such-unit'"

    fits_not = [
        (body(kind="add"), "item_code: KW-05 is already in the catalog"),
        (body(kind="remove", item_code="ZZ-01", item=None), "item_code: unknown catalog item 'ZZ-01'"),
        (body(item_code="ZZ-01", item=kw05 | {"item_code": "ZZ-01"}), "item_code: unknown catalog item 'ZZ-01'"),
        (body(item=kw05 | {"primary_unit": None}), "item.primary_unit: no primary unit"),
        (body(item=kw05 | {"primary_unit": "ghost-bureau"}), "item.primary_unit: unknown unit code"),
        (body(item=kw05 | {"supporting_units": ["ghost"]}), "item.supporting_units: unknown unit code 'ghost'"),
        (body(), "item: KW-05 already reads like this"),
    ]
    for request, expected in fits_not:
        response = await api.post("/v1/catalog/changes", json={k: v for k, v in request.items() if v is not None})
        assert response.status_code == 422, (expected, response.text)
        assert response.json()["detail"].startswith(expected), response.text

    malformed = [
        (body(kind="rename"), ["body", "kind"]),
        ({k: v for k, v in body().items() if k != "item"}, ["body", "item"]),
        (body(kind="remove"), ["body", "item"]),
        (body(item=kw05 | {"item_code": "KW-04"}), ["body", "item"]),
        (body(item=kw05 | {"township_role": "sometimes"}), ["body", "item", "township_role"]),
        (body(reason=""), ["body", "reason"]),
    ]
    for request, location in malformed:
        response = await api.post("/v1/catalog/changes", json=request)
        assert response.status_code == 422, response.text
        assert [error["loc"] for error in response.json()["detail"]] == [location], response.text
    assert len((await api.get("/v1/catalog/changes")).json()) == changes_before


async def test_unknown_changes_are_404_and_a_bad_filter_is_422(api: httpx.AsyncClient) -> None:
    unknown = str(uuid.uuid4())
    assert (await api.get(f"/v1/catalog/changes/{unknown}")).status_code == 404
    assert (await api.get("/v1/catalog/changes/not-a-change")).status_code == 404
    assert (await decide(api, unknown, CENTRE, approved=True)).status_code == 404
    assert (await decide(api, "not-a-change", CENTRE, approved=True)).status_code == 404
    assert (await decide(api, unknown, "ghost-centre", approved=True)).status_code == 422
    assert (await api.get("/v1/catalog/changes", params={"status": "maybe"})).status_code == 422
