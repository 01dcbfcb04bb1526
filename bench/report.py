"""Printing the benchmark's figures as tables, and the machine they were measured on."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.figures import Latency, Step
from bench.interpreters import recorded_choice, this_interpreter


def machine() -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor(),
    )
    memory_kib = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "python": platform.python_version(),
        "interpreter": this_interpreter(),
        "interpreter_choice": recorded_choice(),
        "kernel": platform.release(),
        "temporal": _version(["temporal", "--version"]),
        "nats_server": _version(["nats-server", "--version"]),
        "load_average_at_start": os.getloadavg(),
    }


def steps_table(title: str, steps: Sequence[Step]) -> str:
    names = list(steps[0].latencies) if steps else []
    header = ["rate/s", "offered", "accepted", "done/s", "errors"] + [f"{n} p50/p99 ms" for n in names] + ["ok"]
    rows = [
        [
            f"{s.rate:g}",
            str(s.offered),
            str(s.accepted),
            f"{s.completed_per_second:.1f}",
            str(s.errors),
            *(_p50_p99(s.latencies[n]) for n in names),
            "yes" if s.sustained else "NO",
        ]
        for s in sorted(steps, key=lambda s: s.rate)
    ]
    return table(title, header, rows)


def cpu_table(title: str, steps: Sequence[Step]) -> str:
    """CPU milliseconds per case of each process, a row a step (in the order given), `total` last."""
    names = sorted({name for s in steps for name in s.cpu_ms_per_case if name != "total"})
    header = ["rate/s", *names, "total"]
    rows = [
        [f"{s.rate:g}", *(f"{s.cpu_ms_per_case[n]:g}" if n in s.cpu_ms_per_case else "-" for n in names), _total(s)]
        for s in steps
    ]
    return table(title, header, rows)


def _total(step: Step) -> str:
    return f"{step.cpu_ms_per_case['total']:g}" if "total" in step.cpu_ms_per_case else "-"


def table(title: str, header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def verdict(met: bool | None) -> str:
    return "not measured" if met is None else ("met" if met else "MISSED")


def _p50_p99(latency: Latency) -> str:
    def shown(ms: float | None) -> str:
        return "-" if ms is None else f"{ms:g}"

    return f"{shown(latency.p50_ms)} / {shown(latency.p99_ms)}"


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _version(command: list[str]) -> str:
    beside_python = Path(sys.executable).parent / command[0]  # the virtualenv's binary, as the system under test
    if beside_python.exists():
        command = [str(beside_python), *command[1:]]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False).stdout
    except OSError:
        return "unknown"
    return out.strip().splitlines()[0] if out.strip() else "unknown"
