"""CPU time each process of the system under test spends per case in a load step: where the machine's cores go.

The ratio of the end-to-end rate to the engine limit is, on a machine whose cores are all busy at the limit, the
ratio of CPU per case: what Temporal and the worker cost alone against that plus intake, router, case starter,
notifier, the NATS hops and the benchmark itself. Read from `/proc/<pid>/stat` (user + system time); resident
memory from `/proc/<pid>/status`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bench.processes import descendants

# Fields 14 to 17 of /proc/<pid>/stat (utime, stime, and cutime, cstime: those of its children it reaped) in clock
# ticks; counted after the `)` closing the command, which may itself hold spaces.
_UTIME_AFTER_NAME, _STIME_AFTER_NAME, _CUTIME_AFTER_NAME, _CSTIME_AFTER_NAME = 11, 12, 13, 14


def stat_ticks(stat: Path) -> int | None:
    """utime + stime in clock ticks from a `/proc/.../stat` file (a process's or a thread's); None once it is gone."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[_UTIME_AFTER_NAME]) + int(fields[_STIME_AFTER_NAME])


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds the process has used, or None once it is gone (or on a system without /proc)."""
    ticks = stat_ticks(Path(f"/proc/{pid}/stat"))
    return None if ticks is None else ticks / os.sysconf("SC_CLK_TCK")


def process_tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process, of the children it has reaped and of its descendants running now: a
    server that forks a process a connection (PostgreSQL), whose connections come and go. None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = sum(int(fields[i]) for i in (_UTIME_AFTER_NAME, _STIME_AFTER_NAME, _CUTIME_AFTER_NAME, _CSTIME_AFTER_NAME))
    # A descendant that exits between the listing and its reading is counted by neither: a few ticks at most.
    ticks += sum(stat_ticks(Path(f"/proc/{child}/stat")) or 0 for child in descendants(pid))
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process still running."""
    readings = {name: process_cpu_seconds(pid) for name, pid in pids.items()}
    return {name: seconds for name, seconds in readings.items() if seconds is not None}


def rss_mib(pid: int | None = None) -> float:
    """Resident memory of a process (this one by default), MiB; 0.0 once it is gone."""
    try:
        status = Path(f"/proc/{pid or 'self'}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ms_per_case(before: Mapping[str, float], after: Mapping[str, float], cases: int) -> dict[str, float]:
    """Milliseconds of CPU per case of each process read both times, and their `total`; empty for no cases."""
    if cases <= 0:
        return {}
    spent = {name: (after[name] - before[name]) * 1000 / cases for name in before if name in after}
    per_case = {name: round(ms, 1) for name, ms in spent.items()}
    per_case["total"] = round(sum(spent.values()), 1)
    return per_case
