"""`POST /v1/cases/{id}/unreasonable-demand` through the real API: the coordination centre's judgement (不合理诉求)
closes a case in rework (200); refused with the reason when the case has no unsatisfied rating pending (409), for an
empty reason (422 naming the field), and for any key but the coordination centre's (403). The window after the
rating is the workflow tests' (tests/workflows/case/test_unreasonable_demand.py): it needs days to pass."""

from __future__ import annotations

import httpx
import pytest

from tests.support.case_lifecycle import accepted_case, act, actions, refusal
from tests.support.credentials import bearer
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

CENTRE = "coordination-centre"
JUDGEMENT = {"unit": CENTRE, "reason": "要求退还三年物业费，超出价格监管职责，已向来电人解释"}
UNSATISFIED = {"speed": "satisfied", "outcome": "unsatisfied", "comment": "要求退还全部物业费"}


async def test_the_centre_judges_a_demand_unreasonable_and_the_case_closes_keeping_the_judgement(
    api: httpx.AsyncClient,
) -> None:
    case = await accepted_case(api, category="MS-03", unit="market-regulation", title="物业乱收费")
    case_id = case["case_id"]
    await act(api, case_id, "resolve", {"unit": "market-regulation", "note": "已责令退还多收费用"})
    assert await refusal(api, case_id, "unreasonable-demand", JUDGEMENT) == (
        "case is resolved; only a case in rework after an unsatisfied outcome can have its demand judged unreasonable"
    )
    assert (await act(api, case_id, "rating", UNSATISFIED))["status"] == "rework"

    for body in ({**JUDGEMENT, "reason": "  "}, {"unit": CENTRE}):
        assert (await refusal(api, case_id, "unreasonable-demand", body, status=422)).startswith("body.reason")
    closed = await act(api, case_id, "unreasonable-demand", JUDGEMENT)

    assert (closed["status"], closed["closed_reason"]) == ("closed", "unreasonable_demand")
    judgement = closed["unreasonable_demand"]
    assert (judgement["judged_by"], judgement["reason"], judgement["rating_round"]) == (CENTRE, JUDGEMENT["reason"], 0)
    assert judgement["judged_at"] == closed["closed_at"]
    assert [(r["outcome"], r["judged_unreasonable"]) for r in closed["ratings"]] == [("unsatisfied", True)]
    assert actions(closed)[-2:] == ["demand_judged_unreasonable", "closed"]
    again = await refusal(api, case_id, "unreasonable-demand", JUDGEMENT)
    assert "closed" in again or "no more actions" in again, again


async def test_only_the_coordination_centres_key_judges_a_demand(api: httpx.AsyncClient, system: RunningSystem) -> None:
    case = await accepted_case(api, category="MS-02", unit="market-regulation", title="网购家电质量问题")
    case_id = case["case_id"]
    await act(api, case_id, "resolve", {"unit": "market-regulation", "note": "已调解"})
    await act(api, case_id, "rating", UNSATISFIED)

    for key in ("market-regulation", "platform-12345", "city-leader"):
        for acting in (key, CENTRE):
            response = await api.post(
                f"/v1/cases/{case_id}/unreasonable-demand",
                json={**JUDGEMENT, "unit": acting},
                headers=bearer(system.keys[key]),
            )
            assert response.status_code == 403, (key, acting, response.text)
            assert response.json()["detail"] == "only the coordination centre may judge a demand unreasonable"
    seen = (await api.get(f"/v1/cases/{case_id}")).json()
    assert (seen["status"], seen["unreasonable_demand"]) == ("rework", None)
