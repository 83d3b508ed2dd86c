"""ctx.step.run: replay returns what was stored, without calling the function again."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

import pytest
from helpers import wait_status
from pydantic import BaseModel

from agents import (
    NonDeterminismError,
    PolosClient,
    RetryPolicy,
    SerializationError,
    UserError,
    WorkflowContext,
    workflow,
)


class Point(BaseModel):
    x: int
    y: int


class Counter:
    """Counts calls per name, so a test can prove a step ran once."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def hit(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1


async def test_replay_returns_stored_outputs_without_calling_the_step_again(
    client: PolosClient,
) -> None:
    counter = Counter()

    async def fetch(name: str) -> str:
        counter.hit(name)
        return name.upper()

    @workflow(id="replay_outputs")
    async def flow(ctx: WorkflowContext) -> list[Any]:
        a = await ctx.step.run("a", fetch, "a")
        b = await ctx.step.run("b", fetch, "b")
        answer = await ctx.step.suspend("gate")  # replays everything above after resume
        c = await ctx.step.run("c", fetch, "c")
        return [a, b, answer["data"], c]

    handle = await flow.start(client)
    await wait_status(client, handle.run_id, "suspended")
    assert await client.resume(handle.run_id, "gate", "ok")
    assert await handle.result(timeout=10) == ["A", "B", "ok", "C"]
    assert counter.calls == {"a": 1, "b": 1, "c": 1}


async def test_a_step_error_is_stored_and_raised_again_on_replay(client: PolosClient) -> None:
    counter = Counter()

    def explode() -> None:
        counter.hit("explode")
        raise ValueError("bad value 42")

    @workflow(id="replay_errors")
    async def flow(ctx: WorkflowContext) -> str:
        try:
            await ctx.step.run("explode", explode)
        except ValueError as exc:
            first = str(exc)
        await ctx.step.suspend("gate")
        with contextlib.suppress(ValueError):
            await ctx.step.run("explode_again_key", explode)
        return first

    handle = await flow.start(client)
    await wait_status(client, handle.run_id, "suspended")
    await client.resume(handle.run_id, "gate")
    assert await handle.result(timeout=10) == "bad value 42"
    # Once before the suspension, once for the second key; the replay re-raised the first.
    assert counter.calls == {"explode": 2}


async def test_pydantic_outputs_come_back_as_the_same_type_on_replay(
    client: PolosClient,
) -> None:
    async def make_point() -> Point:
        return Point(x=1, y=2)

    @workflow(id="model_outputs")
    async def flow(ctx: WorkflowContext) -> str:
        point = await ctx.step.run("point", make_point)
        await ctx.step.suspend("gate")
        return type(point).__name__ + f":{point.x},{point.y}"

    handle = await flow.start(client)
    await wait_status(client, handle.run_id, "suspended")
    await client.resume(handle.run_id, "gate")
    assert await handle.result(timeout=10) == "Point:1,2"


async def test_a_non_serialisable_output_fails_the_run_naming_the_step(
    client: PolosClient,
) -> None:
    async def make_object() -> object:
        return object()

    @workflow(id="bad_output")
    async def flow(ctx: WorkflowContext) -> None:
        await ctx.step.run("opaque", make_object)

    with pytest.raises(SerializationError, match="step 'opaque'"):
        await flow.run(client)


async def test_replay_of_a_different_function_under_a_stored_key_is_a_non_determinism_error(
    client: PolosClient,
) -> None:
    async def first() -> int:
        return 1

    async def second() -> int:
        return 2

    use_second = False

    @workflow(id="nondeterministic")
    async def flow(ctx: WorkflowContext) -> int:
        value = await ctx.step.run("value", second if use_second else first)
        await ctx.step.suspend("gate")
        return int(value)

    handle = await flow.start(client)
    await wait_status(client, handle.run_id, "suspended")
    use_second = True
    await client.resume(handle.run_id, "gate")
    with pytest.raises(NonDeterminismError, match="recorded as 'test_replay_of_a_different"):
        await handle.result(timeout=10)


async def test_using_a_step_key_twice_in_one_run_is_a_clear_error(client: PolosClient) -> None:
    async def noop() -> None:
        return None

    @workflow(id="duplicate_key")
    async def flow(ctx: WorkflowContext) -> None:
        await ctx.step.run("same", noop)
        await ctx.step.run("same", noop)

    with pytest.raises(UserError, match="step key 'same' is used twice"):
        await flow.run(client)


async def test_a_retry_policy_retries_a_failing_step_before_recording_it(
    client: PolosClient,
) -> None:
    counter = Counter()

    async def flaky() -> str:
        counter.hit("flaky")
        if counter.calls["flaky"] < 3:
            raise ConnectionError("try again")
        return "ok"

    @workflow(id="retries")
    async def flow(ctx: WorkflowContext) -> str:
        policy = RetryPolicy(attempts=3, backoff=0.01)
        return str(await ctx.step.run("flaky", flaky, retry=policy))

    handle = await flow.start(client)
    assert await handle.result(timeout=10) == "ok"
    steps = await client.list_steps(handle.run_id)
    assert [(s.key, s.attempts) for s in steps] == [("flaky", 3)]


async def test_sync_step_functions_run_in_a_thread(client: PolosClient) -> None:
    import threading

    def which_thread() -> bool:
        return threading.current_thread() is threading.main_thread()

    @workflow(id="sync_step")
    async def flow(ctx: WorkflowContext) -> bool:
        return bool(await ctx.step.run("where", which_thread))

    assert await flow.run(client) is False


async def test_uuid_and_now_are_the_same_on_replay(client: PolosClient) -> None:
    seen: list[tuple[str, datetime]] = []

    @workflow(id="deterministic_values")
    async def flow(ctx: WorkflowContext) -> None:
        value = await ctx.step.uuid("id")
        instant = await ctx.step.now("instant")
        seen.append((value, instant))
        await ctx.step.suspend("gate")
        seen.append((await ctx.step.uuid("id2"), instant))

    handle = await flow.start(client)
    await wait_status(client, handle.run_id, "suspended")
    await client.resume(handle.run_id, "gate")
    await handle.result(timeout=10)
    # Execution 1 appended once; execution 2 (the replay) appended twice.
    assert seen[0] == seen[1]
    assert seen[2][0] != seen[0][0]


async def test_each_step_gets_a_stable_idempotency_key_for_outside_apis(
    client: PolosClient,
) -> None:
    @workflow(id="idempotency_key_per_step")
    async def flow(ctx: WorkflowContext) -> str:
        return ctx.idempotency_key("charge")

    handle = await flow.start(client)
    assert await handle.result(timeout=10) == f"{handle.run_id}:charge"
