"""Loading a year's holiday schedule end to end: `calendar_admin load` → NATS KV → workflows → open cases.

The schedule loaded is a TEST FIXTURE (`fixtures/holiday-schedule-2027.TEST-FIXTURE.json`) with invented dates,
not the State Council's 2027 notice. `chinesecalendar` knows the years up to 2026, so a 30-working-day deadline
(complex items such as NR-01) counted from a day after mid-November 2026 ends in 2027 and is provisional until
that year's schedule is loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
from nats.js.errors import KeyNotFoundError
from temporalio.client import Client

from services.contracts.subjects import HOLIDAY_SCHEDULES_BUCKET
from tests.support.case_lifecycle import Case, open_case, tracked, wait_for_case
from tests.support.polling import assert_eventually
from tests.support.services import REPO_ROOT, service_env
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

CHINA = ZoneInfo("Asia/Shanghai")
FIXTURE_2027 = Path(__file__).parent / "fixtures" / "holiday-schedule-2027.TEST-FIXTURE.json"


async def calendar_admin(system: RunningSystem, *args: str) -> tuple[int, str, str]:
    """Run `python -m services.workflows.calendar.calendar_admin ARGS` against the test NATS server, as an operator would."""
    env = service_env(nats_url=system.nats.url, temporal_address=system.temporal.address)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.workflows.calendar.calendar_admin",
        *args,
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest_asyncio.fixture
async def forget_2027(system: RunningSystem) -> AsyncIterator[None]:
    """Remove the fixture schedule afterwards, so later cases in the session count 2027 provisionally again."""
    yield
    nc = await system.nats.connect()
    try:
        bucket = await nc.jetstream().key_value(HOLIDAY_SCHEDULES_BUCKET.name)
        with contextlib.suppress(KeyNotFoundError):
            await bucket.delete("2027")
    finally:
        await nc.close()


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def local_day(case: Case, kind: str) -> str:
    return at(tracked(case, kind)["due"]).astimezone(CHINA).date().isoformat()


async def test_loading_next_years_schedule_makes_open_provisional_deadlines_firm(
    api: httpx.AsyncClient, system: RunningSystem, temporal_client: Client, forget_2027: None
) -> None:
    fixture: dict[str, Any] = json.loads(FIXTURE_2027.read_text(encoding="utf-8"))
    complex_case = await open_case(api, category="NR-01", township="qingshan-town", title="村民占用基本农田建房")
    normal_case = await open_case(api, category="LS-08", township="qingshan-town", title="居住证办理进度")
    case_id = complex_case["case_id"]
    old_due = at(complex_case["deadlines"]["resolution"])
    if old_due.astimezone(CHINA).year != 2027:
        pytest.skip(f"a 30-working-day deadline counted from today ends on {old_due.date()}, not in 2027")

    assert complex_case["deadlines"]["provisional"] is True
    assert tracked(complex_case, "resolution")["provisional_years"] == [2027]
    assert tracked(complex_case, "feedback")["provisional"] is False
    assert normal_case["deadlines"]["provisional"] is False

    async def found_as_provisional() -> None:
        query = f"CaseId = '{case_id}' AND ProvisionalDeadline = true"
        assert (await temporal_client.count_workflows(query)).count == 1

    # The workflows service finds the cases to recount by this search attribute.
    await assert_eventually(found_as_provisional, what="case visible with ProvisionalDeadline = true")

    code, out, err = await calendar_admin(system, "load", str(FIXTURE_2027))

    assert code == 0, err
    # The result is the last line: nats-py's close also logs a "nats.disconnected" warning on stdout.
    assert out.splitlines()[-1].startswith("loaded 2027: 17 days off, 3 make-up working days"), out
    firm = await wait_for_case(
        api, case_id, lambda case: case["deadlines"]["provisional"] is False, what="deadlines no longer provisional"
    )
    new_due = at(firm["deadlines"]["resolution"])
    assert tracked(firm, "resolution")["provisional_years"] == []
    recomputed = [entry for entry in firm["timeline"] if entry["action"] == "deadline_recomputed"]
    assert [entry["detail"].split(": ", 1)[0] for entry in recomputed] == ["resolution"]
    assert at(recomputed[0]["detail"].split(": ", 1)[1]) == new_due
    # The fixture's New Year break lies inside the window: the deadline moves later, onto a working day.
    assert new_due > old_due
    due_day = local_day(firm, "resolution")
    assert due_day not in fixture["holidays"]
    assert datetime.fromisoformat(due_day).weekday() < 5 or due_day in fixture["workdays"]

    unaffected = (await api.get(f"/v1/cases/{normal_case['case_id']}")).json()
    assert "deadline_recomputed" not in [entry["action"] for entry in unaffected["timeline"]]
    assert unaffected["deadlines"]["resolution"] == normal_case["deadlines"]["resolution"]

    # A case received after the load counts 2027 on the schedule from the start.
    later = await open_case(api, category="NR-01", township="shiqiao-town", title="河滩地违法建房")
    assert later["deadlines"]["provisional"] is False
    if at(later["received_at"]).astimezone(CHINA).date() == at(complex_case["received_at"]).astimezone(CHINA).date():
        assert at(later["deadlines"]["resolution"]) == new_due

    code, out, err = await calendar_admin(system, "list")
    assert code == 0, err
    assert out.splitlines()[-1] == "loaded years: 2027", out


async def test_a_schedule_loaded_while_the_workflows_service_is_down_reaches_open_cases_when_it_returns(
    api: httpx.AsyncClient, system: RunningSystem, temporal_client: Client, forget_2027: None
) -> None:
    """Operators load the schedule during a deploy: the open provisional cases must still be counted again."""
    case = await open_case(api, category="NR-01", township="hekou-town", title="耕地上违规硬化建厂房")
    case_id = case["case_id"]
    if at(case["deadlines"]["resolution"]).astimezone(CHINA).year != 2027:
        pytest.skip("only while a 30-working-day deadline counted from today ends in 2027")
    assert case["deadlines"]["provisional"] is True

    async def found_as_provisional() -> None:
        query = f"CaseId = '{case_id}' AND ProvisionalDeadline = true"
        assert (await temporal_client.count_workflows(query)).count == 1

    await assert_eventually(found_as_provisional, what="case visible with ProvisionalDeadline = true")
    workflows = system.services["workflows"]
    workflows.stop()
    try:
        code, _out, err = await calendar_admin(system, "load", str(FIXTURE_2027))
        assert code == 0, err
    finally:
        await workflows.start()

    firm = await wait_for_case(
        api, case_id, lambda c: c["deadlines"]["provisional"] is False, what="deadlines firm after the restart"
    )
    assert "deadline_recomputed" in [entry["action"] for entry in firm["timeline"]]


def schedule(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "year": 2031,
        "source": "TEST FIXTURE: a deliberately broken schedule",
        "holidays": ["2031-01-01"],
        "workdays": [],
    }
    body.update(fields)
    return body


BAD_SCHEDULES: list[tuple[str, str]] = [
    (json.dumps(schedule(workdays=["2031-10-08"])), "field workdays: a make-up working day must be a Saturday"),
    (json.dumps({k: v for k, v in schedule().items() if k != "source"}), "field source: Field required"),
    (json.dumps(schedule(holidays=["2030-12-31"])), "field holidays: 2030-12-31 is not in 2031"),
    (json.dumps(schedule(holidays=["2031/01/01"])), "field holidays.0:"),
    (json.dumps(schedule(holidays=[])), "field holidays:"),
    (json.dumps(schedule(holidays=["2031-01-01", "2031-01-01"])), "field holidays: listed more than once"),
    (json.dumps({**schedule(), "holiday": ["2031-01-02"]}), "field holiday: Extra inputs are not permitted"),
    ('{"year": 2031, "holidays": [', "Invalid JSON"),
]


async def test_a_bad_schedule_file_is_refused_with_exit_code_2_naming_the_field(
    system: RunningSystem, tmp_path: Path
) -> None:
    files = []
    for index, (text, _message) in enumerate(BAD_SCHEDULES):
        path = tmp_path / f"bad-{index}.json"
        path.write_text(text, encoding="utf-8")
        files.append(path)

    results = await asyncio.gather(*(calendar_admin(system, "load", str(path)) for path in files))

    for path, (_text, message), (code, out, err) in zip(files, BAD_SCHEDULES, results, strict=True):
        assert code == 2, (message, code, err)
        assert str(path) in err and message in err, err
        assert out == ""
    missing = await calendar_admin(system, "load", str(tmp_path / "no-such-file.json"))
    assert missing[0] == 2 and "cannot read" in missing[2]
    code, out, err = await calendar_admin(system, "list")
    assert code == 0, err
    assert "2031" not in out
