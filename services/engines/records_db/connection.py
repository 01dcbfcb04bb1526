"""Where the records' database is and how services connect to it (SQLAlchemy async, asyncpg)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

DATABASE_URL_VARIABLE = "HOTLINE_RECORDS_DATABASE_URL"


def records_url(configured: SecretStr | None, var_dir: Path) -> str:
    """The configured URL, or (development) the embedded server's socket under `var_dir` (an absolute path)."""
    if configured is not None:
        return configured.get_secret_value()
    return f"postgresql+asyncpg://postgres@/postgres?host={(var_dir / 'postgres').resolve()}"


def open_records(
    url: str, *, pool_size: int = 10, max_overflow: int | None = None, statement_timeout_ms: int = 0
) -> AsyncEngine:
    """A pooled engine; `max_overflow`: connections beyond the pool at a peak (as many again by default, 0 for a
    writer that should queue rather than crowd the server); `statement_timeout_ms` caps each statement (reads that
    serve requests), 0 for none."""
    settings = {"statement_timeout": str(statement_timeout_ms)} if statement_timeout_ms else {}
    return create_async_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        connect_args={"server_settings": settings, "timeout": 5},
    )
