"""Child runs, durable sleep and composition of workflows."""

from __future__ import annotations

import asyncio
import time

import pytest
from helpers import wait_status, wait_until

from agents import PolosClient, WorkflowContext, workflow


@workflow(id="double")
async def double(ctx: WorkflowContext, n: int) -> int:
    return n * 2


@workflow(id="fail_child")
async def fail_child(ctx: WorkflowContext, message: str) -> None:
    raise ValueError(message)


async def test_invoke_and_wait_returns_the_child_result(client: PolosClient) -> None:
    @workflow(id="parent_sum")
    async def parent(ctx: WorkflowContext, n: int) -> int:
        a = await ctx.step.invoke_and_wait("first", double.with_input(n))
        b = await ctx.step.invoke_and_wait("second", double.with_input(a))
        return a + b

    handle = await parent.start(client, 5)
    assert await handle.result(timeout=10) == 30
    children = await client.list_runs(parent_run_id=handle.run_id)
    assert sorted(run.output for run in children) == [10, 20]


async def test_a_child_error_is_raised_in_the_parent(client: PolosClient) -> None:
    @workflow(id="parent_of_failure")
    async def parent(ctx: WorkflowContext) -> str:
        try:
            await ctx.step.invoke_and_wait("child", fail_child.with_input("child broke"))
        except ValueError as exc:
            return f"caught: {exc}"
        return "not raised"

    assert await parent.run(client) == "caught: child broke"


async def test_a_waiting_parent_holds_no_worker_slot(client: PolosClient) -> None:
    @workflow(id="gated_child")
    async def gated_child(ctx: WorkflowContext) -> str:
        answer = await ctx.step.suspend("go")
        return str(answer["data"])

    @workflow(id="parent_waits")
    async def parent(ctx: WorkflowContext) -> str:
        return str(await ctx.step.invoke_and_wait("child", gated_child.with_input(None)))

    handle = await parent.start(client)
    parent_run = await wait_status(client, handle.run_id, "waiting")
    assert parent_run.status == "waiting"
    [child] = await client.list_runs(parent_run_id=handle.run_id)
    await wait_status(client, child.id, "suspended")
    assert client.worker is not None and client.worker.executing == []
    await client.resume(child.id, "go", "done")
    assert await handle.result(timeout=10) == "done"


async def test_invoke_starts_a_child_without_waiting(client: PolosClient) -> None:
    @workflow(id="fire_and_forget")
    async def parent(ctx: WorkflowContext) -> str:
        return await ctx.step.invoke("child", double.with_input(21))

    child_id = await parent.run(client)
    assert await client.handle(child_id).result(timeout=10) == 42


async def test_a_long_durable_sleep_releases_the_run_and_wakes_it_on_time(
    client: PolosClient,
) -> None:
    @workflow(id="sleeper")
    async def sleeper(ctx: WorkflowContext) -> float:
        started = await ctx.step.run("start", time.time)
        await ctx.step.sleep("nap", 1.5)
        return time.time() - float(started)

    handle = await sleeper.start(client)

    async def nap_recorded() -> bool:
        return "nap" in [step.key for step in await client.list_steps(handle.run_id)]

    await wait_until(nap_recorded, what="the sleep step is recorded")
    await asyncio.sleep(0.2)
    parked = await handle.info()
    assert (parked.status, parked.executions) == ("queued", 1)
    slept = await handle.result(timeout=10)
    assert slept >= 1.5
    assert (await handle.info()).executions == 2


async def test_a_short_sleep_stays_on_the_worker(client: PolosClient) -> None:
    @workflow(id="short_sleeper")
    async def sleeper(ctx: WorkflowContext) -> None:
        await ctx.step.sleep("nap", 0.1)

    handle = await sleeper.start(client)
    await handle.result(timeout=10)
    assert (await handle.info()).executions == 1


@pytest.mark.parametrize("n", [3])
async def test_parallel_children_all_complete(client: PolosClient, n: int) -> None:
    @workflow(id="fan_out")
    async def fan_out(ctx: WorkflowContext, count: int) -> list[int]:
        results = await asyncio.gather(
            *(ctx.step.invoke_and_wait(f"child-{i}", double.with_input(i)) for i in range(count)),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return [int(r) for r in results]  # type: ignore[arg-type]

    assert await fan_out.run(client, n) == [0, 2, 4]
