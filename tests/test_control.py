"""Concurrency keys, cancellation and run timeouts."""

from __future__ import annotations

import asyncio

import pytest
from helpers import wait_status

from agents import PolosClient, RunCancelledError, RunTimeoutError, WorkflowContext, workflow


async def test_runs_with_one_concurrency_key_execute_one_at_a_time_in_order(
    client: PolosClient,
) -> None:
    log: list[str] = []

    @workflow(id="serialised")
    async def serialised(ctx: WorkflowContext, name: str) -> None:
        log.append(f"start {name}")
        await asyncio.sleep(0.05)
        log.append(f"end {name}")

    handles = [await serialised.start(client, name, concurrency_key="thread-1") for name in "abcd"]
    await asyncio.gather(*(h.result(timeout=20) for h in handles))
    assert log == [f"{step} {name}" for name in "abcd" for step in ("start", "end")]


async def test_runs_with_different_concurrency_keys_overlap(client: PolosClient) -> None:
    running = 0
    peak = 0

    @workflow(id="overlapping")
    async def overlapping(ctx: WorkflowContext, name: str) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.2)
        running -= 1

    handles = [await overlapping.start(client, n, concurrency_key=n) for n in "xyz"]
    await asyncio.gather(*(h.result(timeout=20) for h in handles))
    assert peak == 3


async def test_a_suspended_run_holds_its_concurrency_key(client: PolosClient) -> None:
    @workflow(id="key_holder")
    async def key_holder(ctx: WorkflowContext, name: str) -> str:
        if name == "first":
            await ctx.step.suspend("gate")
        return name

    first = await key_holder.start(client, "first", concurrency_key="k")
    second = await key_holder.start(client, "second", concurrency_key="k")
    await wait_status(client, first.run_id, "suspended")
    await asyncio.sleep(0.3)
    assert (await second.info()).status == "queued"
    await client.resume(first.run_id, "gate")
    assert await second.result(timeout=10) == "second"


async def test_cancel_stops_a_running_run_within_a_second(client: PolosClient) -> None:
    reached: list[str] = []

    async def slow() -> None:
        await asyncio.sleep(30)

    @workflow(id="long_running")
    async def long_running(ctx: WorkflowContext) -> None:
        reached.append("before")
        await ctx.step.run("slow", slow)
        reached.append("after")

    handle = await long_running.start(client)
    await wait_status(client, handle.run_id, "running")
    await asyncio.sleep(0.1)
    assert await handle.cancel()
    with pytest.raises(RunCancelledError):
        await handle.result(timeout=2)
    await asyncio.sleep(0.2)
    assert client.worker is not None and handle.run_id not in client.worker.executing
    assert reached == ["before"]
    assert not await handle.cancel()  # already ended


async def test_cancel_of_a_run_executed_by_another_process_stops_it(
    client: PolosClient, database_url: str
) -> None:
    from agents import PolosClient as Client

    @workflow(id="cancel_remote")
    async def cancel_remote(ctx: WorkflowContext) -> None:
        await ctx.step.run("sleep", asyncio.sleep, 30)

    handle = await cancel_remote.start(client)
    await wait_status(client, handle.run_id, "running")
    other = Client(database_url, worker=False)  # another process's view: no in-process signal
    try:
        assert await other.cancel(handle.run_id)
    finally:
        await other.close()
    for _ in range(100):
        if client.worker is not None and handle.run_id not in client.worker.executing:
            break
        await asyncio.sleep(0.05)
    assert client.worker is not None and handle.run_id not in client.worker.executing


async def test_cancelling_a_parent_cancels_its_children(client: PolosClient) -> None:
    @workflow(id="stuck_child")
    async def stuck_child(ctx: WorkflowContext) -> None:
        await ctx.step.suspend("never")

    @workflow(id="cancelled_parent")
    async def parent(ctx: WorkflowContext) -> None:
        await ctx.step.invoke_and_wait("child", stuck_child.with_input(None))

    handle = await parent.start(client)
    await wait_status(client, handle.run_id, "waiting")
    [child] = await client.list_runs(parent_run_id=handle.run_id)
    await wait_status(client, child.id, "suspended")
    assert await client.cancel(handle.run_id)
    assert (await client.handle(child.id).info()).status == "cancelled"
    assert await client.list_suspensions(run_id=child.id) == []


async def test_a_run_past_its_timeout_fails_with_run_timeout_error(client: PolosClient) -> None:
    @workflow(id="too_slow", timeout=0.3)
    async def too_slow(ctx: WorkflowContext) -> None:
        await ctx.step.run("sleep", asyncio.sleep, 5)

    with pytest.raises(RunTimeoutError, match=r"passed its timeout of 0\.3 s"):
        await too_slow.run(client)


async def test_a_suspended_run_past_its_timeout_fails(client: PolosClient) -> None:
    @workflow(id="waits_too_long")
    async def waits_too_long(ctx: WorkflowContext) -> None:
        await ctx.step.suspend("gate")

    handle = await waits_too_long.start(client, timeout=0.3)
    with pytest.raises(RunTimeoutError):
        await handle.result(timeout=15)
