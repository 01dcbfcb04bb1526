"""Write the dashboards' JSON into deploy/grafana/dashboards/ (`python -m deploy.grafana.generate`), or with
`--check` say which committed file differs from what the code makes (exit status 1)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from deploy.grafana import cases, pipeline, workflows_worker

DASHBOARDS_DIR = Path(__file__).resolve().parent / "dashboards"
BUILDERS: dict[str, Callable[[], Dashboard]] = {
    pipeline.UID: pipeline.build,
    cases.UID: cases.build,
    workflows_worker.UID: workflows_worker.build,
}


def rendered() -> dict[str, str]:
    """Each dashboard's file name and JSON text, as committed (sorted keys: diffs stay small)."""
    return {
        f"{uid}.json": json.dumps(build().build(), cls=JSONEncoder, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        for uid, build in BUILDERS.items()
    }


def stale(directory: Path = DASHBOARDS_DIR) -> list[str]:
    """Files missing from `directory`, differing from the code's output, or no longer made by it."""
    wanted = rendered()
    present = {path.name for path in directory.glob("*.json")}
    differing = [
        name
        for name, text in wanted.items()
        if not (directory / name).exists() or (directory / name).read_text(encoding="utf-8") != text
    ]
    return sorted([*differing, *(present - set(wanted))])


def write(directory: Path = DASHBOARDS_DIR) -> None:
    """Replace the JSON files in `directory` with what the code makes."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.json"):
        path.unlink()
    for name, text in rendered().items():
        (directory / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        if names := stale():
            sys.stderr.write(f"out of date: {', '.join(names)} (run python -m deploy.grafana.generate)\n")
            return 1
        return 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
