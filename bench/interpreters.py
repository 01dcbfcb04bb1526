"""The interpreter the benchmark runs on: the fastest CPython 3.11+ this machine has, in a virtualenv of its own.

How CPython was built moves every figure that is ours: the same month shard ran 20% faster on Debian's python3.11
(built with profile-guided optimisation and LTO, libpython linked in) than on pyenv's default build of 3.11.7 (no
PGO, no LTO, libpython shared), on the same machine in the same minutes. Production runs the official
`python:3.11-slim` image (deploy/Dockerfile), which is built with PGO and LTO; so the benchmark looks for an
interpreter built like that, rather than taking whichever `python3` comes first on PATH. It times the host yardstick
(`bench/host_speed.py`) in each CPython 3.11+ on PATH that can make a virtualenv, twice in turn, and takes the
fastest; `--python` (`make bench BENCH_PYTHON=...`) names one instead. It prints the chosen interpreter's path, for
`make install` to make the benchmark's virtualenv from (a virtualenv there that another interpreter made is removed
first). The choice and every candidate's time are written into that virtualenv's directory (`interpreter.json`) and
land in the benchmark's result (`bench.report.machine`).

Stdlib only: it runs before any virtualenv exists (`python3 -m bench.interpreters --venv .venv-bench`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

NAMES = ("python3", "python3.11", "python3.12", "python3.13", "python3.14")
MINIMUM = (3, 11)
PASSES = 2  # each candidate is timed this many times, in turn, so a host that slows down mid-way hurts all alike
PROBE_TIMEOUT_SECONDS = 120
CHOICE_FILE = "interpreter.json"
BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent

# Run inside each candidate: what it is, whether it can make a virtualenv, and the host yardstick under it.
PROBE = """
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
import host_speed, interpreters
print(json.dumps({
    **interpreters.this_interpreter(),
    "can_make_venv": all(importlib.util.find_spec(m) is not None for m in ("venv", "ensurepip")),
    "yardstick_seconds": host_speed.yardstick_seconds(rounds=3),
}))
"""


@dataclass(frozen=True)
class Interpreter:
    executable: str  # the real path, links resolved
    version: str
    implementation: str
    can_make_venv: bool
    libpython: str
    yardstick_seconds: float

    @property
    def usable(self) -> bool:
        major, minor = (int(part) for part in self.version.split(".")[:2])
        return self.implementation == "cpython" and (major, minor) >= MINIMUM and self.can_make_venv


def this_interpreter() -> dict[str, str]:
    """The running interpreter: its real path (a virtualenv's python leads to the one it was made from), version,
    implementation, and whether libpython is a shared library or linked into the executable."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            shared = any("libpython" in line for line in maps)
        libpython = "shared" if shared else "linked in"
    except OSError:
        libpython = "unknown"
    return {
        "executable": os.path.realpath(sys.executable),
        "version": ".".join(map(str, sys.version_info[:3])),
        "implementation": sys.implementation.name,
        "libpython": libpython,
    }


def describe(interpreter: Mapping[str, object]) -> str:
    """One line for tables and logs: path, version, how libpython is linked."""
    return f"{interpreter['executable']} {interpreter['version']} (libpython {interpreter['libpython']})"


def recorded_choice() -> dict[str, object] | None:
    """What `main` wrote into the running virtualenv when it chose the interpreter (None outside such a one)."""
    try:
        return dict(json.loads((Path(sys.prefix) / CHOICE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def on_path(path: str, names: Sequence[str] = NAMES) -> list[str]:
    """Every executable of these names along `path` (a PATH string), in PATH order, each path once."""
    found: list[str] = []
    for directory in path.split(os.pathsep):
        for name in names:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK) and candidate not in found:
                found.append(candidate)
    return found


def probe(executable: str) -> Interpreter | None:
    """What `executable` is and how fast it runs the yardstick; None if it does not run the probe."""
    try:
        done = subprocess.run(
            [executable, "-I", "-c", PROBE, str(BENCH_DIR)],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=True,
        )
        return Interpreter(**json.loads(done.stdout))
    except (OSError, subprocess.SubprocessError, ValueError, TypeError):
        return None


def survey(
    executables: Iterable[str], *, passes: int = PASSES, run: Callable[[str], Interpreter | None] = probe
) -> list[Interpreter]:
    """The usable interpreters among `executables`, fastest first: one entry per real interpreter (links and
    launchers such as pyenv's shims lead to the same one), each with its best yardstick of `passes` timings taken in
    turn."""
    best: dict[str, Interpreter] = {}

    def keep(found: Interpreter | None) -> None:
        if found is None or not found.usable:
            return
        earlier = best.get(found.executable)
        if earlier is None or found.yardstick_seconds < earlier.yardstick_seconds:
            best[found.executable] = found

    for executable in dict.fromkeys(os.path.realpath(name) for name in executables):
        keep(run(executable))
    for _ in range(passes - 1):
        for executable in list(best):
            keep(run(executable))
    return sorted(best.values(), key=lambda interpreter: interpreter.yardstick_seconds)


def made_from(venv: Path) -> str | None:
    """The interpreter `venv` was made from (its real path), None if there is no virtualenv there."""
    try:
        config = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in config.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "executable":
            return os.path.realpath(value.strip())
    return None


def forget_if_made_elsewhere(venv: Path, interpreter: Interpreter) -> None:
    """Remove `venv` if another interpreter made it, so that `make install` makes it again from this one."""
    other = made_from(venv)
    if other is not None and other != interpreter.executable:
        shutil.rmtree(venv)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, required=True, help="the benchmark's virtualenv (made or refreshed)")
    parser.add_argument("--python", default="", help="this interpreter instead of the fastest on PATH")
    args = parser.parse_args(argv)
    named = [args.python] if args.python else on_path(os.environ.get("PATH", ""))
    found = survey(named)
    if not found:
        wanted = args.python or f"any of {', '.join(NAMES)} on PATH"
        sys.exit(f"no CPython {'.'.join(map(str, MINIMUM))}+ that can make a virtualenv: {wanted}")
    chosen = found[0]
    for interpreter in found:
        mark = "→" if interpreter is chosen else " "
        print(f"{mark} {describe(asdict(interpreter))}: yardstick {interpreter.yardstick_seconds} s", file=sys.stderr)
    forget_if_made_elsewhere(args.venv, chosen)
    args.venv.mkdir(parents=True, exist_ok=True)
    choice = {"chosen": asdict(chosen), "candidates": [asdict(interpreter) for interpreter in found]}
    (args.venv / CHOICE_FILE).write_text(json.dumps(choice, indent=2) + "\n", encoding="utf-8")
    print(chosen.executable)  # for `make install PYTHON=...`


if __name__ == "__main__":
    main()
