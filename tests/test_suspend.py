"""ctx.step.suspend and client.resume: a run waits for a person, and one answer counts."""

from __future__ import annotations

import asyncio

from helpers import wait_status

from agents import PolosClient, WorkflowContext, workflow


@workflow(id="approval_gate")
async def approval_gate(ctx: WorkflowContext, plan: str) -> str:
    answer = await ctx.step.suspend("approve", data={"plan": plan})
    decision = answer.get("data") or {}
    if answer.get("expired"):
        return "expired"
    return f"{'approved' if decision.get('approved') else 'denied'} by {answer['by']}"


async def test_a_suspended_run_continues_with_the_resume_data(client: PolosClient) -> None:
    handle = await approval_gate.start(client, "deploy")
    await wait_status(client, handle.run_id, "suspended")
    [pending] = await client.list_suspensions(run_id=handle.run_id)
    assert (pending.step_key, pending.data) == ("approve", {"plan": "deploy"})
    assert await client.resume(handle.run_id, "approve", {"approved": True}, by="U1")
    assert await handle.result(timeout=10) == "approved by U1"


async def test_a_second_resume_of_the_same_suspension_is_refused(client: PolosClient) -> None:
    handle = await approval_gate.start(client, "deploy")
    await wait_status(client, handle.run_id, "suspended")
    first = await client.resume(handle.run_id, "approve", {"approved": False}, by="U1")
    second = await client.resume(handle.run_id, "approve", {"approved": True}, by="U2")
    assert (first, second) == (True, False)
    assert await handle.result(timeout=10) == "denied by U1"


async def test_concurrent_resumes_apply_exactly_one(client: PolosClient) -> None:
    handle = await approval_gate.start(client, "deploy")
    await wait_status(client, handle.run_id, "suspended")
    outcomes = await asyncio.gather(
        *(client.resume(handle.run_id, "approve", {"approved": True}, by=f"U{i}") for i in range(5))
    )
    assert sorted(outcomes) == [False, False, False, False, True]
    winner = f"U{outcomes.index(True)}"
    assert await handle.result(timeout=10) == f"approved by {winner}"


async def test_a_resume_with_the_wrong_nonce_is_refused(client: PolosClient) -> None:
    handle = await approval_gate.start(client, "deploy")
    await wait_status(client, handle.run_id, "suspended")
    [pending] = await client.list_suspensions(run_id=handle.run_id)
    assert not await client.resume(handle.run_id, "approve", {}, by="U1", nonce="forged")
    assert await client.resume(
        handle.run_id, "approve", {"approved": True}, by="U1", nonce=pending.nonce
    )
    assert await handle.result(timeout=10) == "approved by U1"


async def test_a_resume_of_an_unknown_step_is_refused(client: PolosClient) -> None:
    handle = await approval_gate.start(client, "deploy")
    await wait_status(client, handle.run_id, "suspended")
    assert not await client.resume(handle.run_id, "not_a_step", {})
    assert (await handle.info()).status == "suspended"


async def test_an_unanswered_suspension_with_a_timeout_expires(client: PolosClient) -> None:
    @workflow(id="expiring_gate")
    async def expiring(ctx: WorkflowContext) -> str:
        answer = await ctx.step.suspend("approve", timeout=0.2)
        return "expired" if answer.get("expired") else "answered"

    handle = await expiring.start(client)
    assert await handle.result(timeout=15) == "expired"
    [record] = await client.list_suspensions(run_id=handle.run_id, status=None)
    assert record.status == "expired"
    assert not await client.resume(handle.run_id, "approve", {})


async def test_the_suspended_event_carries_the_data_and_nonce(client: PolosClient) -> None:
    with client.events.subscribe(types={"suspended"}) as events:
        handle = await approval_gate.start(client, "rm -rf build")
        event = await events.get(timeout=10)
    assert event is not None and event.run_id == handle.run_id
    assert event.data["data"] == {"plan": "rm -rf build"}
    [pending] = await client.list_suspensions(run_id=handle.run_id)
    assert event.data["nonce"] == pending.nonce
