"""The access log (PostgreSQL `access_log`): one row for every answer that reveals a caller's contact, written
before the answer is sent; admins page through it.

A reveal without its line must not happen: when the row cannot be written the read is refused (503). Other reads
of personal data (exports, attachments) write here too, each with its own `AccessPurpose`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

import structlog
from prometheus_client import Counter
from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.access_log import AccessLogEntry, AccessLogPage, AccessPurpose
from services.contracts.credentials import ClientKind, Principal
from services.contracts.problem_codes import ProblemCode
from services.engines.records_db.tables import access_log
from services.intake.errors import Unavailable

log = structlog.get_logger(__name__)

ACCESS_LOG_WRITES = Counter(
    "hotline_access_log_writes_total",
    "Reads of a caller's data written to the access log, by purpose and result (written, failed: the read refused).",
    ["purpose", "result"],
)
_CURSOR_PREFIX = "before:"


class AccessLogUnavailable(Unavailable):
    """The access log did not take the line (or could not be read): 503, try again."""

    code = ProblemCode.RECORDS_UNAVAILABLE


class BadCursor(ValueError):
    """A cursor this API did not give."""


@dataclass(frozen=True)
class AccessLogFilter:
    """Which entries to list; `since` inclusive, `until` exclusive."""

    case_id: str | None = None
    client_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def encode_cursor(before_id: int) -> str:
    """The opaque cursor of the page after the entry `before_id`."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{before_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The entry id a cursor continues after; raises BadCursor for anything `encode_cursor` did not write."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor("not a cursor this API gave") from None
    position = text.removeprefix(_CURSOR_PREFIX)
    if position == text or not position.isdigit() or len(position) > 19:
        raise BadCursor("not a cursor this API gave")
    return int(position)


class AccessLog:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(self, caller: Principal, *, case_id: str, purpose: AccessPurpose, masked: bool) -> None:
        """Write one line (committed when this returns); raises AccessLogUnavailable when it cannot be written."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    access_log.insert().values(
                        client_id=caller.client_id,
                        client_kind=caller.kind.value,
                        subject=caller.subject,
                        case_id=case_id,
                        purpose=purpose.value,
                        masked=masked,
                    )
                )
        except (SQLAlchemyError, OSError) as exc:
            ACCESS_LOG_WRITES.labels(purpose.value, "failed").inc()
            log.warning("access_log.write_failed", case_id=case_id, purpose=purpose.value, error=type(exc).__name__)
            raise AccessLogUnavailable(
                "the access log did not take this read, so the caller's data is not shown; try again shortly"
            ) from exc
        ACCESS_LOG_WRITES.labels(purpose.value, "written").inc()

    async def page(self, filters: AccessLogFilter, *, limit: int, before_id: int | None = None) -> AccessLogPage:
        """Entries matching `filters`, newest first, older than `before_id` when given (keyset on the id)."""
        query = select(access_log).order_by(access_log.c.id.desc()).limit(limit + 1)
        query = query.where(*_conditions(filters, before_id))
        try:
            async with self._engine.connect() as connection:
                rows = (await connection.execute(query)).all()
        except (SQLAlchemyError, OSError) as exc:
            log.warning("access_log.read_failed", error=type(exc).__name__)
            raise AccessLogUnavailable("the access log did not answer; try again shortly") from exc
        items = [
            AccessLogEntry(
                id=row.id,
                at=row.at,
                client_id=row.client_id,
                client_kind=ClientKind(row.client_kind),
                subject=row.subject,
                case_id=row.case_id,
                purpose=row.purpose,
                masked=row.masked,
            )
            for row in rows[:limit]
        ]
        more = len(rows) > limit
        return AccessLogPage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None)


def _conditions(filters: AccessLogFilter, before_id: int | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.case_id is not None:
        conditions.append(access_log.c.case_id == filters.case_id)
    if filters.client_id is not None:
        conditions.append(access_log.c.client_id == filters.client_id)
    if filters.since is not None:
        conditions.append(access_log.c.at >= filters.since)
    if filters.until is not None:
        conditions.append(access_log.c.at < filters.until)
    if before_id is not None:
        conditions.append(access_log.c.id < before_id)
    return conditions
