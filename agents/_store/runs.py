"""Runs: creation, claiming with leases, parking, completion and cancellation."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from agents._store._sql import insert_ignore, lock_run, now
from agents._store.database import single_statement_engine
from agents._store.records import RunRecord, StepRecord
from agents._store.schema import ACTIVE_STATUSES, runs, steps, suspensions
from agents._store.steps import insert_step_ignore

_RELEASED_LEASE: dict[str, Any] = {
    "lease_owner": None,
    "lease_token": None,
    "lease_expires_at": None,
}


def _record(row: sa.Row[Any]) -> RunRecord:
    return RunRecord(**row._mapping)


class RunStore:
    """Reads and writes ``polos_runs`` (and what a run's status change implies elsewhere)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._single = single_statement_engine(engine)
        self._for_update = engine.dialect.name == "postgresql"

    # -- creation and reading -------------------------------------------------------------

    async def insert(
        self,
        *,
        workflow_id: str,
        input_text: str | None,
        idempotency_key: str | None = None,
        concurrency_key: str | None = None,
        parent_run_id: str | None = None,
        parent_step_key: str | None = None,
        metadata: dict[str, Any] | None = None,
        timeout: float | None = None,
        available_at: float | None = None,
    ) -> tuple[RunRecord, bool]:
        """Queue a new run; with an idempotency key already used, return that run instead.

        Returns the run and whether it was created by this call.
        """
        at = now()
        values = {
            "id": str(uuid.uuid4()),
            "workflow_id": workflow_id,
            "status": "queued",
            "input": input_text,
            "idempotency_key": idempotency_key,
            "concurrency_key": concurrency_key,
            "parent_run_id": parent_run_id,
            "parent_step_key": parent_step_key,
            "run_metadata": metadata,
            "created_at": at,
            "updated_at": at,
            "available_at": available_at if available_at is not None else at,
            "timeout_seconds": timeout,
            "deadline_at": at + timeout if timeout is not None else None,
        }
        async with self._single.begin() as conn:
            stmt = insert_ignore(conn.dialect.name, runs).values(**values).returning(*runs.c)
            row = (await conn.execute(stmt)).first()
            if row is not None:
                return _record(row), True
            existing = (
                await conn.execute(
                    sa.select(*runs.c).where(runs.c.idempotency_key == idempotency_key)
                )
            ).first()
        if existing is None:  # pragma: no cover - a conflict always has a row behind it
            raise RuntimeError("run insert conflicted but no run holds the idempotency key")
        return _record(existing), False

    async def get(self, run_id: str) -> RunRecord | None:
        """The run with that id, if any."""
        async with self._single.connect() as conn:
            row = (await conn.execute(sa.select(*runs.c).where(runs.c.id == run_id))).first()
            return None if row is None else _record(row)

    async def find(
        self,
        *,
        workflow_id: str | None = None,
        statuses: Collection[str] | None = None,
        parent_run_id: str | None = None,
        concurrency_key: str | None = None,
        limit: int = 50,
    ) -> list[RunRecord]:
        """Runs matching every filter given, newest first."""
        query = sa.select(*runs.c).order_by(runs.c.seq.desc()).limit(limit)
        if workflow_id is not None:
            query = query.where(runs.c.workflow_id == workflow_id)
        if statuses:
            query = query.where(runs.c.status.in_(list(statuses)))
        if parent_run_id is not None:
            query = query.where(runs.c.parent_run_id == parent_run_id)
        if concurrency_key is not None:
            query = query.where(runs.c.concurrency_key == concurrency_key)
        async with self._single.connect() as conn:
            return [_record(row) for row in await conn.execute(query)]

    # -- claiming and leases --------------------------------------------------------------

    def _lock(self, query: sa.Select[Any]) -> sa.Select[Any]:
        return query.with_for_update(skip_locked=True) if self._for_update else query

    async def _claim(
        self,
        candidates: sa.Select[Any],
        *,
        worker_id: str,
        lease_seconds: float,
        recovery: bool,
    ) -> list[RunRecord]:
        at = now()
        values: dict[str, Any] = {
            "status": "running",
            "lease_owner": worker_id,
            "lease_token": str(uuid.uuid4()),
            "lease_expires_at": at + lease_seconds,
            "started_at": sa.func.coalesce(runs.c.started_at, at),
            "updated_at": at,
            "executions": runs.c.executions + 1,
        }
        if recovery:
            values["recovery_attempts"] = runs.c.recovery_attempts + 1
        stmt = (
            sa.update(runs)
            .where(runs.c.seq.in_(self._lock(candidates)))
            .values(**values)
            .returning(*runs.c)
        )
        async with self._single.begin() as conn:
            claimed = [_record(row) for row in await conn.execute(stmt)]
        claimed.sort(key=lambda run: run.seq)
        return claimed

    async def claim_queued(
        self, *, worker_id: str, limit: int, lease_seconds: float
    ) -> list[RunRecord]:
        """Lease up to ``limit`` queued runs that are due, oldest first. A run with a
        concurrency key waits until every earlier run with the same key has ended."""
        earlier = runs.alias("earlier")
        blocked = (
            sa.select(earlier.c.seq)
            .where(
                earlier.c.concurrency_key == runs.c.concurrency_key,
                earlier.c.seq < runs.c.seq,
                earlier.c.status.in_(ACTIVE_STATUSES),
            )
            .exists()
        )
        candidates = (
            sa.select(runs.c.seq)
            .where(
                runs.c.status == "queued",
                runs.c.available_at <= now(),
                sa.or_(runs.c.concurrency_key.is_(None), ~blocked),
            )
            .order_by(runs.c.seq)
            .limit(limit)
        )
        return await self._claim(
            candidates, worker_id=worker_id, lease_seconds=lease_seconds, recovery=False
        )

    async def reclaim_expired(
        self, *, worker_id: str, limit: int, lease_seconds: float
    ) -> list[RunRecord]:
        """Lease runs whose executor died (their lease expired); counts a recovery attempt."""
        candidates = (
            sa.select(runs.c.seq)
            .where(runs.c.status == "running", runs.c.lease_expires_at < now())
            .order_by(runs.c.seq)
            .limit(limit)
        )
        return await self._claim(
            candidates, worker_id=worker_id, lease_seconds=lease_seconds, recovery=True
        )

    async def reclaim_own(
        self, *, worker_id: str, limit: int, lease_seconds: float
    ) -> list[RunRecord]:
        """Lease the runs still held by this worker id: its previous life died with them."""
        candidates = (
            sa.select(runs.c.seq)
            .where(runs.c.status == "running", runs.c.lease_owner == worker_id)
            .order_by(runs.c.seq)
            .limit(limit)
        )
        return await self._claim(
            candidates, worker_id=worker_id, lease_seconds=lease_seconds, recovery=True
        )

    async def renew_leases(
        self, *, worker_id: str, run_ids: Sequence[str], lease_seconds: float
    ) -> dict[str, str]:
        """Extend the leases of runs this worker executes; returns ``{run_id: lease_token}``
        for those it still holds (a run missing from the answer was cancelled or taken)."""
        if not run_ids:
            return {}
        stmt = (
            sa.update(runs)
            .where(
                runs.c.id.in_(list(run_ids)),
                runs.c.lease_owner == worker_id,
                runs.c.status == "running",
            )
            .values(lease_expires_at=now() + lease_seconds)
            .returning(runs.c.id, runs.c.lease_token)
        )
        async with self._single.begin() as conn:
            return {row.id: row.lease_token for row in await conn.execute(stmt)}

    # -- status changes -------------------------------------------------------------------

    async def park(
        self,
        run_id: str,
        lease_token: str,
        *,
        awaited: Collection[str],
        human: Collection[str],
        wake_at: float | None,
    ) -> str | None:
        """Release a run that waits. It becomes ``suspended`` (a person must answer),
        ``waiting`` (for child runs) or, when everything awaited is already stored, ``queued``
        again (at ``wake_at`` for a durable timer). Returns the new status, or None when this
        executor no longer held the run."""
        async with self._engine.begin() as conn:
            await lock_run(conn, run_id)
            resolved: set[str] = set()
            if awaited:
                resolved = set(
                    await conn.scalars(
                        sa.select(steps.c.step_key).where(
                            steps.c.run_id == run_id, steps.c.step_key.in_(list(awaited))
                        )
                    )
                )
            unresolved = set(awaited) - resolved
            at = now()
            if unresolved:
                status = "suspended" if unresolved & set(human) else "waiting"
                available_at = at
            else:
                status = "queued"
                available_at = max(wake_at or at, at)
            result = await conn.execute(
                sa.update(runs)
                .where(runs.c.id == run_id, runs.c.lease_token == lease_token)
                .values(status=status, available_at=available_at, updated_at=at, **_RELEASED_LEASE)
            )
            return status if result.rowcount else None

    async def complete(
        self,
        run_id: str,
        *,
        status: str,
        lease_token: str | None,
        output: str | None = None,
        error: str | None = None,
    ) -> RunRecord | None:
        """Move a run to a final status and tell its parent, in one transaction.

        With ``lease_token`` only the executor holding the run can complete it; without one
        (cancel, timeouts) any run that has not ended yet can be. Returns the updated run, or
        None when nothing changed.
        """
        at = now()
        condition = (
            runs.c.lease_token == lease_token
            if lease_token is not None
            else runs.c.status.in_(ACTIVE_STATUSES)
        )
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(
                    sa.update(runs)
                    .where(runs.c.id == run_id, condition)
                    .values(
                        status=status,
                        output=output,
                        error=error,
                        finished_at=at,
                        updated_at=at,
                        **_RELEASED_LEASE,
                    )
                    .returning(*runs.c)
                )
            ).first()
            if row is None:
                return None
            run = _record(row)
            if status != "succeeded":
                await conn.execute(
                    sa.update(suspensions)
                    .where(suspensions.c.run_id == run_id, suspensions.c.status == "pending")
                    .values(status="cancelled", resolved_at=at)
                )
            if run.parent_run_id is not None and run.parent_step_key is not None:
                await _deliver_to_parent(conn, run, at)
            return run

    async def update_metadata(self, run_id: str, patch: dict[str, Any]) -> dict[str, Any] | None:
        """Merge ``patch`` into the run's metadata; returns the new metadata (None: no run)."""
        async with self._engine.begin() as conn:
            await lock_run(conn, run_id)
            row = (
                await conn.execute(sa.select(runs.c.run_metadata).where(runs.c.id == run_id))
            ).first()
            if row is None:
                return None
            merged = {**(row.run_metadata or {}), **patch}
            await conn.execute(
                sa.update(runs).where(runs.c.id == run_id).values(run_metadata=merged)
            )
            return merged

    async def active_children(self, run_id: str) -> list[str]:
        """Ids of the child runs of ``run_id`` that have not ended."""
        async with self._single.connect() as conn:
            return list(
                await conn.scalars(
                    sa.select(runs.c.id).where(
                        runs.c.parent_run_id == run_id, runs.c.status.in_(ACTIVE_STATUSES)
                    )
                )
            )

    async def past_deadline(self, *, limit: int = 100) -> list[RunRecord]:
        """Runs that are not executing and have passed their deadline."""
        async with self._single.connect() as conn:
            result = await conn.execute(
                sa.select(*runs.c)
                .where(
                    runs.c.deadline_at.is_not(None),
                    runs.c.deadline_at < now(),
                    runs.c.status.in_(("queued", "suspended", "waiting")),
                )
                .limit(limit)
            )
            return [_record(row) for row in result]


async def requeue(conn: AsyncConnection, run_id: str) -> None:
    """Queue a waiting or suspended run again (inside the caller's transaction)."""
    await conn.execute(
        sa.update(runs)
        .where(runs.c.id == run_id, runs.c.status.in_(("waiting", "suspended")))
        .values(status="queued", available_at=now(), updated_at=now())
    )


async def _deliver_to_parent(conn: AsyncConnection, child: RunRecord, at: float) -> None:
    """Store the child's outcome as the parent's step and wake the parent."""
    assert child.parent_run_id is not None and child.parent_step_key is not None
    await insert_step_ignore(
        conn,
        child.parent_run_id,
        StepRecord(
            step_key=child.parent_step_key,
            function_name=f"workflow:{child.workflow_id}",
            output=child.output,
            error=child.error,
            started_at=child.created_at,
            finished_at=at,
            attempts=1,
        ),
    )
    await requeue(conn, child.parent_run_id)
