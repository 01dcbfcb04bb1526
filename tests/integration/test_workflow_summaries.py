"""What an operator reads of a case in the Temporal Web UI: its summary and current details, with no personal data,
and encrypted in Temporal like every payload."""

from __future__ import annotations

import httpx
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client, WorkflowHandle

from services.contracts.case_ids import workflow_id_for
from services.engines.payload_codec import ENCODING
from tests.support.case_lifecycle import act, open_case, wait_for_case
from tests.support.polling import assert_eventually

# The ticket's personal data (tests/support/tickets.py): none of it may reach what the Web UI lists.
CALLER = {"name": "赵先生", "phone": "13911112222"}
TITLE = "楼道漏水没人修"
DESCRIPTION = "幸福家园小区3号楼楼道顶棚漏水一周，物业一直推脱。"
ADDRESS = "河口镇幸福家园小区3号楼"
PERSONAL = [CALLER["name"], CALLER["phone"], TITLE, DESCRIPTION, ADDRESS, "幸福家园"]
METADATA_QUERY = "__temporal_workflow_metadata"


async def current_details(handle: WorkflowHandle[object, object]) -> str:
    """What the Web UI shows as the workflow's current details (the SDK's metadata query)."""
    metadata = await handle.query(METADATA_QUERY, result_type=WorkflowMetadata)
    return metadata.current_details


async def test_a_case_lists_its_item_units_township_and_status_without_personal_data(
    api: httpx.AsyncClient, temporal_client: Client
) -> None:
    case = await open_case(api, category="LS-06", caller=CALLER, title=TITLE, description=DESCRIPTION, address=ADDRESS)
    handle = temporal_client.get_workflow_handle(workflow_id_for(case["case_id"]))

    description = await handle.describe()
    summary = await description.static_summary()
    details = await current_details(handle)

    assert summary is not None
    assert summary.startswith(f"LS-06 · {case['handling_unit']}"), summary
    assert summary.endswith(" · hekou-town · assigned"), summary
    assert "- **Status:** assigned" in details.splitlines(), details
    assert "- **Township:** hekou-town" in details.splitlines(), details
    for text in (summary, details):
        assert not [value for value in PERSONAL if value in text], text
    # In Temporal the summary is a payload like any other, encrypted; the UI reads it through the codec server.
    stored = description.raw_description.execution_config.user_metadata.summary
    assert stored.metadata["encoding"] == ENCODING
    assert b"LS-06" not in stored.data


async def test_the_current_details_follow_the_case(api: httpx.AsyncClient, temporal_client: Client) -> None:
    case = await open_case(api, category="LS-06")
    handle = temporal_client.get_workflow_handle(workflow_id_for(case["case_id"]))

    await act(api, case["case_id"], "accept", {"unit": case["handling_unit"], "note": "已签收"})
    await wait_for_case(api, case["case_id"], lambda seen: seen["status"] == "accepted", what="accepted")

    async def shows_accepted() -> None:
        assert "- **Status:** accepted" in (await current_details(handle)).splitlines()

    await assert_eventually(shows_accepted, what="details show the case accepted")
