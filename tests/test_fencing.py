"""Leases fence executors: a checkpoint from an executor that lost its run is refused, and a
second checkpoint of the same step is refused by the database."""

from __future__ import annotations

import asyncio
import time

import pytest
import sqlalchemy as sa

from agents._store import StepRecord, Store
from agents._store.database import resolve_database_url


def _step(key: str) -> StepRecord:
    now = time.time()
    return StepRecord(key, "f", "1", None, now, now, 1)


@pytest.fixture
async def store(database_url: str) -> Store:
    store = Store(resolve_database_url(database_url))
    await store.migrate()
    yield store  # type: ignore[misc]
    await store.close()


async def test_a_checkpoint_from_an_executor_whose_lease_was_taken_is_refused(
    store: Store,
) -> None:
    run, _ = await store.runs.insert(workflow_id="w", input_text="null")
    [first] = await store.runs.claim_queued(worker_id="a", limit=1, lease_seconds=0.01)
    await asyncio.sleep(0.05)  # the lease expires: worker "a" looks dead
    [second] = await store.runs.reclaim_expired(worker_id="b", limit=1, lease_seconds=30)
    assert second.id == first.id == run.id and second.recovery_attempts == 1
    assert first.lease_token and second.lease_token and first.lease_token != second.lease_token
    assert await store.steps.record(run.id, first.lease_token, _step("s1")) is False
    assert await store.steps.record(run.id, second.lease_token, _step("s1")) is True
    assert list(await store.steps.load(run.id)) == ["s1"]


async def test_a_second_checkpoint_of_the_same_step_is_refused_by_the_database(
    store: Store,
) -> None:
    run, _ = await store.runs.insert(workflow_id="w", input_text="null")
    [claimed] = await store.runs.claim_queued(worker_id="a", limit=1, lease_seconds=30)
    assert claimed.lease_token is not None
    assert await store.steps.record(run.id, claimed.lease_token, _step("s1"))
    with pytest.raises(sa.exc.IntegrityError):
        await store.steps.record(run.id, claimed.lease_token, _step("s1"))


async def test_a_cancelled_run_refuses_further_checkpoints(store: Store) -> None:
    run, _ = await store.runs.insert(workflow_id="w", input_text="null")
    [claimed] = await store.runs.claim_queued(worker_id="a", limit=1, lease_seconds=30)
    assert claimed.lease_token is not None
    assert await store.runs.complete(run.id, status="cancelled", lease_token=None)
    assert await store.steps.record(run.id, claimed.lease_token, _step("late")) is False
