"""Small SQL helpers shared by the store modules."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from agents._store.schema import runs


def now() -> float:
    """The current time as stored: seconds since the epoch."""
    return time.time()


def insert_ignore(dialect_name: str, table: sa.Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the dialect."""
    if dialect_name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


async def lock_run(conn: AsyncConnection, run_id: str) -> None:
    """Lock the run's row until the transaction ends (PostgreSQL; SQLite's ``BEGIN IMMEDIATE``
    already serialises writers). Every transaction that decides a run's next status from
    other rows takes this lock first, so two such decisions never interleave."""
    await conn.execute(sa.select(runs.c.seq).where(runs.c.id == run_id).with_for_update())
