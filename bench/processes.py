"""The process table from /proc (Linux): who is whose child, so a shard can find its test server and a test can find
everything a run started."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessEntry:
    parent: int
    name: str  # the kernel's, at most 15 characters: "temporal-test-s"
    state: str  # "R", "S", … ; "Z" for one that exited and was not reaped yet

    @property
    def exited(self) -> bool:
        return self.state == "Z"


def process_table() -> dict[int, ProcessEntry]:
    """Every process now, by pid."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone since the listing
            continue
        name, fields = text.split("(", 1)[1].rsplit(")", 1)
        state, parent = fields.split()[:2]
        table[int(stat.parent.name)] = ProcessEntry(int(parent), name, state)
    return table


def children(of: int | None = None) -> dict[int, str]:
    """The children of process `of` (this one by default), pid → name: a shard's test server."""
    parent = os.getpid() if of is None else of
    return {pid: entry.name for pid, entry in process_table().items() if entry.parent == parent}


def descendants(of: int) -> dict[int, str]:
    """Children, their children and so on, pid → name."""
    table, found, frontier = process_table(), {}, [of]
    while frontier:
        parent = frontier.pop()
        for pid, entry in table.items():
            if entry.parent == parent and pid not in found:
                found[pid] = entry.name
                frontier.append(pid)
    return found


def running(pids: set[int]) -> set[int]:
    """Those of `pids` still running (an exited one not yet reaped does not count)."""
    table = process_table()
    return {pid for pid in pids if pid in table and not table[pid].exited}
