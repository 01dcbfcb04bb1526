"""The process table: a process's children and their children, and which of a set are still running."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.processes import children, descendants, process_table, running

# A child that starts a grandchild (`sleep`) and waits.
PARENT = "import subprocess, time; subprocess.Popen(['sleep', '30']); time.sleep(30)"


def test_a_process_s_children_and_their_children_are_found() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT])
    try:
        deadline = time.monotonic() + 10
        while "sleep" not in descendants(parent.pid).values():
            assert time.monotonic() < deadline, "the grandchild never showed"
            time.sleep(0.05)

        assert children()[parent.pid].startswith("python")
        [(grandchild, name)] = descendants(parent.pid).items()
        assert name == "sleep"
        assert children(of=parent.pid) == {grandchild: "sleep"}
        assert process_table()[grandchild].parent == parent.pid
        assert running({parent.pid, grandchild}) == {parent.pid, grandchild}
    finally:
        parent.kill()
        parent.wait()
    # The grandchild outlives its parent (adopted elsewhere); the parent, reaped, is gone.
    assert running({parent.pid, grandchild}) == {grandchild}
    os.kill(grandchild, 9)


def test_an_exited_process_not_yet_reaped_is_not_running() -> None:
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while not process_table()[exited.pid].exited:  # a zombie until waited for
        assert time.monotonic() < deadline
        time.sleep(0.05)

    assert running({exited.pid}) == set()
    exited.wait()
    assert exited.pid not in process_table()
