"""Operators' command for holiday schedules: `python -m services.workflows.calendar.calendar_admin load FILE | list`.

Loading validates the file and stores it in NATS KV; running workers pick it up at once and recount the
provisional deadlines of open cases.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from services.contracts.holiday_schedule import load_schedule_file
from services.contracts.settings import ServiceSettings
from services.contracts.subjects import HOLIDAY_SCHEDULES_BUCKET
from services.contracts.telemetry import configure_logging
from services.engines.jetstream import close_nats, key_value, kv_keys, open_jetstream


async def load(path: Path, settings: ServiceSettings) -> str:
    schedule = load_schedule_file(path)
    nc, js = await open_jetstream(settings, name="calendar-admin")
    try:
        bucket = await key_value(js, HOLIDAY_SCHEDULES_BUCKET, replicas=settings.nats_replicas)
        await bucket.put(str(schedule.year), schedule.model_dump_json().encode())
    finally:
        await close_nats(nc)
    return f"loaded {schedule.year}: {len(schedule.holidays)} days off, {len(schedule.workdays)} make-up working days"


async def list_years(settings: ServiceSettings) -> str:
    nc, js = await open_jetstream(settings, name="calendar-admin")
    try:
        bucket = await key_value(js, HOLIDAY_SCHEDULES_BUCKET, replicas=settings.nats_replicas)
        keys = await kv_keys(bucket)
    finally:
        await close_nats(nc)
    return "loaded years: " + (", ".join(keys) if keys else "none (the library's years only)")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calendar_admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    loader = commands.add_parser("load", help="load one year's schedule (JSON)")
    loader.add_argument("file", type=Path)
    commands.add_parser("list", help="list the years loaded")
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    # The command's own output is the answer; only errors from the libraries are worth showing.
    configure_logging(service="calendar-admin", level="ERROR", json=settings.log_json)
    try:
        if args.command == "load":
            message = asyncio.run(load(args.file, settings))
        else:
            message = asyncio.run(list_years(settings))
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(message + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
