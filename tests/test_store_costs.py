"""What a step costs in SQL: replay reads all stored steps in ONE query; each new step is
ONE write."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from helpers import wait_status
from sqlalchemy import event

from agents import PolosClient, WorkflowContext, workflow


@contextmanager
def recorded_statements(client: PolosClient) -> Iterator[list[str]]:
    """Every SQL statement the client's engine runs inside the block."""
    store = client._store
    assert store is not None
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(store.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", record)


async def _noop(index: int) -> int:
    return index


@workflow(id="ten_then_gate")
async def ten_then_gate(ctx: WorkflowContext) -> int:
    for index in range(10):
        await ctx.step.run(f"before-{index}", _noop, index)
    await ctx.step.suspend("gate")
    for index in range(3):
        await ctx.step.run(f"after-{index}", _noop, index)
    return 13


async def test_replay_reads_stored_steps_in_one_query_and_writes_once_per_new_step(
    client: PolosClient,
) -> None:
    handle = await ten_then_gate.start(client)
    await wait_status(client, handle.run_id, "suspended")
    with recorded_statements(client) as statements:
        await client.resume(handle.run_id, "gate")
        assert await handle.result(timeout=10) == 13
    step_reads = [
        s
        for s in statements
        if s.startswith("SELECT")
        and "FROM polos_steps" in s
        and "polos_runs" not in s
        and "step_key =" not in s
    ]
    step_writes = [s for s in statements if s.startswith("INSERT INTO polos_steps")]
    assert len(step_reads) == 1, step_reads
    # The resume writes the answer; each of the 3 new steps writes once.
    assert len(step_writes) == 1 + 3, step_writes
