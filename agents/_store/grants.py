"""Remembered approvals ("always allow this in this conversation"), by scope."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from agents._store._sql import insert_ignore, now
from agents._store.database import single_statement_engine
from agents._store.schema import approval_grants


class GrantStore:
    """Reads and writes ``polos_approval_grants``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._single = single_statement_engine(engine)

    async def keys(self, scope: str) -> list[str]:
        """The keys granted in ``scope``, sorted."""
        async with self._single.connect() as conn:
            result = await conn.scalars(
                sa.select(approval_grants.c.key)
                .where(approval_grants.c.scope == scope)
                .order_by(approval_grants.c.key)
            )
            return list(result)

    async def grant(self, scope: str, key: str, *, by: str | None) -> bool:
        """Remember ``key`` in ``scope``; returns False if it already was."""
        async with self._single.begin() as conn:
            result = await conn.execute(
                insert_ignore(conn.dialect.name, approval_grants).values(
                    scope=scope, key=key, granted_by=by, created_at=now()
                )
            )
            return bool(result.rowcount)
