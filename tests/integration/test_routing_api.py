"""Routing through the real system: free text, a platform's own category code, a township found in the address."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from services.contracts.case_ids import workflow_id_for
from services.contracts.search_attributes import TOWNSHIP
from tests.support.case_lifecycle import Case, wait_for_case
from tests.support.tickets import ticket_body

pytestmark = pytest.mark.usefixtures("no_server_errors")


def without(body: dict[str, Any], *fields: str) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in fields}


async def submitted_and_assigned(api: httpx.AsyncClient, body: dict[str, Any]) -> Case:
    response = await api.post("/v1/cases", json=body)
    assert response.status_code == 202, response.text
    case_id = response.json()["case_id"]
    return await wait_for_case(api, case_id, lambda case: case["status"] == "assigned", what="assigned")


async def test_a_ticket_with_only_free_text_is_routed_by_its_text(api: httpx.AsyncClient) -> None:
    text = "楼下烧烤店油烟太大熏得没法开窗"
    body = without(ticket_body(title=text, description=text, address="湖滨路88号"), "category_code", "township")

    case = await submitted_and_assigned(api, body)

    assert case["handling_unit"] == "law-enforcement" and case["catalog_item"] == "EE-05"
    routing = case["routing"]
    assert routing["method"] == "text" and routing["item"] == "EE-05"
    assert routing["confidence"] >= 0.95 and routing["runner_up"] not in (None, "EE-05")
    assert routing["catalog_version"] == case["catalog_version"]
    assert "text → EE-05" in routing["reason"]
    assert case["township"] == "donghu-street", "found in the address"


async def test_platform_category_codes_are_mapped_to_catalog_items(api: httpx.AsyncClient) -> None:
    hotline = ticket_body(category_code="110102", title="饭店油烟直排", description="楼下饭店油烟直排进窗户。")
    livelihood = ticket_body(channel="89000", category_code="M0101")

    fumes, water = await asyncio.gather(submitted_and_assigned(api, hotline), submitted_and_assigned(api, livelihood))

    assert (fumes["routing"]["method"], fumes["catalog_item"], fumes["handling_unit"]) == (
        "platform_mapping",
        "EE-05",
        "law-enforcement",
    )
    assert "12345 category '110102' → EE-05" in fumes["routing"]["reason"]
    assert (water["routing"]["method"], water["catalog_item"], water["handling_unit"]) == (
        "platform_mapping",
        "LS-06",
        "water",
    )


async def test_an_address_naming_a_village_sends_a_township_matter_to_that_township(
    api: httpx.AsyncClient, temporal_client: Client
) -> None:
    by_code = without(
        ticket_body(category_code="EE-04", title="田里焚烧秸秆浓烟很大", address="松林村二组麦地边"), "township"
    )
    by_text = without(
        ticket_body(title="地里有人烧秸秆", description="王家村东头地里有人焚烧秸秆，浓烟很大。", address="王家村东头"),
        "category_code",
        "township",
    )

    coded, read = await asyncio.gather(submitted_and_assigned(api, by_code), submitted_and_assigned(api, by_text))

    assert (coded["handling_unit"], coded["township"]) == ("qingshan-town", "qingshan-town")
    assert coded["routing"]["township_source"] == "address"
    assert "松林村" in coded["routing"]["reason"]
    assert (read["routing"]["method"], read["catalog_item"], read["handling_unit"]) == ("text", "EE-04", "hekou-town")
    described = await temporal_client.get_workflow_handle(workflow_id_for(coded["case_id"])).describe()
    assert described.typed_search_attributes.get(TOWNSHIP) == "qingshan-town"
