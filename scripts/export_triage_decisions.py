"""Print every triage decision kept in the `triage_decisions` bucket as JSON lines, oldest first.

For curating the router's synonym data (`services/router/data/synonyms.json`): see docs/routing-and-triage.md.

    .venv/bin/python -m scripts.export_triage_decisions > triage-decisions.jsonl
"""

from __future__ import annotations

import asyncio
import sys

from nats.js.errors import NoKeysError

from services.contracts.settings import ServiceSettings
from services.contracts.subjects import TRIAGE_DECISIONS_BUCKET
from services.contracts.triage import TriageDecisionRecord
from services.engines.jetstream import close_nats, connect_nats, key_value


async def decisions(settings: ServiceSettings) -> list[TriageDecisionRecord]:
    """Every recorded decision, oldest first."""
    nc = await connect_nats(settings, name="export-triage-decisions")
    try:
        bucket = await key_value(nc.jetstream(), TRIAGE_DECISIONS_BUCKET)
        try:
            keys = await bucket.keys()
        except NoKeysError:
            return []
        records = [TriageDecisionRecord.model_validate_json((await bucket.get(key)).value or b"{}") for key in keys]
    finally:
        await close_nats(nc)
    return sorted(records, key=lambda record: record.decided_at)


def main() -> None:
    for record in asyncio.run(decisions(ServiceSettings())):
        sys.stdout.write(record.model_dump_json() + "\n")


if __name__ == "__main__":
    main()
