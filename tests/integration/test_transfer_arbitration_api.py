"""Transfer with notice, the transfer cap and arbitration, through the real API (Temporal Updates behind FastAPI).

The first-contact unit stays recorded whoever handles the case; past the cap the coordination centre decides.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import httpx
import pytest

from tests.support.case_lifecycle import act, actions, open_case, refusal, tracked

pytestmark = pytest.mark.usefixtures("no_server_errors")


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_transfer_hands_the_case_to_the_responsible_unit_and_keeps_the_first_contact_unit(
    api: httpx.AsyncClient,
) -> None:
    # Restaurant fumes filed as industrial noise: ecology-environment passes it to law-enforcement (EE-05).
    case = await open_case(api, category="EE-02", title="楼下烧烤店油烟直排进窗户")
    case_id = case["case_id"]
    assert case["handling_unit"] == "ecology-environment"

    body = {
        "unit": "ecology-environment",
        "to_unit": "law-enforcement",
        "reason": "餐饮油烟归综合执法",
        "catalog_item": "EE-05",
    }
    moved = await act(api, case_id, "transfer", body)

    assert moved["status"] == "assigned"
    assert moved["handling_unit"] == "law-enforcement"
    assert moved["first_contact_unit"] == "ecology-environment"
    [transfer] = moved["transfers"]
    assert (transfer["from_unit"], transfer["to_unit"], transfer["catalog_item"]) == (
        "ecology-environment",
        "law-enforcement",
        "EE-05",
    )
    # The ticket gave no callback URL: the transfer notice (告知单) is on the case record all the same.
    [notice] = moved["transfer_notices"]
    assert (notice["from_unit"], notice["to_unit"], notice["catalog_item"]) == (
        "ecology-environment",
        "law-enforcement",
        "EE-05",
    )
    assert (notice["reason"], notice["at"], notice["sent_to"]) == ("餐饮油烟归综合执法", transfer["at"], [])
    assert moved["timeline"][-1]["actor"] == "ecology-environment"
    assert moved["timeline"][-1]["action"] == "transferred"
    # The receiving unit's own sign-for window starts when it receives the case.
    assert at(tracked(moved, "sign_for")["started_at"]) > at(case["received_at"])
    shown = (await api.get(f"/v1/cases/{case_id}")).json()
    assert (shown["handling_unit"], shown["first_contact_unit"]) == ("law-enforcement", "ecology-environment")

    # The unit that passed it on can no longer act; the new one signs for it.
    detail = await refusal(api, case_id, "accept", {"unit": "ecology-environment"})
    assert "law-enforcement" in detail
    await act(api, case_id, "accept", {"unit": "law-enforcement"})

    after_acceptance = await refusal(
        api,
        case_id,
        "transfer",
        {"unit": "law-enforcement", "to_unit": "housing-construction", "reason": "再转", "catalog_item": "UC-04"},
    )
    assert "accepted" in after_acceptance
    final = (await api.get(f"/v1/cases/{case_id}")).json()
    assert final["handling_unit"] == "law-enforcement" and len(final["transfers"]) == 1


@pytest.mark.parametrize(
    ("change", "named_field"),
    [
        ({"catalog_item": "ZZ-99"}, "catalog_item"),
        ({"catalog_item": "EE-05"}, "to_unit"),  # EE-05 makes law-enforcement responsible, not water
        ({"to_unit": "no-such-bureau"}, "to_unit"),
        ({"catalog_item": "EE-04"}, "to_unit"),  # EE-04 is a township's matter; water is a department
        ({"unit": "no-such-bureau"}, "unit"),
        ({"reason": ""}, "body.reason"),
    ],
)
async def test_transfer_naming_the_wrong_unit_or_item_is_422_and_changes_nothing(
    api: httpx.AsyncClient, change: dict[str, str], named_field: str
) -> None:
    case = await open_case(api, category="MS-02", title="小区二次供水水箱脏")
    case_id = case["case_id"]
    body = {"unit": "market-regulation", "to_unit": "water", "reason": "供水问题归水务", "catalog_item": "LS-06"}

    detail = await refusal(api, case_id, "transfer", body | change, status=422)

    assert detail.startswith(f"{named_field}:"), detail
    shown = (await api.get(f"/v1/cases/{case_id}")).json()
    assert shown["handling_unit"] == "market-regulation"
    assert shown["transfers"] == []


async def test_a_townships_matter_is_transferred_to_the_township(api: httpx.AsyncClient) -> None:
    # Straw burning (EE-04) is the township's matter: any township may be named, a department may not.
    case = await open_case(api, category="LE-02", township="taoyuan-township", title="田里焚烧秸秆浓烟呛人")
    body = {
        "unit": "law-enforcement",
        "to_unit": "taoyuan-township",
        "reason": "秸秆焚烧属地管理",
        "catalog_item": "EE-04",
    }

    moved = await act(api, case["case_id"], "transfer", body)

    assert (moved["handling_unit"], moved["first_contact_unit"]) == ("taoyuan-township", "law-enforcement")
    assert moved["transfers"][0]["reason"] == "秸秆焚烧属地管理"


async def test_transfers_past_the_cap_go_to_arbitration_by_the_coordination_centre(api: httpx.AsyncClient) -> None:
    case = await open_case(api, category="LS-07", title="公交站台被机动车长期占用")
    case_id = case["case_id"]
    await act(
        api,
        case_id,
        "transfer",
        {"unit": "transport", "to_unit": "public-security", "reason": "机动车违停归公安", "catalog_item": "LE-05"},
    )
    # A unit that passed the case on cannot be handed it back: that dispute is for arbitration.
    back = {"unit": "public-security", "to_unit": "transport", "reason": "公交站台归交通", "catalog_item": "LS-07"}
    assert "arbitration" in await refusal(api, case_id, "transfer", back)
    await act(
        api,
        case_id,
        "transfer",
        {"unit": "public-security", "to_unit": "law-enforcement", "reason": "占道归执法", "catalog_item": "LE-04"},
    )

    third = {
        "unit": "law-enforcement",
        "to_unit": "housing-construction",
        "reason": "道路设施",
        "catalog_item": "UC-04",
    }
    detail = await refusal(api, case_id, "transfer", third)

    assert "arbitration" in detail
    waiting = (await api.get(f"/v1/cases/{case_id}")).json()
    assert waiting["status"] == "arbitration"
    assert waiting["handling_unit"] == "law-enforcement"
    assert len(waiting["transfers"]) == 2
    assert waiting["deadlines"]["arbitration"] is not None
    assert actions(waiting)[-3:] == ["arbitration_requested", "deadline_paused", "deadline_paused"]
    # What the unit owes the caller stands still while the centre decides: no due time is shown for it.
    assert waiting["deadlines"]["paused"] == ["feedback", "resolution"]
    assert (waiting["deadlines"]["feedback"], waiting["deadlines"]["resolution"]) == (None, None)
    assert tracked(waiting, "feedback")["paused_at"] is not None
    # While it waits, nobody signs for it or passes it on.
    assert "arbitration" in await refusal(api, case_id, "transfer", third)
    assert "arbitration" in await refusal(api, case_id, "accept", {"unit": "law-enforcement"})

    decision = {"unit": "coordination-centre", "handling_unit": "housing-construction", "reason": "道路设施属住建"}
    # The first-contact unit is part of the case, but arbitration is the coordination centre's alone.
    by_a_unit = await refusal(api, case_id, "arbitration", {**decision, "unit": "transport"}, status=403)
    assert "only the coordination centre" in by_a_unit
    assert (await api.get(f"/v1/cases/{case_id}")).json()["status"] == "arbitration"
    unknown = await refusal(api, case_id, "arbitration", {**decision, "handling_unit": "road-bureau"}, status=422)
    assert unknown.startswith("handling_unit:")

    decided = await act(api, case_id, "arbitration", decision)

    assert decided["status"] == "assigned"
    assert decided["arbitrated"] is True
    assert decided["handling_unit"] == "housing-construction"
    assert decided["first_contact_unit"] == "transport"
    assert tracked(decided, "arbitration")["met_at"] is not None
    assert "arbitrated" in actions(decided)
    assert actions(decided).count("deadline_resumed") == 2
    assert decided["deadlines"]["paused"] == []
    assert tracked(decided, "feedback")["paused_at"] is None
    assert at(decided["deadlines"]["feedback"]) >= at(tracked(waiting, "feedback")["due"])
    # The unit the centre names handles the case: no transfer, no second arbitration.
    no_transfer = await refusal(
        api,
        case_id,
        "transfer",
        {"unit": "housing-construction", "to_unit": "water", "reason": "排水问题", "catalog_item": "LS-06"},
    )
    assert "arbitration" in no_transfer
    assert "arbitration" in await refusal(api, case_id, "arbitration", decision)
    assert (await act(api, case_id, "accept", {"unit": "housing-construction"}))["status"] == "accepted"


async def test_concurrent_actions_on_one_case_take_effect_once(api: httpx.AsyncClient) -> None:
    """Units double-clicking, or two staff acting at once: one action wins, the others are refused with a reason."""
    case_id = (await open_case(api, category="LS-05", title="学校周边校外培训机构乱收费"))["case_id"]
    targets = [("law-enforcement", "LE-01"), ("market-regulation", "MS-03"), ("civil-affairs", "LS-03")]

    transfers = await asyncio.gather(
        *(
            api.post(
                f"/v1/cases/{case_id}/transfer",
                json={"unit": "education", "to_unit": unit, "reason": "非教育局职责", "catalog_item": item},
            )
            for unit, item in targets
        )
    )

    assert sorted(r.status_code for r in transfers) == [200, 409, 409]
    [winner] = [r.json()["handling_unit"] for r in transfers if r.status_code == 200]
    assert all("education" in r.json()["detail"] for r in transfers if r.status_code == 409)
    accepts = await asyncio.gather(*(api.post(f"/v1/cases/{case_id}/accept", json={"unit": winner}) for _ in range(4)))
    assert sorted(r.status_code for r in accepts) == [200, 409, 409, 409]
    case = (await api.get(f"/v1/cases/{case_id}")).json()
    assert (case["status"], case["handling_unit"], len(case["transfers"])) == ("accepted", winner, 1)
    assert actions(case).count("accepted") == 1
