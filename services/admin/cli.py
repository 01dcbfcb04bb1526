"""The `hotline` command (also `python -m services.admin`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from services.admin.catalog_commands import import_tables, show_versions
from services.admin.records_commands import migrate_records, rebuild_records
from services.contracts.catalog import CatalogError
from services.contracts.settings import ServiceSettings
from services.contracts.telemetry import configure_logging
from services.records.settings import RecordsSettings
from services.records.staging import RebuildRunning
from services.workflows.calendar.calendar_admin import list_years
from services.workflows.calendar.calendar_admin import load as load_schedule


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="hotline", description="Operate the city hotline case orchestration.")
    areas = root.add_subparsers(dest="area", required=True)
    catalog = areas.add_parser("catalog", help="the responsibility catalog").add_subparsers(
        dest="command", required=True
    )
    importer = catalog.add_parser("import", help="import units.csv and items.csv from DIR as a new version")
    importer.add_argument("directory", type=Path)
    importer.add_argument("--note", default="", help="why this version (kept with it)")
    catalog.add_parser("versions", help="list the stored versions (* is current)")
    calendar_area = areas.add_parser("calendar", help="holiday schedules")
    calendar = calendar_area.add_subparsers(dest="command", required=True)
    loader = calendar.add_parser("load", help="load one year's official holiday schedule (JSON)")
    loader.add_argument("file", type=Path)
    calendar.add_parser("list", help="list the years loaded")
    records = areas.add_parser("records", help="the case records (PostgreSQL)").add_subparsers(
        dest="command", required=True
    )
    records.add_parser("migrate", help="upgrade the records' database to the newest revision (a deploy step)")
    rebuilder = records.add_parser(
        "rebuild", help="rebuild the records from the case event log, and from Temporal where the log fell short"
    )
    rebuilder.add_argument("--lanes", type=_positive, default=8, help="cases applied or read side by side (default 8)")
    return root


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


async def run(args: argparse.Namespace, settings: ServiceSettings) -> str:
    if isinstance(settings, RecordsSettings):
        if args.command == "migrate":
            return await migrate_records(settings)
        return await rebuild_records(settings, lanes=args.lanes)
    if args.area == "catalog" and args.command == "import":
        return await import_tables(args.directory, settings, note=args.note)
    if args.area == "catalog":
        return await show_versions(settings)
    if args.command == "load":
        return await load_schedule(args.file, settings)
    return await list_years(settings)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # The records' commands need the records' settings (their database); a rebuild logs its progress.
    settings = RecordsSettings() if args.area == "records" else ServiceSettings()
    level = settings.log_level if args.area == "records" else "ERROR"
    configure_logging(service="hotline-cli", level=level, json=settings.log_json)
    try:
        message = asyncio.run(run(args, settings))
    except (CatalogError, RebuildRunning, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(message + "\n")
    return 0
