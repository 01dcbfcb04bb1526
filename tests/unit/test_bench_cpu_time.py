"""CPU per case by process: read from /proc, and the arithmetic and table of the benchmark's breakdown."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.cpu_time import cpu_seconds, ms_per_case, process_cpu_seconds, process_tree_cpu_seconds, rss_mib
from bench.figures import Latency, Step
from bench.report import cpu_table


def test_a_running_process_s_cpu_time_grows_as_it_works() -> None:
    before = process_cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass

    after = process_cpu_seconds(os.getpid())

    assert before is not None and after is not None
    assert after - before >= 0.1


def test_a_process_that_is_gone_has_no_reading_and_is_left_out() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # reaped: its pid names no process any more

    assert process_cpu_seconds(gone.pid) is None
    assert set(cpu_seconds({"me": os.getpid(), "gone": gone.pid})) == {"me"}


def test_per_case_milliseconds_count_only_processes_read_both_times() -> None:
    before = {"intake": 1.0, "worker": 10.0, "restarted": 5.0}
    after = {"intake": 1.4, "worker": 13.0}

    assert ms_per_case(before, after, cases=100) == {"intake": 4.0, "worker": 30.0, "total": 34.0}
    assert ms_per_case(before, after, cases=0) == {}


def test_the_table_has_a_column_a_process_and_a_dash_where_one_was_not_running() -> None:
    def step(rate: float, cpu: dict[str, float]) -> Step:
        done = Latency(10, 1.0, 2.0, 2.0)
        return Step(rate, 10, 10, 10, 10, 0, 9.0, {"done": done}, "done", cpu_ms_per_case=cpu)

    text = cpu_table(
        "cpu", [step(4, {"worker": 30.0, "total": 30.0}), step(6, {"intake": 4.0, "worker": 28.5, "total": 32.5})]
    )

    lines = text.splitlines()
    assert lines[1].split() == ["rate/s", "intake", "worker", "total"]
    assert lines[3].split() == ["4", "-", "30", "30"]
    assert lines[4].split() == ["6", "4", "28.5", "32.5"]


def test_resident_memory_grows_with_what_a_process_holds_and_is_zero_once_it_is_gone() -> None:
    before = rss_mib()
    held = bytearray(64 * 2**20)  # written to, so its pages are resident
    held[::4096] = b"\x01" * len(held[::4096])

    assert rss_mib(os.getpid()) - before >= 48
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert rss_mib(gone.pid) == 0.0
    del held


def test_a_process_tree_s_cpu_time_counts_its_children_running_and_reaped() -> None:
    burn = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"
    before = process_tree_cpu_seconds(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", burn + "\nimport sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while (process_cpu_seconds(child.pid) or 0.0) < 0.3 and time.monotonic() < deadline:
        time.sleep(0.05)

    running = process_tree_cpu_seconds(os.getpid())
    child.communicate(b"")  # it exits and is reaped: its time moves to this process's children's
    reaped = process_tree_cpu_seconds(os.getpid())

    assert before is not None and running is not None and reaped is not None
    assert running - before >= 0.25
    assert reaped >= running
