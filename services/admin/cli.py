"""The `hotline` command (also `python -m services.admin`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from services.admin import boundary_commands
from services.admin.catalog_commands import import_tables, show_versions
from services.admin.credential_commands import issue_key, list_keys, revoke_key, rotate_key
from services.admin.records_commands import migrate_records, rebuild_records
from services.contracts.boundaries import BoundaryError
from services.contracts.catalog import CatalogError
from services.contracts.credentials import ClientKind
from services.contracts.settings import ServiceSettings
from services.contracts.telemetry import configure_logging
from services.contracts.tickets import CoordinateSystem
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
    boundaries = areas.add_parser("boundaries", help="the district's township and grid boundaries").add_subparsers(
        dest="command", required=True
    )
    boundary_importer = boundaries.add_parser("import", help="import a GeoJSON file of boundaries as a new version")
    boundary_importer.add_argument("file", type=Path)
    boundary_importer.add_argument("--note", default="", help="why this version (kept with it)")
    boundary_importer.add_argument(
        "--coordinate-system",
        type=CoordinateSystem,
        choices=list(CoordinateSystem),
        default=None,
        help="the datum the file was drawn in (default: its own `coordinate_system` member, else wgs84)",
    )
    boundaries.add_parser("versions", help="list the stored versions (* is current)")
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
    keys = areas.add_parser("credentials", help="API keys (the first admin key of an installation)").add_subparsers(
        dest="command", required=True
    )
    issuer = keys.add_parser("issue", help="issue a key and print it once")
    issuer.add_argument("client_id", help="who holds it, e.g. city-admin or water-duty-2027")
    issuer.add_argument("--kind", type=ClientKind, choices=list(ClientKind), required=True)
    issuer.add_argument("--subject", default="", help="the platform's channel, unit's or leader's code ('' for admin)")
    keys.add_parser("list", help="every key (never the key itself) and its state")
    rotator = keys.add_parser("rotate", help="a new key for the same client; the old one works a while longer")
    rotator.add_argument("key_id")
    rotator.add_argument("--grace-hours", type=float, default=24.0, help="how long the old key still works")
    revoker = keys.add_parser("revoke", help="revoke a key at once")
    revoker.add_argument("key_id")
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
    if args.area == "credentials":
        return await _credentials(args, settings)
    if args.area == "boundaries" and args.command == "import":
        return await boundary_commands.import_boundaries(
            args.file, settings, note=args.note, coordinate_system=args.coordinate_system
        )
    if args.area == "boundaries":
        return await boundary_commands.show_versions(settings)
    if args.area == "catalog" and args.command == "import":
        return await import_tables(args.directory, settings, note=args.note)
    if args.area == "catalog":
        return await show_versions(settings)
    if args.command == "load":
        return await load_schedule(args.file, settings)
    return await list_years(settings)


async def _credentials(args: argparse.Namespace, settings: ServiceSettings) -> str:
    if args.command == "issue":
        return await issue_key(settings, client_id=args.client_id, kind=args.kind, subject=args.subject)
    if args.command == "rotate":
        return await rotate_key(settings, args.key_id, grace_hours=args.grace_hours)
    if args.command == "revoke":
        return await revoke_key(settings, args.key_id)
    return await list_keys(settings)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # The records' commands need the records' settings (their database); a rebuild logs its progress.
    settings = RecordsSettings() if args.area == "records" else ServiceSettings()
    level = settings.log_level if args.area == "records" else "ERROR"
    configure_logging(service="hotline-cli", level=level, json=settings.log_json)
    try:
        message = asyncio.run(run(args, settings))
    except (CatalogError, BoundaryError, RebuildRunning, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(message + "\n")
    return 0
