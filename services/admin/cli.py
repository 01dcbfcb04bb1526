"""The `hotline` command (also `python -m services.admin`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from services.admin.catalog_commands import import_tables, show_versions
from services.contracts.catalog import CatalogError
from services.contracts.settings import ServiceSettings
from services.contracts.telemetry import configure_logging
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
    return root


async def run(args: argparse.Namespace, settings: ServiceSettings) -> str:
    if args.area == "catalog" and args.command == "import":
        return await import_tables(args.directory, settings, note=args.note)
    if args.area == "catalog":
        return await show_versions(settings)
    if args.command == "load":
        return await load_schedule(args.file, settings)
    return await list_years(settings)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = ServiceSettings()
    configure_logging(service="hotline-cli", level="ERROR", json=settings.log_json)
    try:
        message = asyncio.run(run(args, settings))
    except (CatalogError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(message + "\n")
    return 0
