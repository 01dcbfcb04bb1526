"""The townships' ratings of departments (以下看上), a period's at a time (PostgreSQL): imported by the coordination
centre, read into the units' scores (`unit_rates`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.assessment_reports import TownshipRating
from services.engines.records_db.tables import township_ratings


async def replace_township_ratings(
    connection: AsyncConnection, *, period_key: str, ratings: Sequence[TownshipRating], imported_by: str
) -> None:
    """Make `ratings` the period's ratings, in place of those imported before (in the connection's transaction)."""
    await connection.execute(delete(township_ratings).where(township_ratings.c.period_key == period_key))
    if ratings:
        await connection.execute(
            insert(township_ratings),
            [
                {
                    "period_key": period_key,
                    "township": rating.township,
                    "unit": rating.unit,
                    "score": rating.score,
                    "imported_by": imported_by,
                }
                for rating in ratings
            ],
        )
