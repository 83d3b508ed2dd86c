"""Suspensions: a run waiting at a step for an answer from a person (or another system)."""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from agents._store._sql import insert_ignore, lock_run, now
from agents._store.database import single_statement_engine
from agents._store.records import StepRecord, SuspensionRecord
from agents._store.runs import requeue
from agents._store.schema import runs, suspensions
from agents._store.steps import insert_step_ignore


def _record(row: sa.Row[Any]) -> SuspensionRecord:
    return SuspensionRecord(**row._mapping)


class SuspensionStore:
    """Reads and writes ``polos_suspensions``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._single = single_statement_engine(engine)

    async def create(
        self,
        run_id: str,
        step_key: str,
        *,
        lease_token: str,
        data: str | None,
        expires_at: float | None = None,
    ) -> SuspensionRecord | None:
        """Record that the run waits at ``step_key``; a suspension that already exists (a
        replay reaching the same step) is kept as it is. None when the lease is gone."""
        async with self._engine.begin() as conn:
            holds_lease = (
                await conn.execute(
                    sa.select(runs.c.seq).where(
                        runs.c.id == run_id, runs.c.lease_token == lease_token
                    )
                )
            ).first()
            if holds_lease is None:
                return None
            await conn.execute(
                insert_ignore(conn.dialect.name, suspensions).values(
                    run_id=run_id,
                    step_key=step_key,
                    status="pending",
                    data=data,
                    nonce=secrets.token_urlsafe(16),
                    created_at=now(),
                    expires_at=expires_at,
                )
            )
            row = (
                await conn.execute(
                    sa.select(*suspensions.c).where(
                        suspensions.c.run_id == run_id, suspensions.c.step_key == step_key
                    )
                )
            ).one()
            return _record(row)

    async def resolve(
        self,
        run_id: str,
        step_key: str,
        *,
        answer: str,
        by: str | None,
        nonce: str | None = None,
        status: str = "resolved",
    ) -> bool:
        """Answer a pending suspension, at most once (compare-and-set on its status).

        Stores ``answer`` as the step's output and queues the run again. Returns False when
        the suspension is not pending (already answered, expired, cancelled, unknown) or the
        nonce does not match.
        """
        at = now()
        async with self._engine.begin() as conn:
            await lock_run(conn, run_id)
            condition = [
                suspensions.c.run_id == run_id,
                suspensions.c.step_key == step_key,
                suspensions.c.status == "pending",
            ]
            if nonce is not None:
                condition.append(suspensions.c.nonce == nonce)
            result = await conn.execute(
                sa.update(suspensions)
                .where(*condition)
                .values(status=status, resolved_at=at, resolved_by=by)
            )
            if not result.rowcount:
                return False
            await insert_step_ignore(
                conn,
                run_id,
                StepRecord(
                    step_key=step_key,
                    function_name="suspend",
                    output=answer,
                    error=None,
                    started_at=at,
                    finished_at=at,
                    attempts=1,
                ),
            )
            await requeue(conn, run_id)
            return True

    async def get(self, run_id: str, step_key: str) -> SuspensionRecord | None:
        """One suspension, if any."""
        async with self._single.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(*suspensions.c).where(
                        suspensions.c.run_id == run_id, suspensions.c.step_key == step_key
                    )
                )
            ).first()
            return None if row is None else _record(row)

    async def find(
        self, *, run_id: str | None = None, status: str | None = "pending", limit: int = 100
    ) -> list[SuspensionRecord]:
        """Suspensions, oldest first; pending ones by default."""
        query = sa.select(*suspensions.c).order_by(suspensions.c.created_at).limit(limit)
        if run_id is not None:
            query = query.where(suspensions.c.run_id == run_id)
        if status is not None:
            query = query.where(suspensions.c.status == status)
        async with self._single.connect() as conn:
            return [_record(row) for row in await conn.execute(query)]

    async def expired(self, *, limit: int = 100) -> list[SuspensionRecord]:
        """Pending suspensions whose answer is overdue."""
        query = (
            sa.select(*suspensions.c)
            .where(
                suspensions.c.status == "pending",
                suspensions.c.expires_at.is_not(None),
                suspensions.c.expires_at < now(),
            )
            .limit(limit)
        )
        async with self._single.connect() as conn:
            return [_record(row) for row in await conn.execute(query)]
