"""The simulated-month benchmark on a few dozen cases: every case ends as scripted, the late ones breach (and climb
the ladder) and the punctual ones do not; and the check itself catches a case that went otherwise."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.month_plan import Profile
from bench.month_script import build_month
from bench.month_tally import check
from bench.processes import descendants, running
from bench.simulated_month import lane_cores, run_simulated_month
from services.contracts.case_policy import load_policy
from services.contracts.case_view import Breach, CaseView, DeadlineKind
from services.contracts.cases import CaseStatus
from services.contracts.catalog import load_catalog
from services.workflows.calendar.working_calendar import WorkingCalendar

# Every profile equally likely, so a small month has late, joint, transferred and neglected cases in it.
EVEN_MIX = dict.fromkeys(Profile, 1.0)
SEED = 21  # draws at least two cases of every profile
CASES = 30


# The benchmark's worker (no sandbox, activations inline) and the production one (sandbox, activations on a thread).
PRODUCTION_WORKER = {"runner": "passthrough", "tuning": {"inline_activations": False}}


@pytest.mark.parametrize(
    ("shards", "parallel", "worker"),
    [(1, 1, PRODUCTION_WORKER), (3, 2, {})],
    ids=["in-process-production-worker", "three-shards-two-at-a-time"],
)
async def test_a_small_month_ends_every_case_as_scripted(shards: int, parallel: int, worker: dict[str, Any]) -> None:
    """The same month whether one process drives it or shards (each its own server) share its cases, the last one
    starting only when an earlier one is done; and whichever way the worker runs the workflows."""
    result = await run_simulated_month(
        CASES, seed=SEED, shards=shards, parallel=parallel, concurrency=50, mix=EVEN_MIX, **worker
    )

    assert (result["shards"], result["parallel"], sum(result["shard_cases"])) == (shards, parallel, CASES)
    expected_worker = ("passthrough", False) if worker else ("unsandboxed", True)
    assert (result["worker"]["runner"], result["worker"]["inline_activations"]) == expected_worker
    assert min(result["shard_cases"]) == CASES // shards
    assert len(result["shard_seconds"]) == shards
    assert result["wall_seconds"] >= max(result["shard_seconds"])
    # A shard's start to end (its process's start, the drive, the wrap-up) holds its drive, and the run holds it.
    lane_seconds = result["shard_lane_seconds"]
    assert all(lane >= drive for lane, drive in zip(lane_seconds, result["shard_seconds"], strict=True))
    assert result["wall_seconds"] >= max(lane_seconds)
    # Shards run on their lane's core with their test servers (in this process: wherever this process may run).
    assert result["server_cores"] == result["shard_cores"]
    available = sorted(os.sched_getaffinity(0))
    lanes = result["lane_cores"]
    if shards == 1:
        assert (lanes, result["shard_cores"]) == ([None], [available])
    elif None in lanes:  # fewer cores than lanes
        assert result["shard_cores"] == [available] * shards
    else:
        assert lanes == lane_cores(parallel, pin=True, available=set(available))
        assert {tuple(cores) for cores in result["shard_cores"]} == {(core,) for core in lanes}
    assert result["histories"]["cases"] >= shards
    assert result["cpu_seconds"]["temporal-test-s"] > 0, "the test servers' CPU is counted"
    assert all(seconds > 0 for seconds in result["host_yardstick_seconds"].values()), "the host timed around the run"

    drawn = result["mix"]["profiles"]
    assert min(drawn.values()) >= 2, drawn
    assert result["accounting"] == {
        "cases": CASES,
        "accounted_for": CASES,
        "as_scripted": CASES,
        "mismatches": 0,
        "examples": [],
    }
    assert result["final_status"] == {"closed": CASES}
    assert (result["updates_refused"], result["updates_stranded"]) == (0, 0), result["refusals"] + result["stranded"]
    breaches = result["breaches"]
    # The workflows' own breach records and their published breach notices agree with the script, kind by kind.
    assert breaches["by_kind"] == breaches["scheduled_by_kind"] == breaches["published_by_kind"]
    assert set(breaches["by_kind"]) == {"sign_for", "feedback", "resolution"}
    late = sum(drawn[p.value] for p in (Profile.LATE_SIGN_FOR, Profile.LATE_FEEDBACK, Profile.LATE_RESOLUTION))
    assert breaches["cases_breached"] == late + drawn[Profile.NEGLECTED.value]
    assert breaches["joint_tasks_overdue"] == breaches["joint_task_breach_events"] == drawn["joint_late_task"]
    levels = result["escalation"]["cases_reaching_level"]
    assert levels["1"] == breaches["cases_breached"]
    assert levels["3"] == result["escalation"]["top_level_coordinations"] == drawn[Profile.NEGLECTED.value]
    assert result["transfers"] == drawn[Profile.TRANSFER.value]
    assert result["extensions_approved"] == drawn[Profile.EXTENSION.value]
    assert result["simulated_span_days"] > 30


async def test_a_shard_that_fails_ends_the_month_with_its_error() -> None:
    """Every shard here fails (a worker option that does not exist): the run raises what the shards raised instead
    of tallying a month that did not happen."""
    with pytest.raises(ExceptionGroup) as caught:
        await run_simulated_month(6, seed=SEED, shards=3, parallel=2, tuning={"no_such_option": 1})

    assert caught.group_contains(TypeError, match="no_such_option")


async def test_an_unknown_runner_is_refused_before_any_shard_starts() -> None:
    with pytest.raises(ValueError, match="runner must be one of"):
        await run_simulated_month(6, seed=SEED, shards=3, runner="nonsense")


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.2)


def test_a_killed_month_leaves_no_shard_or_test_server_behind() -> None:
    """The month's process killed while its shards drive: each shard kills its test server and exits (the fork
    server follows), where it used to drive on and then block for good sending its outcome to nobody."""
    month = subprocess.Popen(
        [sys.executable, "-m", "bench.simulated_month", "--cases", "400", "--shards", "2", "--parallel", "2"],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    left: dict[int, str] = {}

    def both_servers_up() -> bool:
        return sum(name.startswith("temporal-test") for name in descendants(month.pid).values()) == 2

    try:
        wait_for(both_servers_up, seconds=120, what="both shards' test servers")
        left = descendants(month.pid)
        month.kill()
        month.wait()
        wait_for(lambda: not running(set(left)), seconds=30, what=f"the month's processes gone: {left}")
    finally:
        month.kill()
        for pid in running(set(left)):
            os.kill(pid, signal.SIGKILL)
    assert sorted(name for name in left.values() if name.startswith("temporal-test")) == ["temporal-test-s"] * 2


def test_the_check_reports_a_case_that_breached_or_never_finished_against_its_script() -> None:
    plan = build_month(
        2,
        seed=SEED,
        start=datetime(2026, 3, 2, 16, tzinfo=UTC),
        calendar=WorkingCalendar(),
        catalog=load_catalog(),
        policy=load_policy(),
        mix={Profile.ON_TIME: 1.0},
    )
    punctual, unfinished = plan.cases
    routed = punctual.case
    late = CaseView(
        case_id=routed.case_id,
        status=CaseStatus.CLOSED,
        channel=routed.ticket.channel.value,
        external_id=routed.ticket.external_id,
        closed_reason=punctual.expected_closed_reason,
        breaches=[
            Breach(
                kind=DeadlineKind.FEEDBACK,
                unit="water",
                due=routed.received_at,
                at=routed.received_at,
                escalation_level=0,
            )
        ],
    )

    checked = check(plan, {routed.case_id: late, unfinished.case.case_id: None})

    assert (checked["accounted_for"], checked["as_scripted"], checked["mismatches"]) == (2, 0, 2)
    wrong_breaches, never_finished = checked["examples"]
    assert wrong_breaches["breaches"] == {"expected": [], "got": ["feedback"]}
    assert never_finished["status"] == {"expected": "closed", "got": "not finished"}
