"""Step checkpoints: load all of a run's steps at once, record one, fenced by the lease."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from agents._store._sql import insert_ignore
from agents._store.database import single_statement_engine
from agents._store.records import StepRecord
from agents._store.schema import runs, steps

_STEP_COLUMNS = (
    steps.c.step_key,
    steps.c.function_name,
    steps.c.output,
    steps.c.error,
    steps.c.started_at,
    steps.c.finished_at,
    steps.c.attempts,
)

# INSERT ... SELECT ... WHERE the run is still leased to this executor: a checkpoint from an
# executor that lost its lease writes nothing, and the primary key refuses a second row.
_RECORD_FENCED = steps.insert().from_select(
    [
        "run_id",
        "step_key",
        "function_name",
        "output",
        "error",
        "started_at",
        "finished_at",
        "attempts",
    ],
    sa.select(
        sa.bindparam("run_id", type_=sa.String()),
        sa.bindparam("step_key", type_=sa.String()),
        sa.bindparam("function_name", type_=sa.String()),
        sa.bindparam("output", type_=sa.Text()),
        sa.bindparam("error", type_=sa.Text()),
        sa.bindparam("started_at", type_=sa.Double()),
        sa.bindparam("finished_at", type_=sa.Double()),
        sa.bindparam("attempts", type_=sa.Integer()),
    ).where(
        sa.exists().where(
            runs.c.id == sa.bindparam("fence_run_id", type_=sa.String()),
            runs.c.lease_token == sa.bindparam("fence_token", type_=sa.String()),
        )
    ),
)


class StepStore:
    """Reads and writes ``polos_steps``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._single = single_statement_engine(engine)

    async def load(self, run_id: str) -> dict[str, StepRecord]:
        """Every stored step of a run, in ONE query (this is what replay reads)."""
        async with self._single.connect() as conn:
            result = await conn.execute(sa.select(*_STEP_COLUMNS).where(steps.c.run_id == run_id))
            return {row.step_key: StepRecord(*row) for row in result}

    async def get(self, run_id: str, step_key: str) -> StepRecord | None:
        """One stored step, if any."""
        async with self._single.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(*_STEP_COLUMNS).where(
                        steps.c.run_id == run_id, steps.c.step_key == step_key
                    )
                )
            ).first()
            return None if row is None else StepRecord(*row)

    async def record(
        self,
        run_id: str,
        lease_token: str,
        step: StepRecord,
    ) -> bool:
        """Store a completed step if this executor still holds the run.

        Returns False when the lease is gone. Raises ``sqlalchemy.exc.IntegrityError`` when
        the step is already stored (another executor got there first).
        """
        async with self._single.begin() as conn:
            result = await conn.execute(
                _RECORD_FENCED,
                {
                    "run_id": run_id,
                    "step_key": step.step_key,
                    "function_name": step.function_name,
                    "output": step.output,
                    "error": step.error,
                    "started_at": step.started_at,
                    "finished_at": step.finished_at,
                    "attempts": step.attempts,
                    "fence_run_id": run_id,
                    "fence_token": lease_token,
                },
            )
            return bool(result.rowcount)


async def insert_step_ignore(conn: AsyncConnection, run_id: str, step: StepRecord) -> bool:
    """Store a step written on behalf of a run by someone else (a resume, a finished child
    run); a step that is already stored is left as it is. Returns whether a row was added."""
    stmt = insert_ignore(conn.dialect.name, steps).values(
        run_id=run_id,
        step_key=step.step_key,
        function_name=step.function_name,
        output=step.output,
        error=step.error,
        started_at=step.started_at,
        finished_at=step.finished_at,
        attempts=step.attempts,
    )
    result = await conn.execute(stmt)
    return bool(result.rowcount)
